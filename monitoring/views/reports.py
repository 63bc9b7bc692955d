"""SLA reports per agreement and period: a printable page, its CSV, and the service manager's comment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.models import Agreement
from core.tenancy import require_permission
from monitoring.models import ReportComment
from monitoring.readout.reports import agreement_report, last_month_label, parse_period, report_csv


def _agreement_and_period(request, code):
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    label = request.GET.get("period") or request.POST.get("period") or last_month_label()
    try:
        return agreement, parse_period(label)
    except ValueError as error:
        raise Http404(str(error)) from None


@login_required
def report(request, code):
    agreement, period = _agreement_and_period(request, code)
    data = agreement_report(agreement, period)
    return render(
        request,
        "monitoring/report.html",
        {
            "agreement": agreement,
            "period": period,
            "report": data,
            "can_comment": request.user.has_perm("monitoring.add_reportcomment"),
            "csv_url": reverse("monitoring:report_csv", kwargs={"code": code}) + f"?period={period.label}",
        },
    )


@login_required
def report_csv_view(request, code):
    agreement, period = _agreement_and_period(request, code)
    response = HttpResponse(
        report_csv(agreement, period, agreement_report(agreement, period)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{agreement.code}-{period.label}.csv"'
    return response


@login_required
@require_POST
def report_comment(request, code):
    """Save (or, when emptied, remove) the service manager's comment on the report."""
    agreement, period = _agreement_and_period(request, code)
    require_permission(request.user, "monitoring.add_reportcomment")
    text = request.POST.get("text", "").strip()
    if text:
        ReportComment.objects.update_or_create(
            agreement=agreement, period_label=period.label, defaults={"text": text[:5000], "author": request.user}
        )
        messages.success(request, _("The comment is saved."))
    else:
        ReportComment.objects.filter(agreement=agreement, period_label=period.label).delete()
        messages.info(request, _("The comment is removed."))
    return redirect(reverse("monitoring:report", kwargs={"code": code}) + f"?period={period.label}")
