"""Maintenance notices: telling the customers of a service about its planned maintenance.

Who. A window that customers see (``customer_visible``), of a service that an active agreement covers, is told to
those agreements' customers: each customer's contact e-mail and its members' addresses, and the notification
channels alerts use (of one of those agreements, of the service, or of everything). An e-mail channel is one more
address; each address gets one message, however many ways it is named. A webhook or Slack-compatible channel is one
recipient. A service no active agreement covers tells no one; a window customers do not see is never told.

When (``queue_due(now)``: Celery beat every few minutes, and at once when a window is approved):

* ``approved``: once, when the window is approved, while it still has an occurrence to come or running;
* ``reminder``: SLM_MAINTENANCE_REMINDER_DAYS (3) days before each occurrence starts, unless the window was approved
  within those days (the approval notice has just told them);
* ``ended``: when each occurrence ends (an occurrence that ended before the approval is not told);
* ``cancelled``: once, when a window whose approval was sent is cancelled before its occurrences are over.

An occurrence that ended more than a day before it was first seen (beat was down, or the portal was installed
afterwards) is not announced late, and a reminder comes only before its occurrence starts. The same run marks
approved windows whose last occurrence has ended as completed.

Guarantees. Each notice is one ``MaintenanceNotice`` row, unique per (window, occurrence start, event, recipient),
inserted with ON CONFLICT DO NOTHING: a run repeated, or two runs at once, queue each notice once. Rows are sent by
``monitoring.notify.claim_and_send``, as alert notifications are: claimed with a conditional UPDATE (which also checks
that the window is still shown to customers and not cancelled), so a notice is never sent twice; a failure is tried
again by the next runs, three attempts in all. Pending notices of a window since hidden or cancelled are dropped.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.choices import MaintenanceStatus, Recurrence
from agreements.models import Agreement, MaintenanceWindow, Membership
from agreements.upcoming import span_text
from core.workflow import TransitionNotAllowed
from monitoring import notify
from monitoring.choices import ChannelKind, MaintenanceEvent, NotificationStatus
from monitoring.models import MaintenanceNotice, NotificationChannel

LATE = dt.timedelta(days=1)  # an occurrence that ended longer ago than this when first seen is not announced
UPCOMING_SHOWN = 5  # occurrences listed in an approval notice of a repeating window
TOLD = [MaintenanceStatus.APPROVED, MaintenanceStatus.COMPLETED]
# Which notices may still go out: of a window customers see, while it is announced; the cancellation of one.
SENDABLE = Q(window__customer_visible=True) & (
    Q(window__status__in=TOLD) | Q(event=MaintenanceEvent.CANCELLED, window__status=MaintenanceStatus.CANCELLED)
)


def reminder_lead():
    return dt.timedelta(days=settings.SLM_MAINTENANCE_REMINDER_DAYS)


# --- who is told ---------------------------------------------------------------------------------------------------


@dataclass
class Recipients:
    """The e-mail addresses ({lower-case address: customer or None}) and webhook channels ([(channel, customer or
    None)]) that hear about a service's maintenance."""

    addresses: dict = field(default_factory=dict)
    channels: list = field(default_factory=list)

    def add_address(self, address, customer):
        address = (address or "").strip().lower()
        if address and address not in self.addresses:
            self.addresses[address] = customer

    def __bool__(self):
        return bool(self.addresses or self.channels)


def recipients_of(service):
    """Who hears about the maintenance of ``service``: nobody when no active agreement covers it."""
    recipients = Recipients()
    agreements = list(Agreement.objects.active().filter(services=service).select_related("customer").order_by("code"))
    if not agreements:
        return recipients
    customers = {agreement.customer_id: agreement.customer for agreement in agreements}
    for customer in customers.values():
        recipients.add_address(customer.contact_email, customer)
    members = (
        Membership.objects.filter(customer_id__in=customers, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("customer_id", "user__email")
    )
    for membership in members:
        recipients.add_address(membership.user.email, customers[membership.customer_id])
    by_agreement = {agreement.pk: agreement.customer for agreement in agreements}
    channels = NotificationChannel.objects.filter(is_active=True).filter(
        Q(agreement__in=agreements) | Q(service=service) | Q(agreement__isnull=True, service__isnull=True)
    )
    for channel in channels.order_by("pk"):
        customer = by_agreement.get(channel.agreement_id)
        if channel.kind == ChannelKind.EMAIL:
            recipients.add_address(channel.address, customer)
        else:
            recipients.channels.append((channel, customer))
    return recipients


# --- what is due ---------------------------------------------------------------------------------------------------


def candidate_windows(now):
    """Approved and completed windows that customers see and that may have an occurrence ending after now - LATE."""
    repeats_on = ~Q(recurrence=Recurrence.NONE) & Q(repeat_until__gte=(now - LATE - dt.timedelta(days=1)).date())
    return (
        MaintenanceWindow.objects.filter(
            status__in=[*TOLD, MaintenanceStatus.CANCELLED], customer_visible=True, approved_at__isnull=False
        )
        .filter(Q(ends_at__gt=now - LATE) | repeats_on)
        .select_related("service", "calendar")
        .order_by("pk")
    )


def due_events(window, now, lead):
    """[(event, occurrence start, occurrence end)] of ``window`` due at ``now``."""
    events = []
    occurrences = window.schedule.occurrences(since=now - LATE)
    if window.status == MaintenanceStatus.CANCELLED:
        # Told only to those who heard of it: an approval notice went out, and an occurrence was still to come.
        told = window.notices.filter(event=MaintenanceEvent.APPROVED, status=NotificationStatus.SENT).exists()
        if told and any(end > now for _start, end in occurrences):
            return [(MaintenanceEvent.CANCELLED, window.starts_at, window.ends_at)]
        return []
    if window.status == MaintenanceStatus.APPROVED and any(end > now for _start, end in occurrences):
        events.append((MaintenanceEvent.APPROVED, window.starts_at, window.ends_at))
    for start, end in occurrences:
        if end <= now:
            if end > window.approved_at:
                events.append((MaintenanceEvent.ENDED, start, end))
        elif lead and now < start <= now + lead and window.approved_at < start - lead:
            events.append((MaintenanceEvent.REMINDER, start, end))
    return events


def queue_due(now=None):
    """Queue the notices due at ``now``; returns how many new ones were queued."""
    now = now or timezone.now()
    drop_undeliverable()
    lead = reminder_lead()
    recipients = {}
    rows = []
    for window in candidate_windows(now):
        events = due_events(window, now, lead)
        if not events:
            continue
        if window.service_id not in recipients:
            recipients[window.service_id] = recipients_of(window.service)
        told = recipients[window.service_id]
        for event, start, end in events:
            common = {
                "window": window,
                "announced_at": window.approved_at,
                "occurrence_start": start,
                "occurrence_end": end,
                "event": event,
            }
            rows += [
                MaintenanceNotice(kind=ChannelKind.EMAIL, address=address, customer=customer, **common)
                for address, customer in told.addresses.items()
            ]
            rows += [
                MaintenanceNotice(kind=channel.kind, channel=channel, customer=customer, **common)
                for channel, customer in told.channels
            ]
    if not rows:
        return 0
    before = MaintenanceNotice.objects.count()
    MaintenanceNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return MaintenanceNotice.objects.count() - before


def drop_undeliverable():
    """Pending notices of a window hidden from customers or cancelled since they were queued are not sent."""
    MaintenanceNotice.objects.filter(status=NotificationStatus.PENDING).exclude(SENDABLE).delete()


def complete_finished(now=None):
    """Mark approved windows whose last occurrence has ended as completed; returns how many."""
    now = now or timezone.now()
    candidates = MaintenanceWindow.objects.filter(status=MaintenanceStatus.APPROVED).filter(
        Q(recurrence=Recurrence.NONE, ends_at__lte=now)
        | ~Q(recurrence=Recurrence.NONE) & Q(repeat_until__lte=(now + LATE).date())
    )
    completed = 0
    for window in candidates.select_related("calendar"):
        if window.last_end > now:
            continue
        try:
            window.transition_to(MaintenanceStatus.COMPLETED, now=now)
        except TransitionNotAllowed:
            continue  # cancelled or completed by someone else meanwhile
        completed += 1
    return completed


# --- sending -------------------------------------------------------------------------------------------------------


def send_pending_notices(now=None):
    """Send every pending notice; returns how many this call sent. ``now``: the instant the messages are written at
    (an approval notice lists the occurrences still to come)."""
    now = now or timezone.now()
    ids = list(
        MaintenanceNotice.objects.filter(status=NotificationStatus.PENDING).order_by("pk").values_list("pk", flat=True)
    )
    rows = MaintenanceNotice.objects.select_related("window__service", "window__calendar", "channel")
    claimable = SENDABLE
    return sum(
        1 for pk in ids if notify.claim_and_send(rows, pk, lambda notice: deliver_notice(notice, now), claimable)
    )


def run(now=None):
    """What beat runs: queue what is due, complete finished windows, send. Returns the three counts."""
    now = now or timezone.now()
    queued = queue_due(now)
    completed = complete_finished(now)
    sent = send_pending_notices(now)
    return {"queued": queued, "completed": completed, "sent": sent}


def deliver_notice(notice, now=None):
    subject, text, data = message(notice, now)
    address = notice.address if notice.kind == ChannelKind.EMAIL else notice.channel.address
    notify.send_message(notice.kind, address, subject, text, data)


# --- what it says --------------------------------------------------------------------------------------------------


def message(notice, now=None):
    """(subject, e-mail text, webhook payload) of a notice, in the portal's language and time zone (and the
    window's own zone too, when it keeps another)."""
    now = now or timezone.now()
    window = notice.window
    service = window.service
    url = settings.SLM_PORTAL_URL.rstrip("/") + window.get_absolute_url()
    if notice.event in (MaintenanceEvent.APPROVED, MaintenanceEvent.CANCELLED):
        shown = window.schedule.occurrences(since=now)[:UPCOMING_SHOWN] or [(window.starts_at, window.ends_at)]
    else:
        shown = [(notice.occurrence_start, notice.occurrence_end)]
    days = settings.SLM_MAINTENANCE_REMINDER_DAYS
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        names = {"service": service.name, "title": window.title, "days": days}
        if notice.event == MaintenanceEvent.APPROVED:
            headline = _("Planned maintenance of %(service)s: %(title)s") % names
        elif notice.event == MaintenanceEvent.REMINDER:
            headline = (
                ngettext(
                    "Maintenance of %(service)s starts in %(days)s day: %(title)s",
                    "Maintenance of %(service)s starts in %(days)s days: %(title)s",
                    days,
                )
                % names
            )
        elif notice.event == MaintenanceEvent.CANCELLED:
            headline = _("Maintenance of %(service)s is cancelled: %(title)s") % names
        else:
            headline = _("Maintenance of %(service)s has ended: %(title)s") % names
        when = [span_text(start, end) for start, end in shown]
        later = [start for start, end in window.schedule.occurrences(since=notice.occurrence_end) if start > now]
        local_zone = window.time_zone if window.time_zone != settings.TIME_ZONE else None
        context = {
            "event": notice.event,
            "headline": headline,
            "portal": settings.SLM_PORTAL_NAME,
            "service": service.name,
            "title": window.title,
            "description": window.description,
            "when": when,
            "local_when": [span_text(start, end, local_zone) for start, end in shown] if local_zone else [],
            "local_zone": local_zone,
            "repeats": window.recurrence != Recurrence.NONE,
            "recurrence": window.get_recurrence_display(),
            "repeat_until": window.repeat_until,
            "url": url,
            "next_span": span_text(later[0], later[0] + window.schedule.length) if later else "",
        }
        text = render_to_string("monitoring/email/maintenance_notice.txt", context)
        subject = f"{settings.SLM_PORTAL_NAME}: {headline}"
        line = f"{headline} ({when[0]}). {url}"
    data = {
        "type": "maintenance",
        "event": notice.event,
        "portal": settings.SLM_PORTAL_NAME,
        "url": url,
        "text": line,
        "service": {"code": service.code, "name": service.name},
        "window": {
            "id": window.pk,
            "title": window.title,
            "description": window.description,
            "status": window.status,
            "recurrence": window.recurrence,
            "repeat_until": window.repeat_until.isoformat() if window.repeat_until else None,
            "time_zone": window.time_zone,
        },
        "occurrence": {"start": iso(notice.occurrence_start), "end": iso(notice.occurrence_end)},
        "occurrences": [{"start": iso(start), "end": iso(end)} for start, end in shown],
    }
    return subject, text if notice.kind == ChannelKind.EMAIL else line, data


def iso(instant):
    return instant.astimezone(dt.UTC).isoformat()
