"""Ticket figures: how the tickets of a ticket indicator did in a period, per priority, for the SLA report, the
customer dashboard and the service review pack.

The figures are counted by the database from the stored clocks (``monitoring.tickets.store``) as they stand now, in
a fixed number of queries whatever the number of tickets and periods: one for the figures (a second on SQLite), and
one for the late events of closed periods. For a period ``[start, end)`` and the instant ``now``:

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
from dataclasses import dataclass, fields
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Value

from agreements.choices import AgreementStatus
from monitoring.choices import ClockStatus, TicketMetric
from monitoring.kinds import TICKET
from monitoring.models import Indicator, TicketClock, TicketEventRecord
from monitoring.readout.cache import cached, digest, ticket_generation

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


@dataclass
class PriorityFigures:
    """The figures of one priority (or of all, ``priority == ""``) of one indicator in one period."""

    priority: str
    counted: int = 0
    within_goal: int = 0
    breached: int = 0
    in_flight: int = 0
    at_risk: int = 0
    stopped: int = 0  # clocks stopped in the period
    median: dt.timedelta | None = None  # of their business time, by nearest rank
    p90: dt.timedelta | None = None

    @property
    def share_within_goal(self):
        return share_percent(self.within_goal, self.counted)

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
    named: bool = False  # another indicator has the same clock: pages name the indicator too
    first: bool = True  # the indicator's first period in the list (pages name the indicator once)

    @property
    def rows(self):
        """The priorities' rows and then the total (when more than one priority has one)."""
        return [*self.priorities, self.total] if len(self.priorities) > 1 else list(self.priorities)

    @property
    def metric_label(self):
        return TicketMetric(self.metric).label if self.metric in TicketMetric.values else self.metric


def span_conditions(start, end, now):
    """Q of the clocks counted, stopped and in flight in ``[start, end)`` as of ``now``, and the instant in-flight
    clocks are read at: the period's end, or now while it runs (a month still to come has nothing in flight)."""
    instant = min(end, now)
    counted = Q(counted_at__gte=start, counted_at__lt=end)
    stopped = Q(state__in=_STOPPED, stopped_at__gte=start, stopped_at__lt=end)
    if instant <= start:
        return counted, stopped, Q(pk__in=[]), instant
    # Counted ones until the instant they counted at; the others running or paused now, or cancelled (at its stop).
    not_yet = Q(counted_at__gte=instant) | Q(counted_at__isnull=True) & (
        ~Q(state=ClockStatus.CANCELLED) | Q(stopped_at__gte=instant)
    )
    return counted, stopped, Q(started_at__lt=instant) & not_yet, instant


def _span_aggregates(start, end, now):
    """The aggregates of the figures of ``[start, end)`` (all but the median and the 90th percentile), and the Q of the
    clocks that count in them."""
    counted, stopped, flying, instant = span_conditions(start, end, now)
    aggregates = {
        "counted": Count("pk", filter=counted),
        "within_goal": Count("pk", filter=counted & Q(good=True)),
        "breached": Count("pk", filter=counted & Q(good=False)),
        "in_flight": Count("pk", filter=flying),
        "at_risk": Count("pk", filter=flying & Q(warning_at__lte=instant)),
        "stopped": Count("pk", filter=stopped),
    }
    return aggregates, counted | stopped | flying


# PostgreSQL: a span's figures per priority and in all in one pass over its clocks (ROLLUP), the median and the 90th
# percentile by percentile_disc: the first value whose place in the ordering reaches the fraction, i.e. the
# nearest-rank percentile of ``nearest_rank``. The clocks and what each counts as are selected by ``_span_flags``.
_ROLLED_UP = """SELECT {span}, indicator_id, GROUPING(priority) = 1, COALESCE(priority, ''),
    COUNT(*) FILTER (WHERE is_counted), COUNT(*) FILTER (WHERE is_counted AND good),
    COUNT(*) FILTER (WHERE is_counted AND NOT good), COUNT(*) FILTER (WHERE is_flying),
    COUNT(*) FILTER (WHERE is_flying AND past_warning), COUNT(*) FILTER (WHERE is_stopped),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY running_time) FILTER (WHERE is_stopped),
    percentile_disc(0.9) WITHIN GROUP (ORDER BY running_time) FILTER (WHERE is_stopped)
FROM ({clocks}) AS clocks GROUP BY indicator_id, ROLLUP(priority)"""
_ROLLED_UP_COLUMNS = ("span", "indicator_id", "whole", *(field.name for field in fields(PriorityFigures)))


def _span_flags(clocks, start, end, now):
    """The ``clocks`` that count in ``[start, end)``, each with what it counts as (the conditions of
    ``span_conditions``), as SQL and its parameters."""
    counted, stopped, flying, instant = span_conditions(start, end, now)
    flags = {
        "is_counted": ExpressionWrapper(counted, output_field=BooleanField()),
        "is_stopped": ExpressionWrapper(stopped, output_field=BooleanField()),
        # A month still to come has nothing in flight (its Q matches nothing, which SQL cannot select).
        "is_flying": ExpressionWrapper(flying, output_field=BooleanField())
        if instant > start
        else Value(False, output_field=BooleanField()),
        "past_warning": ExpressionWrapper(Q(warning_at__lte=instant), output_field=BooleanField()),
    }
    rows = clocks.filter(counted | stopped | flying).order_by().annotate(**flags)
    return rows.values("indicator_id", "priority", "running_time", "good", *flags).query.sql_with_params()


def _rolled_up(selections):
    """The rows of ``span_figures`` on PostgreSQL from each span's ``_span_flags``: one query, a UNION of each span's
    ROLLUP."""
    parts, params = [], []
    for number, (sql, selected) in enumerate(selections):
        parts.append(_ROLLED_UP.format(span=number, clocks=sql))
        params.extend(selected)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [dict(zip(_ROLLED_UP_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def span_figures(clocks, spans, now):
    """{(start, end): {indicator id: ({priority: PriorityFigures}, the total)}} of the ``clocks`` queryset in each
    of ``spans`` ((start, end) pairs) as of ``now``, counted by the database in one query: on PostgreSQL each span
    per priority and in all in one pass (ROLLUP), with the median and 90th percentile; elsewhere each span per
    priority and in all as a UNION, and a second query for the business times of the clocks stopped in the spans,
    whose median and 90th percentile are then taken here."""
    spans = sorted(spans)
    if connection.vendor == "postgresql":
        rows = _rolled_up([_span_flags(clocks, start, end, now) for start, end in spans]) if spans else []
    else:
        parts = []
        for number, (start, end) in enumerate(spans):
            aggregates, relevant = _span_aggregates(start, end, now)
            found = clocks.filter(relevant).order_by().annotate(span=Value(number))
            parts.append(
                found.annotate(whole=Value(False))
                .values("span", "indicator_id", "whole", "priority")
                .annotate(**aggregates)
            )
            every = found.annotate(whole=Value(True), every=Value(ALL_PRIORITIES))
            parts.append(every.values("span", "indicator_id", "whole", "every").annotate(**aggregates))
        rows = parts[0].union(*parts[1:], all=True) if parts else []
    priorities, totals = defaultdict(dict), {}
    for values in rows:
        key = (spans[values.pop("span")], values.pop("indicator_id"))
        figures = PriorityFigures(**{name: value for name, value in values.items() if name != "whole"})
        if values["whole"]:
            totals[key] = figures
        else:
            priorities[key][figures.priority] = figures
    if spans and connection.vendor != "postgresql":
        _percentiles_here(clocks, spans, priorities, totals)
    found = defaultdict(dict)
    for (span, indicator_id), total in totals.items():
        found[span][indicator_id] = (priorities[span, indicator_id], total)
    return found


def _percentiles_here(clocks, spans, priorities, totals):
    """The median and 90th percentile of each figure's stopped clocks, taken here from their business times."""
    stopped = Q()
    for start, end in spans:
        stopped |= Q(stopped_at__gte=start, stopped_at__lt=end)
    times = defaultdict(list)
    rows = clocks.filter(stopped, state__in=_STOPPED).values_list(
        "indicator_id", "priority", "stopped_at", "running_time"
    )
    for indicator_id, priority, stopped_at, running_time in rows:
        for span in spans:
            if span[0] <= stopped_at < span[1]:
                times[span, indicator_id, priority].append(running_time)
                times[span, indicator_id, ALL_PRIORITIES].append(running_time)
    for key, total in totals.items():
        for figures in [*priorities[key].values(), total]:
            found = times[(*key, figures.priority)]
            figures.median, figures.p90 = nearest_rank(found, 50), nearest_rank(found, 90)


def ticket_figures(indicators, spans, now, *, customer):
    """[IndicatorFigures] of ``indicators`` for each of their spans ({indicator id: [(label, start, end)]}), counting
    only ``customer``'s tickets (an indicator counts one customer's tickets; this keeps another's out of a report
    even if a target were bound to theirs). The indicators that share a span are counted together."""
    indicators = list(indicators)
    ids = sorted(indicator.pk for indicator in indicators)
    bounds = sorted({(start, end) for found in spans.values() for _label, start, end in found})
    # As of the minute, the same for every reader in it, until a clock of the customer's is written.
    minute = now.replace(second=0, microsecond=0)
    clocks = TicketClock.objects.filter(indicator__in=ids, ticket__customer=customer)
    counted = cached(
        ("ticket-figures", customer.pk, ticket_generation(customer.pk), minute.isoformat(), digest((ids, bounds))),
        lambda: dict(span_figures(clocks, bounds, minute)),
        seconds=60,
    )
    found = []
    for indicator in indicators:
        for number, (label, start, end) in enumerate(spans.get(indicator.pk, [])):
            by_priority, total = counted.get((start, end), {}).get(indicator.pk, ({}, PriorityFigures(ALL_PRIORITIES)))
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
                    first=number == 0,
                )
            )
    metrics = defaultdict(set)
    for figures in found:
        metrics[figures.metric].add(figures.indicator_id)
    for figures in found:
        figures.named = len(metrics[figures.metric]) > 1
    return found


def customer_ticket_figures(user, customer, start, end, now):
    """The figures of ``[start, end)`` of the customer's ticket indicators that the reader may see and that a
    target of one of the customer's active agreements measures (two queries; one when there is none)."""
    indicators = list(
        Indicator.objects.for_user(user)
        .filter(
            kind=TICKET.value,
            customer=customer,
            target_links__target__agreement__customer=customer,
            target_links__target__agreement__status=AgreementStatus.ACTIVE,
        )
        .distinct()
        .order_by("ticket_metric", "name")
        .only("pk", "code", "name", "ticket_metric")
    )
    label = ""
    return ticket_figures(
        indicators, {indicator.pk: [(label, start, end)] for indicator in indicators}, now, customer=customer
    )


_OLDEST_FIRST = ("at", "event_id", "pk")


@dataclass(frozen=True)
class LateEvent:
    """An event the desk sent after the period it belongs to had closed."""

    label: str  # the period
    closed_at: dt.datetime  # the period's end plus the grace for late data
    event: TicketEventRecord

    @property
    def late_by(self):
        return self.event.received_at - self.closed_at


def cached_late_events(indicators, spans, now, *, customer, limit=None):
    """``late_events`` as of the minute, cached like the figures until a clock of the customer's is written (an event
    arriving late rebuilds its ticket's clocks): a desk that resent a month leaves thousands to sort through."""
    minute = now.replace(second=0, microsecond=0)
    ids = sorted(indicator.pk for indicator in indicators)
    spans = {pk: sorted(found) for pk, found in spans.items()}
    return cached(
        ("ticket-late", customer.pk, ticket_generation(customer.pk), minute.isoformat(), digest((ids, spans, limit))),
        lambda: late_events(indicators, spans, now, customer=customer, limit=limit),
        seconds=60,
    )


def late_events(indicators, spans, now, *, customer, limit=None):
    """What came late for each closed period: events that happened before its end but were received after its end
    plus SLM_CLOSE_GRACE_MINUTES, of tickets whose clock (of one of ``indicators``) counted in the period, or that
    happened in it to a ticket of an indicator's customer and service. Periods still open (or inside the grace)
    have none. Each event listed once per period, oldest first; with ``limit``, the first ``limit`` + 1 at most (one
    more than asked tells the caller that there are more: a desk that resends a month sends thousands).

    One query, which asks exactly that of each event and period: with ``limit`` it reads ``limit`` + 1 events at most
    (walking the index on their time and receipt from the oldest, it passes over the events received in time inside
    the index, and looks up the ticket and the clocks of those it keeps), then says of those alone in which periods
    their tickets' clocks counted."""
    grace = dt.timedelta(minutes=settings.SLM_CLOSE_GRACE_MINUTES)
    closed = {}
    for indicator in indicators:
        for label, start, end in spans.get(indicator.pk, []):
            if end + grace <= now:
                closed.setdefault((label, start, end), []).append(indicator)
    if not closed:
        return []
    ids = [indicator.pk for indicator in indicators]
    pairs = {(indicator.service_id, label) for (label, _s, _e), found in closed.items() for indicator in found}
    periods = sorted(closed, key=lambda key: key[1])
    counted_in = {  # per closed period: whether the event's ticket has a clock counted in it
        f"counted_{number}": Exists(
            TicketClock.objects.filter(
                ticket=OuterRef("ticket_id"), indicator__in=ids, counted_at__gte=start, counted_at__lt=end
            )
        )
        for number, (_label, start, end) in enumerate(periods)
    }
    late_for = Q()  # late for one of the periods, as the loop below asks it: every event read is listed
    for number, (label, start, end) in enumerate(periods):
        services = sorted(service for service, found in pairs if found == label)
        late_for |= Q(received_at__gt=end + grace, at__lt=end) & (
            counted_in[f"counted_{number}"] | Q(at__gte=start, ticket__service_id__in=services)
        )
    events = TicketEventRecord.objects.filter(
        late_for,
        received_at__gt=min(end for _label, _start, end in periods) + grace,
        at__lt=max(end for _label, _start, end in periods),
        ticket__customer=customer,
    )
    if limit is not None:  # the first ones alone, and only then whether their tickets counted in each period
        events = TicketEventRecord.objects.filter(pk__in=events.order_by(*_OLDEST_FIRST).values("pk")[: limit + 1])
    events = events.annotate(**counted_in).select_related("ticket").order_by(*_OLDEST_FIRST)
    found, seen = [], set()
    for event in events:
        for number, (label, start, end) in enumerate(periods):
            if event.received_at <= end + grace or event.at >= end or (label, event.pk) in seen:
                continue  # in time, or about what happened after the period: nothing late for it
            in_period = start <= event.at < end and (event.ticket.service_id, label) in pairs
            if getattr(event, f"counted_{number}") or in_period:
                seen.add((label, event.pk))
                found.append(LateEvent(label, end + grace, event))
    return found[: limit + 1] if limit is not None else found
