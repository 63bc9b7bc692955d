"""The service review pack of a customer and period: a printable page and its CSV."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from agreements.models import Customer
from improvement.review_pack import review_pack, review_pack_csv
from monitoring.readout.reports import last_month_label, parse_period


def _pack(request, code):
    customer = get_object_or_404(Customer.objects.for_user(request.user), code=code)
    try:
        period = parse_period(request.GET.get("period") or last_month_label())
    except ValueError as error:
        raise Http404(str(error)) from None
    return review_pack(request.user, customer, period)


@login_required
def review_pack_page(request, code):
    pack = _pack(request, code)
    csv_url = reverse("improvement:review_pack_csv", kwargs={"code": code}) + f"?period={pack['period'].label}"
    return render(request, "improvement/review_pack.html", {"pack": pack, "csv_url": csv_url})


@login_required
def review_pack_csv_view(request, code):
    pack = _pack(request, code)
    response = HttpResponse(review_pack_csv(pack), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{code}-{pack["period"].label}.csv"'
    return response
