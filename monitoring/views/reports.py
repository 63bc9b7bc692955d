"""SLA reports per agreement and period: a printable page, its PDF and CSV, the service manager's comment, and the
reports e-mailed (sent again, and the next one previewed, by managers)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.models import Agreement
from core.tenancy import require_permission
from monitoring.choices import DeliveryKind
from monitoring.forms import ReportPeriodForm
from monitoring.models import ReportComment, ReportDelivery
from monitoring.readout.report_pdf import report_pdf
from monitoring.readout.reports import agreement_report, parse_period, report_csv, this_month_label
from monitoring.report_delivery import delivery_of
from monitoring.tasks import send_report_delivery


def _agreement_and_period(request, code):
    """The agreement (through ``.for_user()``) and the period form, bound to what was asked (default: last month)."""
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    data = request.POST if request.method == "POST" else request.GET
    return agreement, ReportPeriodForm({"period": data.get("period", "").strip()}, agreement=agreement)


@login_required
def report(request, code):
    """The report of a period; a period that is not one (or not one of this agreement) shows the page with the
    period field's error and no figures (400), so that it can be corrected."""
    agreement, form = _agreement_and_period(request, code)
    context = {"agreement": agreement, "period_form": form}
    if not form.is_valid():
        return render(request, "monitoring/report.html", context, status=400)
    period = form.cleaned_data["period"]
    context.update(
        {
            "period": period,
            "report": agreement_report(agreement, period, request.user, lazy=True),
            "can_comment": request.user.has_perm("monitoring.add_reportcomment"),
            "csv_url": reverse("monitoring:report_csv", kwargs={"code": code}) + f"?period={period.label}",
            "pdf_url": reverse("monitoring:report_pdf", kwargs={"code": code}) + f"?period={period.label}",
            "portal_zone": settings.TIME_ZONE,
            "deliveries": ReportDelivery.objects.for_user(request.user)
            .filter(agreement=agreement)
            .select_related("requested_by")[:24],
            "can_resend": request.user.has_perm("monitoring.add_reportdelivery"),
            "next_period": this_month_label(),
        }
    )
    return render(request, "monitoring/report.html", context)


def _pdf_response(agreement, period, language, user, disposition):
    pdf = report_pdf(agreement, period, language, user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{agreement.code}-{period.label}.pdf"'
    return response


@login_required
def report_pdf_view(request, code):
    """The report of a period as the PDF the customer receives, in the reader's language."""
    agreement, form = _agreement_and_period(request, code)
    if not form.is_valid():
        return form.refused()
    period = form.cleaned_data["period"]
    return _pdf_response(agreement, period, translation.get_language(), request.user, "attachment")


@login_required
def report_preview(request, code):
    """Managers: the next monthly report (this month so far) as it would go out, in the customer's language."""
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    require_permission(request.user, "monitoring.add_reportdelivery")
    period = parse_period(this_month_label())
    return _pdf_response(agreement, period, agreement.customer.language, request.user, "inline")


@login_required
@require_POST
def report_resend(request, code):
    """Managers: e-mail the report of a period again to the agreement's recipients (sent by a worker)."""
    agreement, form = _agreement_and_period(request, code)
    require_permission(request.user, "monitoring.add_reportdelivery")
    if not form.is_valid():
        return form.refused()
    period = form.cleaned_data["period"]
    delivery = delivery_of(agreement, period.label, DeliveryKind.RESEND, requested_by=request.user)
    if not delivery.recipients:
        messages.error(request, _("The agreement has no report recipients and its customer no contact e-mail."))
    else:
        delivery.save()
        transaction.on_commit(lambda: send_report_delivery.delay(delivery.pk))
        messages.success(
            request, _("The report is on its way to %(recipients)s.") % {"recipients": ", ".join(delivery.recipients)}
        )
    return redirect(reverse("monitoring:report", kwargs={"code": code}) + f"?period={period.label}#report-deliveries")


@login_required
def report_csv_view(request, code):
    agreement, form = _agreement_and_period(request, code)
    if not form.is_valid():
        return form.refused()
    period = form.cleaned_data["period"]
    response = HttpResponse(
        report_csv(agreement, period, agreement_report(agreement, period, request.user)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{agreement.code}-{period.label}.csv"'
    return response


@login_required
@require_POST
def report_comment(request, code):
    """Save (or, when emptied, remove) the service manager's comment on the report."""
    agreement, form = _agreement_and_period(request, code)
    require_permission(request.user, "monitoring.add_reportcomment")
    if not form.is_valid():
        return form.refused()
    period = form.cleaned_data["period"]
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
