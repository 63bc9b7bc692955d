"""Service reports delivered: at the start of each month, every active agreement's report of the month just closed,
as a PDF in the customer's language, e-mailed to the agreement's report recipients — once per agreement and month,
retried on failure, each delivery recorded (what went to whom and when).

``queue_monthly_reports(now)`` makes the month's deliveries (a unique row per agreement and month: running it twice
queues nothing twice); ``send_delivery(pk)`` renders and sends one, claimed the way notifications are
(``notify.claim_and_send``); ``run(now)`` does both and is what the beat task calls every hour.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from monitoring import windows
from monitoring.choices import DeliveryKind, NotificationStatus
from monitoring.models import ReportDelivery
from monitoring.notify import claim_and_send
from monitoring.readout.report_pdf import report_pdf
from monitoring.readout.reports import parse_period


def month_to_deliver(now):
    """The label of the month whose reports are due at ``now`` (the month before, in the portal's zone), once that
    month is closed for good in every time zone a target may keep (its end plus SLM_CLOSE_GRACE_MINUTES, when late
    data can no longer change it) and an evaluation has run since; None before."""
    label = windows.last_month_label(now, settings.TIME_ZONE)
    closed = windows.month_in_any_zone(label)[1] + dt.timedelta(minutes=settings.SLM_CLOSE_GRACE_MINUTES)
    return label if now >= closed + settings.SLM_EVALUATION_INTERVAL else None


def queue_monthly_reports(now=None):
    """Queue the monthly delivery of every agreement active and in force in the month just closed; returns how many
    were queued now (those queued before are left as they are)."""
    now = now or timezone.now()
    label = month_to_deliver(now)
    if label is None:
        return 0
    first, last = windows.month_in_any_zone(label)
    agreements = (
        Agreement.objects.filter(status=AgreementStatus.ACTIVE, valid_from__lt=last.date())
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first.date()))
        .exclude(report_deliveries__kind=DeliveryKind.MONTHLY, report_deliveries__period_label=label)
        .select_related("customer")
    )
    rows = [delivery_of(agreement, label, DeliveryKind.MONTHLY) for agreement in agreements]
    return len(ReportDelivery.objects.bulk_create(rows, ignore_conflicts=True))


def delivery_of(agreement, label, kind, requested_by=None):
    """A delivery of the agreement's report to its recipients, in its customer's language. With nobody to send to
    it is recorded as failed, so that the report page says so."""
    recipients = agreement.report_addresses
    return ReportDelivery(
        agreement=agreement,
        period_label=label,
        kind=kind,
        recipients=recipients,
        language=agreement.customer.language,
        requested_by=requested_by,
        status=NotificationStatus.PENDING if recipients else NotificationStatus.FAILED,
        error="" if recipients else "No report recipients and no contact e-mail of the customer.",
    )


def message(delivery, pdf):
    """The e-mail of a delivery, in its language, with the PDF attached."""
    agreement = delivery.agreement
    with translation.override(delivery.language):
        subject = _("Service level report %(period)s: %(agreement)s") % {
            "period": delivery.period_label,
            "agreement": agreement.title,
        }
        body = _(
            "Attached is the service level report of %(period)s for %(customer)s, agreement %(agreement)s "
            "(%(code)s): the attainment of each target, breaches, service credits, maintenance and exclusions, "
            "and outages.\n\nThe same report is in the portal: %(url)s"
        ) % {
            "period": delivery.period_label,
            "customer": agreement.customer.name,
            "agreement": agreement.title,
            "code": agreement.code,
            "url": f"{settings.SLM_PORTAL_URL.rstrip('/')}{agreement.get_absolute_url()}report/"
            f"?period={delivery.period_label}",
        }
    mail = EmailMessage(subject, body, to=delivery.recipients)
    mail.attach(f"{agreement.code}-{delivery.period_label}.pdf", pdf, "application/pdf")
    return mail


def _deliver(delivery):
    pdf = report_pdf(delivery.agreement, parse_period(delivery.period_label), delivery.language)
    message(delivery, pdf).send(fail_silently=False)
    ReportDelivery.objects.filter(pk=delivery.pk).update(pdf_bytes=len(pdf), pdf_sha256=hashlib.sha256(pdf).hexdigest())


def send_delivery(pk):
    """Render and send one pending delivery; True if this call sent it."""
    return claim_and_send(ReportDelivery.objects.select_related("agreement__customer"), pk, _deliver)


def send_pending():
    ids = ReportDelivery.objects.filter(status=NotificationStatus.PENDING).order_by("pk").values_list("pk", flat=True)
    return sum(1 for pk in list(ids) if send_delivery(pk))


def run(now=None):
    """Queue the month's reports when they are due, then send every pending delivery; returns (queued, sent)."""
    return queue_monthly_reports(now), send_pending()
