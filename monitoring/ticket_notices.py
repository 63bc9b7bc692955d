"""Ticket notices: telling an agreement's contacts that a ticket's clock has reached a warning point, or breached.

What. A running (or paused) clock that has reached one of its warning points (50 % and 75 % of the goal unless the
indicator sets others), and a clock that has breached its goal (open or resolved late). Each is one ``TicketNotice``,
unique per (clock, event, point): told at most once, so a reopened ticket that breaches again, or a warning point
reached again after a priority change, is not told again. A point reached more than LATE before it is first seen
(beat was down, or the tickets were loaded afterwards) is not told late.

Who. The contacts of the active agreements of the ticket's customer whose targets measure the ticket indicator: the
customer's contact e-mail, the agreement owner's e-mail, and the notification channels alerts use (of one of those
agreements, of the service, or of everything). A channel that takes pages only hears of breaches. Nobody of another
customer hears of the ticket: only that customer's agreements are read.

When. Only inside the working hours of the ticket indicator's calendar (around the clock without one): a notice
queued at 21:00 waits until the next working instant (``agreements.calendars.next_working_time``), and a delivery
whose worker comes after hours waits too. ``run`` is what Celery beat calls every minute: it settles the clocks
whose goal has run out, queues what is due, drops deliveries whose news no longer holds (a warning of a clock that
has stopped, a breach that a late event took back), and sends.

Guarantees. A notice row is created by one run only (the unique constraint refuses a second); that run adds one
delivery per recipient. Deliveries go out through ``monitoring.notify.claim_and_send``, as alert notifications and
maintenance notices do: claimed with a conditional UPDATE, never sent twice, a failure tried again by the next runs
(three attempts in all).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.calendars import is_working_time, next_working_time
from agreements.choices import AgreementStatus
from core.formatting import duration_text, plain_number
from monitoring import notify
from monitoring.choices import ChannelKind, ClockStatus, NotificationStatus, Severity, TicketMetric, TicketNoticeEvent
from monitoring.models import NotificationChannel, TargetIndicator, TicketClock, TicketNotice, TicketNoticeDelivery
from monitoring.tickets.book import ALWAYS
from monitoring.tickets.store import settle_due_clocks

LATE = dt.timedelta(days=1)  # a point reached longer ago than this when first seen is not told
BREACH_POINT = Decimal(100)
IN_FLIGHT = [ClockStatus.RUNNING, ClockStatus.PAUSED]
# What a delivery may still tell: a warning while its clock runs or is paused, a breach while the clock is breached.
HOLDS = Q(notice__event=TicketNoticeEvent.WARNING, notice__clock__state__in=IN_FLIGHT) | Q(
    notice__event=TicketNoticeEvent.BREACH, notice__clock__state=ClockStatus.BREACHED
)
CLOCK_RELATED = [
    "ticket__customer",
    "ticket__service",
    "indicator__business_hours",
]


def calendar_of(indicator):
    return indicator.business_hours.as_working_calendar() if indicator.business_hours_id else ALWAYS


# --- what is due ---------------------------------------------------------------------------------------------------


def due_points(now):
    """[(clock, event, point, reached_at)] reached by ``now``, not longer than LATE ago, and not queued yet."""
    since = now - LATE
    warned = TicketClock.objects.filter(state__in=IN_FLIGHT, warning_at__lte=now)
    breached = TicketClock.objects.filter(state=ClockStatus.BREACHED, breached_at__lte=now, breached_at__gt=since)
    clocks = list(
        (warned | breached)
        .select_related(*CLOCK_RELATED)
        .prefetch_related("indicator__business_hours__working_periods", "indicator__business_hours__holidays")
        .order_by("pk")
    )
    told = set(TicketNotice.objects.filter(clock__in=clocks).values_list("clock_id", "event", "point"))
    due = []
    for clock in clocks:
        points = []
        if clock.state in IN_FLIGHT:
            for warning in clock.warnings:
                reached = warning["at"] and dt.datetime.fromisoformat(warning["at"])
                if reached and since < reached <= now:
                    points.append((TicketNoticeEvent.WARNING, Decimal(warning["percent"]), reached))
        elif clock.state == ClockStatus.BREACHED:
            points.append((TicketNoticeEvent.BREACH, BREACH_POINT, clock.breached_at))
        for event, point, reached in points:
            if (clock.pk, event, point.quantize(Decimal("0.01"))) not in told:
                due.append((clock, event, point, reached))
    return due


@dataclass
class Recipients:
    """The e-mail addresses ({lower-case address: customer or None}) and webhook channels ([(channel, customer or
    None)]) that hear of one clock's notice."""

    addresses: dict = field(default_factory=dict)
    channels: list = field(default_factory=list)

    def add_address(self, address, customer):
        address = (address or "").strip().lower()
        if address and address not in self.addresses:
            self.addresses[address] = customer


def recipients_of(clock, event, agreements, channels):
    """Who hears of ``event`` of ``clock``: the contacts of ``agreements`` (the active agreements measuring its
    indicator) that are the ticket's customer's, and their channels (see the module docstring)."""
    recipients = Recipients()
    customer = clock.ticket.customer
    mine = [agreement for agreement in agreements if agreement.customer_id == customer.pk]
    if not mine:
        return recipients
    recipients.add_address(customer.contact_email, customer)
    for agreement in mine:
        if agreement.owner is not None and agreement.owner.is_active:
            recipients.add_address(agreement.owner.email, None)
    severity = Severity.PAGE if event == TicketNoticeEvent.BREACH else Severity.TICKET
    codes = {agreement.pk for agreement in mine}
    for channel in channels:
        if not channel.accepts(severity):
            continue
        if channel.agreement_id in codes:
            whose = customer
        elif channel.service_id == clock.ticket.service_id or (channel.agreement_id, channel.service_id) == (
            None,
            None,
        ):
            whose = None
        else:
            continue
        if channel.kind == ChannelKind.EMAIL:
            recipients.add_address(channel.address, whose)
        else:
            recipients.channels.append((channel, whose))
    return recipients


def agreements_measuring(indicator_ids):
    """{indicator id: [active agreements with a target measuring it]}, in one query."""
    found = {}
    links = (
        TargetIndicator.objects.filter(indicator_id__in=indicator_ids, target__agreement__status=AgreementStatus.ACTIVE)
        .select_related("target__agreement__customer", "target__agreement__owner")
        .order_by("target__agreement__code")
    )
    for link in links:
        agreements = found.setdefault(link.indicator_id, [])
        if all(agreement.pk != link.target.agreement_id for agreement in agreements):
            agreements.append(link.target.agreement)
    return found


def queue_due(now=None):
    """Queue the notices due at ``now`` and their deliveries; returns how many notices were queued. The clocks whose
    goal has run out are settled first, so that a clock left open is seen breached, not still running. A clock of an
    indicator no active agreement of its customer measures has nobody to tell: nothing is queued for it."""
    now = now or timezone.now()
    settle_due_clocks(now)
    due = due_points(now)
    if not due:
        return 0
    agreements = agreements_measuring({clock.indicator_id for clock, *_rest in due})
    channels = list(NotificationChannel.objects.filter(is_active=True).order_by("pk"))
    queued = 0
    for clock, event, point, reached in due:
        measuring = agreements.get(clock.indicator_id, [])
        if not any(agreement.customer_id == clock.ticket.customer_id for agreement in measuring):
            continue
        try:
            with transaction.atomic():
                notice = TicketNotice.objects.create(
                    clock=clock,
                    event=event,
                    point=point,
                    reached_at=reached,
                    priority=clock.priority,
                    goal=clock.goal,
                    due_at=clock.due_at,
                    send_after=next_working_time(calendar_of(clock.indicator), now),
                )
        except IntegrityError:
            continue  # queued by another run meanwhile: that run adds its deliveries
        told = recipients_of(clock, event, measuring, channels)
        rows = [
            TicketNoticeDelivery(notice=notice, kind=ChannelKind.EMAIL, address=address, customer=customer)
            for address, customer in told.addresses.items()
        ]
        rows += [
            TicketNoticeDelivery(notice=notice, kind=channel.kind, channel=channel, customer=customer)
            for channel, customer in told.channels
        ]
        TicketNoticeDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        queued += 1
    return queued


def drop_moot():
    """Pending deliveries whose news no longer holds are not sent: a warning of a clock that has stopped (or was
    cancelled), a breach that a late event took back. Returns how many."""
    deleted, _by_model = TicketNoticeDelivery.objects.filter(status=NotificationStatus.PENDING).exclude(HOLDS).delete()
    return deleted


# --- sending -------------------------------------------------------------------------------------------------------


def send_pending(now=None):
    """Send the pending deliveries whose notice may go out now (from its ``send_after``, inside its calendar's working
    hours); returns how many this call sent."""
    now = now or timezone.now()
    pending = (
        TicketNoticeDelivery.objects.filter(status=NotificationStatus.PENDING, notice__send_after__lte=now)
        .select_related("notice__clock__indicator__business_hours")
        .prefetch_related(
            "notice__clock__indicator__business_hours__working_periods",
            "notice__clock__indicator__business_hours__holidays",
        )
        .order_by("pk")
    )
    ids, calendars = [], {}
    for delivery in pending:
        indicator = delivery.notice.clock.indicator
        if indicator.pk not in calendars:
            calendars[indicator.pk] = is_working_time(calendar_of(indicator), now)
        if calendars[indicator.pk]:  # a worker that comes after hours waits for the next working instant
            ids.append(delivery.pk)
    rows = TicketNoticeDelivery.objects.select_related(
        "channel",
        "notice__clock__ticket__customer",
        "notice__clock__ticket__service",
        "notice__clock__indicator__business_hours",
    )
    return sum(1 for pk in ids if notify.claim_and_send(rows, pk, deliver, claimable=HOLDS))


def run(now=None):
    """What beat runs every minute: queue what is due (the clocks whose goal has run out settled first), drop what
    no longer holds, send. Returns the counts."""
    now = now or timezone.now()
    queued = queue_due(now)
    dropped = drop_moot()
    sent = send_pending(now)
    return {"queued": queued, "dropped": dropped, "sent": sent}


def deliver(delivery):
    subject, text, data = message(delivery)
    address = delivery.address if delivery.kind == ChannelKind.EMAIL else delivery.channel.address
    notify.send_message(delivery.kind, address, subject, text, data)


# --- what it says --------------------------------------------------------------------------------------------------


def message(delivery):
    """(subject, e-mail text, webhook payload) of a delivery, in the portal's language, times in the ticket
    indicator's calendar's zone (the portal's without one); the figures are the notice's, as when it was queued."""
    notice = delivery.notice
    clock = notice.clock
    ticket, indicator = clock.ticket, clock.indicator
    zone = indicator.business_hours.time_zone if indicator.business_hours_id else settings.TIME_ZONE
    agreements = agreements_measuring([indicator.pk]).get(indicator.pk, [])
    mine = [agreement for agreement in agreements if agreement.customer_id == ticket.customer_id]
    url = settings.SLM_PORTAL_URL.rstrip("/") + (mine[0].get_absolute_url() if mine else "/")
    used = dt.timedelta(microseconds=int(Decimal(notice.goal // dt.timedelta(microseconds=1)) * notice.point / 100))
    with translation.override(settings.LANGUAGE_CODE), timezone.override(zone):
        names = {
            "ticket": ticket.external_id,
            "priority": notice.priority,
            "metric": TicketMetric(indicator.ticket_metric).label,
            "percent": plain_number(notice.point),
        }
        if notice.event == TicketNoticeEvent.BREACH:
            headline = _("Ticket %(ticket)s (%(priority)s), %(metric)s: the goal is breached") % names
        else:
            headline = _("Ticket %(ticket)s (%(priority)s), %(metric)s: %(percent)s %% of the goal used") % names
        context = {
            "event": notice.event,
            "headline": headline,
            "portal": settings.SLM_PORTAL_NAME,
            "ticket": ticket,
            "metric": names["metric"],
            "goal": duration_text(notice.goal),
            "used": duration_text(used),
            "percent": names["percent"],
            "reached_at": notice.reached_at,
            "due_at": notice.due_at,
            "calendar": indicator.business_hours.name if indicator.business_hours_id else "",
            "zone": zone,
            "agreements": ", ".join(agreement.title for agreement in mine),
            "url": url,
        }
        text = render_to_string("monitoring/email/ticket_notice.txt", context)
        subject = f"{settings.SLM_PORTAL_NAME}: {headline}"
        line = f"{headline}. {url}"
    data = {
        "type": "ticket",
        "event": notice.event,
        "portal": settings.SLM_PORTAL_NAME,
        "url": url,
        "text": line,
        "customer": ticket.customer.name,
        "agreements": [agreement.code for agreement in mine],
        "ticket": {
            "id": ticket.external_id,
            "title": ticket.title,
            "service": ticket.service.code,
            "priority": notice.priority,
        },
        "clock": {
            "metric": indicator.ticket_metric,
            "indicator": indicator.code,
            "goal_minutes": plain_number(Decimal(notice.goal.total_seconds()) / 60),
            "point_percent": plain_number(notice.point),
            "reached_at": iso(notice.reached_at),
            "due_at": iso(notice.due_at),
        },
    }
    return subject, text if delivery.kind == ChannelKind.EMAIL else line, data


def iso(instant):
    return None if instant is None else instant.astimezone(dt.UTC).isoformat()
