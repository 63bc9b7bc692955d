"""A target's period day by day: what each day measured, the error budget left at each day's end, and the bad
minutes of one day. Read from the rollups through the evaluation's own plan and tally code, so it agrees with the
snapshots."""

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from agreements import maintenance
from agreements.choices import WindowKind
from monitoring import slo, windows
from monitoring.evaluation.plan import TargetPlan, target_time_zone
from monitoring.evaluation.tally import MINUTE, floor_minute, tallies
from monitoring.intake.rollups import minute_counts, minute_counts_of
from monitoring.readout import maintenance as excluded_time
from monitoring.slo import Tally


def _plan(target, at, snapshot=None):
    """The evaluation's plan of ``target`` at ``at``; with a snapshot, leaving out what its period excluded."""
    plan = TargetPlan(target, at, frozen_starts=set())
    if snapshot is not None:
        plan.exclude(maintenance.part_from_record(record) for record in snapshot.maintenance)
    return plan


def period_days(target, snapshot, now=None):
    """[(day Period, Tally)] for each local day of the snapshot's period up to now (or its end)."""
    now = floor_minute(now or timezone.now())
    until = min(now, snapshot.period_end)
    plan = _plan(target, until, snapshot)
    start = snapshot.period_start
    if target.window_kind == WindowKind.ROLLING:
        start = until - dt.timedelta(days=target.rolling_days)
    # A snapshot is keyed by the unclipped period's start, but it counts only from the agreement's first day (as
    # the evaluation does): an agreement starting mid-month has neither days nor budget before that.
    start = max(start, plan.valid_from)
    days, day = [], windows.local_day(start, plan.time_zone)
    while day.start < until:
        days.append(day)
        day = windows.local_day(day.end, plan.time_zone)
    requests = [plan.request(index, max(day.start, start), min(day.end, until)) for index, day in enumerate(days)]
    measured = tallies(requests) if requests else {}
    return [(day, measured.get(index, Tally())) for index, day in enumerate(days)], plan, start, until


def daily_figures(target, snapshot, now=None):
    """Per day: (label, good, bad) for the bars, (label, budget left, ideal left) for the burn-down, and the days'
    full labels (YYYY-MM-DD), all from one reading of the rollups."""
    days, plan, start, until = period_days(target, snapshot, now)
    method = slo.Method(target.budgeting_method)
    missing = slo.MissingData(target.missing_data)
    objective = target.objective_fraction
    period_end = until if target.window_kind == WindowKind.ROLLING else snapshot.period_end
    period_minutes = plan.in_hours_minutes(start, period_end)
    elapsed_total = max(period_minutes, 1)
    bars, burn = [], []
    scale = 1 if target.method.counts_events else target.slice_minutes  # slices in minutes
    running, elapsed = Tally(), 0
    for day, tally in days:
        label = day.label[5:]  # MM-DD
        # What the method counts: events; good slices; or each slice's good/total ratio (a slice at 99 % is 0.99
        # of a good slice), so that the bars add up to the attainment the page shows.
        good, counted = slo.good_and_counted(method, tally, missing)
        bars.append((label, good * scale, (counted - good) * scale))
        running = running + tally
        elapsed += plan.in_hours_minutes(max(day.start, start), min(day.end, until))
        budget = slo.error_budget(
            method,
            running,
            objective,
            period_minutes=period_minutes,
            slice_minutes=target.slice_minutes,
            missing=missing,
        )
        ideal = max(Decimal(0), slo.share(elapsed_total - elapsed, elapsed_total))
        burn.append((label, budget.remaining, ideal))
    return bars, burn, [day.label for day, _tally in days]


@dataclass(frozen=True)
class BadMinute:
    """A minute whose events were not all good; ``part``: the maintenance or exclusion it lies in, if any (an
    excluded part's minute did not count)."""

    minute: dt.datetime
    good: int
    total: int
    part: object = None
    note: str = ""  # what the part was and why it counted or not, as the page says it

    @property
    def excluded(self):
        return self.part is not None and self.part.excluded


def bad_minutes(target, day_label, now=None):
    """(day, [BadMinute], time zone): the minutes of one local day (YYYY-MM-DD) that had bad events, inside service
    hours, each with the maintenance or exclusion it lies in (those of excluded time did not count); None for a
    malformed day, and for the first and last days of the calendar (0001-01-01, 9999-12-31), whose bounds in UTC a
    datetime cannot hold."""
    plan = _plan(target, floor_minute(now or timezone.now()))
    try:
        date = dt.date.fromisoformat(day_label)
        noon = dt.datetime.combine(date, dt.time(12), tzinfo=ZoneInfo(plan.time_zone))
        day = windows.local_day(noon, plan.time_zone)
    except (TypeError, ValueError, OverflowError):
        return None
    mark = excluded_time.marker(excluded_time.parts_of_day(target, day))
    rows = [
        BadMinute(minute, good, total, mark(minute))
        for minute, good, total in _bad_rows(plan, target, day.start, day.end)
    ]
    return day, rows, plan.time_zone


def _bad_rows(plan, target, start, end, minutes=None):
    """[(minute, good, total)] of the minutes in [start, end) inside service hours whose events were not all good.
    ``minutes``: the indicator's minute counts when already read (several targets at once)."""
    if minutes is None:
        minutes = minute_counts(target.indicator_link.indicator_id, start, end)
    bad = sorted((minute, good, total) for minute, (good, total, _samples) in minutes.items() if total > good)
    spans = list(plan.spans(start, end))
    starts = [lo for lo, _hi in spans]
    rows = []
    for minute, good, total in bad:
        index = bisect_right(starts, minute) - 1
        if index >= 0 and minute < spans[index][1]:
            rows.append((minute, good, total))
    return rows


@dataclass(frozen=True)
class Outage:
    """Consecutive minutes with bad events: [start, end), the minutes' good and total events; ``part``: the
    maintenance or exclusion they lay in (excluded: they did not count)."""

    start: dt.datetime
    end: dt.datetime
    good: int
    total: int
    target: object = None  # set where outages of several targets are listed together
    time_zone: str = ""  # the target's calendar zone, where the outage is shown
    part: object = None
    note: str = ""  # what the part was and why it counted or not, as the page says it

    @property
    def minutes(self):
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def excluded(self):
        return self.part is not None and self.part.excluded


def outages(rows):
    """Group BadMinutes (or (minute, good, total) rows), oldest first, into Outages of consecutive minutes in the
    same maintenance or exclusion (or none)."""
    found = []
    for row in rows:
        bad = row if isinstance(row, BadMinute) else BadMinute(*row)
        minute, good, total, part = bad.minute, bad.good, bad.total, bad.part
        last = found[-1] if found else None
        if last is not None and last.end == minute and last.part == part:
            found[-1] = replace(last, end=minute + MINUTE, good=last.good + good, total=last.total + total)
        else:
            found.append(Outage(minute, minute + MINUTE, good, total, part=part))
    return found


def outages_of(targets, spans, now=None, parts=None):
    """{target id: Outages in its span [start, end) up to now}, for the targets with an indicator, in the target's
    zone; the minutes of all of them are read in one query. ``parts``: {target id: [maintenance.Part]}, the
    maintenance and exclusions each target's outages are marked with."""
    now = floor_minute(now or timezone.now())
    measured = [target for target in targets if hasattr(target, "indicator_link")]
    if not measured:
        return {}
    start = min(spans[target.pk][0] for target in measured)
    end = min(max(spans[target.pk][1] for target in measured), now)
    counts = minute_counts_of({target.indicator_link.indicator_id for target in measured}, start, end)
    found = {}
    for target in measured:
        plan = _plan(target, now)
        lo, hi = spans[target.pk]
        minutes = counts.get(target.indicator_link.indicator_id, {})
        mark = excluded_time.marker((parts or {}).get(target.pk, ()))
        rows = [
            BadMinute(minute, good, total, mark(minute))
            for minute, good, total in _bad_rows(plan, target, lo, min(hi, now), minutes)
        ]
        found[target.pk] = [replace(outage, target=target, time_zone=plan.time_zone) for outage in outages(rows)]
    return found


@dataclass(frozen=True)
class Outlook:
    """What an open period can still take, and where it ends at the pace so far (a projection)."""

    unit: str  # "minutes" or "events"
    left: Decimal | None  # what the budget can still absorb, in unit; None once it is spent
    until: dt.datetime | None  # the last minute of a calendar period, in the target's zone; None for rolling windows
    rolling_days: int | None
    projection: Decimal | None  # the share of the budget left at the period's end at the pace so far
    total: Decimal | None = None  # the period's budget in unit

    @property
    def projected_left(self):
        """The projection in the budget's unit (negative: over budget); a time budget is fixed for the period, so
        this is minutes; an event budget grows with the traffic, so only the share means something."""
        if self.projection is None or self.unit != "minutes":
            return None
        return self.total * self.projection


def outlook(target, snapshot, burn):
    """The outlook of an open snapshot, from the burn-down of ``daily_figures`` (its last point tells how much of
    the period's counted time has gone by); None for a closed period."""
    if snapshot.is_closed:
        return None
    left = snapshot.budget_left if snapshot.budget_left > 0 else None
    if target.window_kind == WindowKind.ROLLING:
        return Outlook(snapshot.budget_unit, left, None, target.rolling_days, None)
    elapsed = (1 - burn[-1][2]) if burn else None
    zone = ZoneInfo(target_time_zone(target))
    return Outlook(
        snapshot.budget_unit,
        left,
        (snapshot.period_end - dt.timedelta(minutes=1)).astimezone(zone),
        None,
        slo.projected_remaining(snapshot.budget_unit, snapshot.budget_remaining, elapsed),
        snapshot.budget_total,
    )
