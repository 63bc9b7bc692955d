"""The service review pack of a customer and period: a printable page and its CSV."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from agreements.models import Customer
from improvement.review_pack import review_pack, review_pack_csv
from monitoring.forms import ReportPeriodForm


def _customer_and_period(request, code):
    """The customer (through ``.for_user()``) and the period form, bound to what was asked (default: last month)."""
    customer = get_object_or_404(Customer.objects.for_user(request.user), code=code)
    return customer, ReportPeriodForm({"period": request.GET.get("period", "").strip()})


@login_required
def review_pack_page(request, code):
    """The pack of a period; a period that is not one shows the page with the period field's error (400)."""
    customer, form = _customer_and_period(request, code)
    if not form.is_valid():
        context = {"customer": customer, "period_form": form}
        return render(request, "improvement/review_pack.html", context, status=400)
    pack = review_pack(request.user, customer, form.cleaned_data["period"])
    csv_url = reverse("improvement:review_pack_csv", kwargs={"code": code}) + f"?period={pack['period'].label}"
    context = {"customer": customer, "period_form": form, "pack": pack, "csv_url": csv_url}
    return render(request, "improvement/review_pack.html", context)


@login_required
def review_pack_csv_view(request, code):
    customer, form = _customer_and_period(request, code)
    if not form.is_valid():
        return form.refused()
    pack = review_pack(request.user, customer, form.cleaned_data["period"])
    response = HttpResponse(review_pack_csv(pack), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{code}-{pack["period"].label}.csv"'
    return response
