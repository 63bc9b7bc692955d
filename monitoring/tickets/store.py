"""Ticket clocks kept in the database, and the measurements a ticket indicator is made of.

``rebuild_clocks(ticket_ids, now)`` replays each ticket's whole log (``clock.ticket_clock``) for every ticket
indicator of its customer and service, stores the clocks, and keeps the indicators' measurements equal to their
clocks' outcomes: at each instant an outcome was counted, ``good`` = clocks counted good then and ``total`` = clocks
counted then. A clock's outcome can move (a reopened ticket's resolution clock runs again; a late event changes the
past), so the instants an outcome left or reached are recomputed from the clocks, never added to blindly. The hour
rollups follow by the difference, as ingestion's do, so evaluation reads a ticket indicator like any other.

``settle_due_clocks(now)`` rebuilds the running clocks whose goal has run out by ``now``: a ticket left open past
its goal is counted bad at the instant it breached, without waiting for another event.
"""

import logging
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Count, Q

from agreements.calendars import WorkingCalendar
from monitoring.intake.rollups import apply_minute_deltas, lock_indicator, minute_number
from monitoring.kinds import TICKET
from monitoring.models import Indicator, Measurement, Ticket, TicketClock
from monitoring.tickets.clock import DEFAULT_WARNING_POINTS, ClockState, TicketEvent, ticket_clock

logger = logging.getLogger(__name__)

CLOCK_FIELDS = [
    "state",
    "priority",
    "goal",
    "started_at",
    "stopped_at",
    "running_time",
    "wall_time",
    "due_at",
    "breached_at",
    "warning_at",
    "percent_elapsed",
    "pauses",
    "warnings",
    "evaluated_at",
    "counted_at",
    "good",
]
MAX_PERCENT = Decimal("9999999.99")
CHUNK = 2000


class TicketIndicators:
    """The ticket indicators of each (customer, service), with their goal versions and calendars, read once."""

    def __init__(self, pairs=None):
        indicators = Indicator.objects.filter(kind=TICKET.value).select_related("business_hours")
        if pairs is not None:
            customers = {customer for customer, _service in pairs}
            services = {service for _customer, service in pairs}
            indicators = indicators.filter(customer_id__in=customers, service_id__in=services)
        indicators = indicators.prefetch_related(
            "ticket_goals", "business_hours__working_periods", "business_hours__holidays"
        )
        self.by_pair = defaultdict(list)
        self.calendars = {}
        for indicator in indicators:
            self.by_pair[(indicator.customer_id, indicator.service_id)].append(indicator)
            self.calendars[indicator.pk] = (
                indicator.business_hours.as_working_calendar() if indicator.business_hours_id else ALWAYS
            )

    def of(self, ticket):
        return self.by_pair.get((ticket.customer_id, ticket.service_id), [])


ALWAYS = WorkingCalendar.always("UTC")


def goals_at(indicator, start):
    """{priority: goal} in force for a clock started at ``start``: per priority the latest version effective by then
    (a goal edited later applies to clocks started afterwards); a priority whose first version came later takes that
    first version, so tickets loaded from before an indicator existed still get a clock."""
    versions = defaultdict(list)
    for goal in indicator.ticket_goals.all():
        versions[goal.priority].append(goal)
    chosen = {}
    for priority, rows in versions.items():
        rows.sort(key=lambda goal: goal.effective_from)
        effective = [goal for goal in rows if goal.effective_from <= start]
        chosen[priority] = (effective[-1] if effective else rows[0]).goal
    return chosen


def warning_points(indicator):
    return [Fraction(str(point)) for point in indicator.warning_points] or list(DEFAULT_WARNING_POINTS)


def log_of(ticket):
    """The ticket's stored events as the clock reads them."""
    return [
        TicketEvent(
            event_id=event.event_id,
            instant=event.at,
            kind=event.kind,
            category=event.category or None,
            priority=event.priority or None,
        )
        for event in ticket.events.all()
    ]


def _iso(instant):
    return None if instant is None else instant.isoformat()


def _percent(fraction):
    value = (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(Decimal("0.01"), ROUND_FLOOR)
    return min(value, MAX_PERCENT)


def outcome(clock):
    """(counted_at, good) of a clock: good at its stop within the goal, bad at the instant it breached."""
    if clock.state is ClockState.MET:
        return clock.stop, True
    if clock.state is ClockState.BREACHED:
        return clock.breached_at, False
    return None, None


def clock_row(ticket, indicator, clock):
    counted_at, good = outcome(clock)
    first_warning = next((warning.at for warning in clock.warnings if warning.at is not None), None)
    return TicketClock(
        ticket=ticket,
        indicator=indicator,
        state=clock.state.value,
        priority=clock.priority,
        goal=clock.goal,
        started_at=clock.start,
        stopped_at=clock.stop,
        running_time=clock.running_time,
        wall_time=clock.wall_time,
        due_at=clock.due_at,
        breached_at=clock.breached_at,
        warning_at=first_warning,
        percent_elapsed=_percent(clock.percent_elapsed),
        pauses=[{"start": _iso(p.start), "end": _iso(p.end), "category": p.category.value} for p in clock.pauses],
        warnings=[{"percent": str(w.percent), "at": _iso(w.at)} for w in clock.warnings],
        evaluated_at=clock.evaluated_at,
        counted_at=counted_at,
        good=good,
    )


def rebuild_clocks(ticket_ids, now):
    """Rebuild the clocks of the given tickets as of ``now`` and bring their indicators' measurements along.
    Returns the number of clocks written."""
    ticket_ids = sorted(set(ticket_ids))
    written = 0
    for offset in range(0, len(ticket_ids), CHUNK):
        written += _rebuild_chunk(ticket_ids[offset : offset + CHUNK], now)
    return written


def _rebuild_chunk(ticket_ids, now):
    with transaction.atomic():
        tickets = list(Ticket.objects.filter(pk__in=ticket_ids).prefetch_related("events"))
        book = TicketIndicators({(ticket.customer_id, ticket.service_id) for ticket in tickets})
        previous = {
            (ticket_id, indicator_id): (counted_at, good)
            for ticket_id, indicator_id, counted_at, good in TicketClock.objects.filter(
                ticket_id__in=ticket_ids
            ).values_list("ticket_id", "indicator_id", "counted_at", "good")
        }
        rows, touched = [], defaultdict(set)
        for ticket in tickets:
            log = log_of(ticket)
            for indicator in book.of(ticket):
                try:
                    clock = ticket_clock(
                        log,
                        indicator.ticket_metric,
                        goals_at(indicator, ticket.created_at),
                        indicator.pause_categories,
                        book.calendars[indicator.pk],
                        now,
                        warning_points(indicator),
                    )
                except ValueError as problem:  # a goal removed since the ticket arrived: its clock stays as it was
                    logger.warning("Ticket %s, indicator %s: no clock (%s)", ticket.pk, indicator.code, problem)
                    continue
                row = clock_row(ticket, indicator, clock)
                rows.append(row)
                before = previous.get((ticket.pk, indicator.pk), (None, None))
                if before != (row.counted_at, row.good):
                    touched[indicator.pk].update(instant for instant in (before[0], row.counted_at) if instant)
        TicketClock.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["ticket", "indicator"],
            update_fields=CLOCK_FIELDS,
            batch_size=500,
        )
        for indicator_id, instants in sorted(touched.items()):
            recount(indicator_id, instants)
    return len(rows)


def recount(indicator_id, instants):
    """Make the indicator's measurements at ``instants`` equal to the clocks counted there, and move the hour
    rollups by the difference."""
    instants = sorted(instants)
    if not instants:
        return
    lock_indicator(indicator_id)
    old = list(Measurement.objects.filter(indicator_id=indicator_id, t__in=instants).values_list("t", "good", "total"))
    new = list(
        TicketClock.objects.filter(indicator_id=indicator_id, counted_at__in=instants)
        .values("counted_at")
        .annotate(good_count=Count("pk", filter=Q(good=True)), total_count=Count("pk"))
        .values_list("counted_at", "good_count", "total_count")
        .order_by("counted_at")
    )
    Measurement.objects.filter(indicator_id=indicator_id, t__in=instants).delete()
    Measurement.objects.bulk_create(
        [Measurement(indicator_id=indicator_id, t=t, good=good, total=total) for t, good, total in new],
        batch_size=1000,
    )
    deltas = defaultdict(lambda: [0, 0, 0])
    for sign, rows in ((-1, old), (1, new)):
        for t, good, total in rows:
            counts = deltas[minute_number(t)]
            counts[0] += sign * good
            counts[1] += sign * total
            counts[2] += sign
    apply_minute_deltas(indicator_id, [(minute, *counts) for minute, counts in deltas.items() if any(counts)])


def settle_due_clocks(now):
    """Rebuild the running clocks whose goal has run out by ``now`` and that are not counted yet."""
    due = (
        TicketClock.objects.filter(state=ClockState.RUNNING, due_at__lte=now, counted_at__isnull=True)
        .values_list("ticket_id", flat=True)
        .distinct()
    )
    return rebuild_clocks(list(due), now)


def rebuild_open_clocks(now, indicator_ids=None):
    """Rebuild every clock still in flight (after a calendar or goal edit, and to move running clocks on)."""
    clocks = TicketClock.objects.filter(state__in=[ClockState.RUNNING, ClockState.PAUSED])
    if indicator_ids is not None:
        clocks = clocks.filter(indicator_id__in=indicator_ids)
    return rebuild_clocks(list(clocks.values_list("ticket_id", flat=True).distinct()), now)


def rebuild_indicator(indicator, now):
    """Rebuild the clocks of every ticket of a ticket indicator's customer and service (a new indicator, or its
    goals or business hours changed): outcomes move to what the current settings give."""
    tickets = Ticket.objects.filter(customer_id=indicator.customer_id, service_id=indicator.service_id)
    return rebuild_clocks(list(tickets.values_list("pk", flat=True)), now)
