"""Ticket figures: how the tickets of a ticket indicator did in a period, per priority, for the SLA report, the
customer dashboard and the service review pack.

The figures are read from the stored clocks (``monitoring.tickets.store``) as they stand now, in two queries whatever
the number of tickets (the clocks, and the late events of closed periods). For a period ``[start, end)`` and the
instant ``now``:

* **counted**: clocks whose outcome counts in the period (``counted_at`` in it: a clock within its goal at its stop,
  a late one at the instant it breached), the tickets the ticket target counts; **within goal** and **breached** are
  those counted good and bad; **share within goal** = within goal / counted, in percent, rounded down to two places
  (never shown higher than it is): 38 of 40 is 95.00 %, 2 of 3 is 66.66 %.
* **in flight**: clocks started before the period's end (or ``now``, while it runs) that had not stopped, breached or
  been cancelled by then; **at risk**: those of them past their first warning point by then.
* **stopped**: clocks (met or breached, not cancelled) that stopped in the period: tickets answered (first response)
  or resolved in it. Their business time (running time, pauses left out) gives the **median** and the **90th
  percentile**, both by the nearest-rank rule (``nearest_rank``).

A clock is grouped by its priority: the one in force when it stopped (or now, while it runs), as the clock takes its
goal. The figures of a closed period follow what the desk has sent since (a late event moves a clock); the ticket
target's result for that period was fixed when it closed. ``late_events`` lists what came after the close.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Q

from monitoring.choices import ClockStatus, TicketMetric
from monitoring.kinds import TICKET
from monitoring.models import Indicator, TicketClock, TicketEventRecord

_TICK = dt.timedelta(microseconds=1)
_STOPPED = (ClockStatus.MET, ClockStatus.BREACHED)
ALL_PRIORITIES = ""  # the key of the row that adds up every priority


def nearest_rank(values, percent):
    """The ``percent``-th percentile of ``values`` by the nearest-rank rule: with the n values sorted ascending
    x(1) <= ... <= x(n), the value x(k) with k = ceil(percent / 100 * n) (and k = 1 for percent 0): the smallest
    value that at least ``percent`` % of the values do not exceed. Always one of the values, never an interpolation.
    None when there are none.

    [1, 2, 3, 4]: the median (50) is 2, the 90th percentile 4; ten values 1..10: 5 and 9; one value: that value.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    percent = Fraction(str(percent))
    if not 0 <= percent <= 100:
        raise ValueError("A percentile is between 0 and 100.")
    rank = math.ceil(percent * len(ordered) / 100)  # exact: a Fraction, not a float
    return ordered[max(rank, 1) - 1]


def share_percent(part, whole):
    """``part`` of ``whole`` in percent, rounded down to two places; None of nothing. 38 of 40 -> 95.00."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def business_minutes(duration):
    """A duration in minutes, two decimal places (half to even): 1 h 30 min 20 s -> 90.33; None stays None."""
    if duration is None:
        return None
    return (Decimal(duration // _TICK) / 60_000_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class ClockRow:
    """What the figures read of one stored clock."""

    ticket_id: int
    indicator_id: int
    priority: str
    state: str
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    counted_at: dt.datetime | None
    good: bool | None
    running_time: dt.timedelta
    warning_at: dt.datetime | None

    def counted_in(self, start, end):
        return self.counted_at is not None and start <= self.counted_at < end

    def stopped_in(self, start, end):
        return self.state in _STOPPED and self.stopped_at is not None and start <= self.stopped_at < end

    def in_flight_at(self, instant):
        if self.started_at >= instant:
            return False
        if self.counted_at is not None:
            return self.counted_at >= instant
        # Not counted: running or paused now, or cancelled (at its stop).
        return self.state != ClockStatus.CANCELLED or (self.stopped_at is not None and self.stopped_at >= instant)


@dataclass
class PriorityFigures:
    """The figures of one priority (or of all, ``priority == ""``) of one indicator in one period."""

    priority: str
    counted: int = 0
    within_goal: int = 0
    breached: int = 0
    in_flight: int = 0
    at_risk: int = 0
    times: list = field(default_factory=list, repr=False)  # business time of each clock stopped in the period

    @property
    def stopped(self):
        return len(self.times)

    @property
    def share_within_goal(self):
        return share_percent(self.within_goal, self.counted)

    @property
    def median(self):
        return nearest_rank(self.times, 50)

    @property
    def p90(self):
        return nearest_rank(self.times, 90)

    @property
    def is_total(self):
        return self.priority == ALL_PRIORITIES

    @property
    def quiet(self):
        """Nothing counted, stopped or in flight: a row not worth a line."""
        return not (self.counted or self.stopped or self.in_flight)


@dataclass
class IndicatorFigures:
    """One ticket indicator's figures in one period: a row per priority, in order, and the total."""

    indicator_id: int
    code: str
    name: str
    metric: str
    label: str  # the period's label ("2026-11")
    start: dt.datetime
    end: dt.datetime
    priorities: list
    total: PriorityFigures
    target: object = None  # the report's target that measures the indicator, when read for a report

    @property
    def rows(self):
        """The priorities' rows and then the total (when more than one priority has one)."""
        return [*self.priorities, self.total] if len(self.priorities) > 1 else list(self.priorities)

    @property
    def metric_label(self):
        return TicketMetric(self.metric).label if self.metric in TicketMetric.values else self.metric


def period_figures(rows, start, end, now):
    """({priority: PriorityFigures}, the total) of clock rows in ``[start, end)`` as of ``now``."""
    instant = min(end, now)
    by_priority = {}
    total = PriorityFigures(ALL_PRIORITIES)
    for row in rows:
        counted = row.counted_in(start, end)
        stopped = row.stopped_in(start, end)
        flying = instant > start and row.in_flight_at(instant)  # a month still to come has nothing in flight
        if not (counted or stopped or flying):
            continue
        figures = by_priority.setdefault(row.priority, PriorityFigures(row.priority))
        for target in (figures, total):
            if counted:
                target.counted += 1
                target.within_goal += bool(row.good)
                target.breached += not row.good
            if stopped:
                target.times.append(row.running_time)
            if flying:
                target.in_flight += 1
                target.at_risk += row.warning_at is not None and row.warning_at <= instant
    return by_priority, total


def read_clocks(clocks, start, end):
    """The clock rows of the queryset ``clocks`` that may count, stop or be in flight in ``[start, end)`` (one
    query): started before the end and not already counted, stopped or cancelled before the start."""
    fields = [
        "ticket_id",
        "indicator_id",
        "priority",
        "state",
        "started_at",
        "stopped_at",
        "counted_at",
        "good",
        "running_time",
        "warning_at",
    ]
    settled_before = Q(counted_at__lt=start) & (Q(stopped_at__isnull=True) | Q(stopped_at__lt=start))
    gone_before = Q(counted_at__isnull=True, stopped_at__lt=start)
    found = clocks.filter(started_at__lt=end).exclude(settled_before).exclude(gone_before)
    return [ClockRow(*values) for values in found.order_by().values_list(*fields)]


def indicator_figures(indicators, spans, rows, now):
    """[IndicatorFigures] for each indicator and each of its spans ({indicator id: [(label, start, end)]}), from the
    clock rows read for all of them."""
    by_indicator = defaultdict(list)
    for row in rows:
        by_indicator[row.indicator_id].append(row)
    found = []
    for indicator in indicators:
        for label, start, end in spans.get(indicator.pk, []):
            by_priority, total = period_figures(by_indicator[indicator.pk], start, end, now)
            found.append(
                IndicatorFigures(
                    indicator_id=indicator.pk,
                    code=indicator.code,
                    name=indicator.name,
                    metric=indicator.ticket_metric,
                    label=label,
                    start=start,
                    end=end,
                    priorities=[by_priority[priority] for priority in sorted(by_priority)],
                    total=total,
                )
            )
    return found


def ticket_figures(indicators, spans, now, *, customer):
    """Figures and rows of ``indicators`` over their spans, counting only ``customer``'s tickets (an indicator counts
    one customer's tickets; this keeps another's out of a report even if a target were bound to theirs)."""
    indicators = list(indicators)
    bounds = [(start, end) for found in spans.values() for _label, start, end in found]
    if not indicators or not bounds:
        return [], []
    clocks = TicketClock.objects.filter(indicator__in=[i.pk for i in indicators], ticket__customer=customer)
    rows = read_clocks(clocks, min(start for start, _end in bounds), max(end for _start, end in bounds))
    return indicator_figures(indicators, spans, rows, now), rows


def customer_ticket_figures(user, customer, start, end, now):
    """The figures of ``[start, end)`` of the customer's ticket indicators that the reader may see and that a
    target of one of the customer's active agreements measures (two queries; one when there is none)."""
    indicators = list(
        Indicator.objects.for_user(user)
        .filter(
            kind=TICKET.value,
            customer=customer,
            target_links__target__agreement__customer=customer,
            target_links__target__agreement__status="active",
        )
        .distinct()
        .order_by("ticket_metric", "name")
        .only("pk", "code", "name", "ticket_metric")
    )
    label = ""
    figures, _rows = ticket_figures(
        indicators, {indicator.pk: [(label, start, end)] for indicator in indicators}, now, customer=customer
    )
    return figures


@dataclass(frozen=True)
class LateEvent:
    """An event the desk sent after the period it belongs to had closed."""

    label: str  # the period
    closed_at: dt.datetime  # the period's end plus the grace for late data
    event: TicketEventRecord

    @property
    def late_by(self):
        return self.event.received_at - self.closed_at


def late_events(indicators, spans, rows, now, *, customer):
    """What came late for each closed period: events that happened before its end but were received after its end
    plus SLM_CLOSE_GRACE_MINUTES, of tickets whose clock (of one of ``indicators``) counted in the period, or that
    happened in it to a ticket of an indicator's customer and service. Periods still open (or inside the grace)
    have none. One query; each event listed once per period, oldest first."""
    grace = dt.timedelta(minutes=settings.SLM_CLOSE_GRACE_MINUTES)
    closed = {}
    for indicator in indicators:
        for label, start, end in spans.get(indicator.pk, []):
            if end + grace <= now:
                closed.setdefault((label, start, end), []).append(indicator)
    if not closed:
        return []
    counted = defaultdict(set)  # ticket id -> the periods its clocks counted in
    for row in rows:
        for label, start, end in closed:
            if row.counted_in(start, end):
                counted[row.ticket_id].add(label)
    pairs = {(indicator.service_id, label) for (label, _s, _e), found in closed.items() for indicator in found}
    services = {service for service, _label in pairs}
    earliest_close = min(end for _label, _start, end in closed) + grace
    first, last = min(start for _l, start, _e in closed), max(end for _l, _s, end in closed)
    happened_in = Q(at__gte=first, at__lt=last, ticket__customer=customer, ticket__service_id__in=services)
    events = (
        TicketEventRecord.objects.filter(received_at__gt=earliest_close, at__lt=last)
        .filter(Q(ticket_id__in=list(counted)) | happened_in)
        .select_related("ticket")
        .order_by("at", "event_id")
    )
    found, seen = [], set()
    for event in events:
        for label, start, end in sorted(closed, key=lambda key: key[1]):
            if event.received_at <= end + grace or event.at >= end or (label, event.pk) in seen:
                continue  # in time, or about what happened after the period: nothing late for it
            in_period = start <= event.at < end and (event.ticket.service_id, label) in pairs
            if label in counted.get(event.ticket_id, ()) or (in_period and event.ticket.customer_id == customer.pk):
                seen.add((label, event.pk))
                found.append(LateEvent(label, end + grace, event))
    return found
