"""Which periods of a target to evaluate at an instant, and the spans of time each one counts."""

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings

from agreements import maintenance
from agreements.calendars import working_intervals
from agreements.choices import WindowKind
from monitoring import windows
from monitoring.evaluation.tally import MINUTE, TallyRequest


def target_time_zone(target):
    """Periods start at local midnight in the service-hours calendar's zone, or else the portal's TIME_ZONE."""
    return target.service_hours.time_zone if target.service_hours_id else settings.TIME_ZONE


@dataclass
class PeriodJob:
    """One snapshot to compute: the period (already clipped to the agreement's validity) and what it counts."""

    target: object
    period_start: dt.datetime  # the snapshot's key: the unclipped period's start (rolling: the local day's start)
    period: windows.Period  # what the snapshot reports: clipped period, or the rolling window
    counted_until: dt.datetime  # data is counted in [period.start, counted_until)
    ended: bool  # the period is over at the evaluation instant
    frozen: bool  # ...and past the grace for late data: its snapshot becomes history
    rolling: bool

    @property
    def key(self):
        return (self.target.pk, self.period_start)


class TargetPlan:
    """Everything to evaluate for one target at one instant."""

    def __init__(self, target, at, frozen_starts, calendar=None):
        """``calendar``: the target's service hours as a ``WorkingCalendar`` when already read (else read here)."""
        self.target = target
        self.at = at
        if target.service_hours_id and calendar is None:
            calendar = target.service_hours.as_working_calendar()
        self.calendar = calendar
        self.time_zone = calendar.time_zone if calendar else settings.TIME_ZONE
        agreement = target.agreement
        self.valid_from = self._midnight(agreement.valid_from)
        self.valid_to = self._midnight(agreement.valid_to) if agreement.valid_to else None
        self.frozen_starts = frozen_starts
        # How the agreement counts the service's maintenance and exclusions (set by the engine before any tally):
        # the excluded intervals leave every span, so the period, the budget and the burn rates all leave them out.
        self.parts = ()
        self.excluded = ()

    @cached_property
    def jobs(self):
        return [job for job in self._jobs() if job.period_start not in self.frozen_starts]

    def _midnight(self, day):
        return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(self.time_zone)).astimezone(dt.UTC)

    def exclude(self, parts):
        """Leave out the excluded ``parts`` (``maintenance.Part``s of the target's agreement and service)."""
        self.parts = tuple(parts)
        self.excluded = maintenance.excluded_intervals(self.parts)

    @property
    def since(self):
        """The earliest instant any span of the plan starts at (its oldest period, or its burn-rate windows)."""
        starts = [job.period.start for job in self.jobs]
        return min(starts, default=self.at)

    def spans(self, start, end):
        """The in-hours parts of [start, end) outside excluded time, minute-aligned."""
        if end <= start:
            return ()
        spans = ((start, end),) if self.calendar is None else tuple(working_intervals(self.calendar, start, end))
        return maintenance.subtract(spans, self.excluded)

    def parts_within(self, start, end):
        """The maintenance and exclusion parts overlapping [start, end), clipped to it, for the snapshot."""
        return [
            {
                "start": max(part.start, start).isoformat(),
                "end": min(part.end, end).isoformat(),
                "outcome": part.outcome,
                "reason": part.reason,
                "source": part.source,
                "id": part.source_pk,
                "title": part.title,
            }
            for part in self.parts
            if part.start < end and part.end > start
        ]

    def budget_minutes(self, job):
        """The counted length of the job's whole period (in hours, outside excluded time), for time-based budgets."""
        return self.in_hours_minutes(job.period.start, job.period.end)

    @property
    def in_maintenance(self):
        """The evaluation instant lies in excluded maintenance: the target is not burning, it is being worked on."""
        return any(
            part.excluded and part.reason == maintenance.MAINTENANCE and part.start <= self.at < part.end
            for part in self.parts
        )

    def in_hours_minutes(self, start, end):
        return sum(int((hi - lo).total_seconds() // 60) for lo, hi in self.spans(start, end))

    def _jobs(self):
        grace = dt.timedelta(minutes=settings.SLM_CLOSE_GRACE_MINUTES)
        target, at = self.target, self.at
        if target.window_kind == WindowKind.ROLLING:
            days = target.rolling_days
            since = max(self.valid_from, at - dt.timedelta(days=settings.SLM_ROLLING_BACKFILL_DAYS))
            day = windows.local_day(since, self.time_zone)
            while day.start < at and (self.valid_to is None or day.start < self.valid_to):
                end = min(at, day.end, self.valid_to or day.end)
                window = windows.rolling_window(days, end).clipped(start=self.valid_from)
                if window:
                    yield PeriodJob(
                        target=target,
                        period_start=day.start,
                        period=windows.Period(window.start, window.end, day.label),
                        counted_until=window.end,
                        # At local midnight the day that just ended holds the window ending now: still the running one.
                        ended=at > day.end,
                        frozen=at >= day.end + grace,
                        rolling=True,
                    )
                day = windows.local_day(day.end, self.time_zone)
            return
        since = max(self.valid_from, at - dt.timedelta(days=settings.SLM_BACKFILL_DAYS))
        until = min(at, self.valid_to) if self.valid_to else at
        # Up to the period holding the minute ``at``: the one that begins at ``at`` is the running one, even before it
        # has a minute in it (otherwise a month's first minute would have no current snapshot at all).
        for period in windows.periods_between(target.calendar_period, self.time_zone, since, until + MINUTE):
            clipped = period.clipped(start=self.valid_from, end=self.valid_to)
            if clipped is None:
                continue
            yield PeriodJob(
                target=target,
                period_start=period.start,
                period=clipped,
                counted_until=min(clipped.end, at),
                ended=at >= clipped.end,
                frozen=at >= clipped.end + grace,
                rolling=False,
            )

    @cached_property
    def open_job(self):
        """The period still running at the evaluation instant (burn rates and alerts belong to it)."""
        return next((job for job in self.jobs if not job.ended), None)

    def request(self, key, start, end):
        target = self.target
        return TallyRequest(
            key=key,
            indicator_id=target.indicator_link.indicator_id,
            spans=self.spans(start, end),
            slice_minutes=target.slice_minutes,
            slice_target=(Fraction(target.slice_target) / 100)  # 99.5 % -> 199/200, exactly
            if target.method.judges_slices
            else Fraction(1),
        )

    def requests(self, burn_windows):
        for job in self.jobs:
            yield self.request(("period", job.key), job.period.start, job.counted_until)
        if self.open_job:
            for minutes in burn_windows:
                start = max(self.at - dt.timedelta(minutes=minutes), self.valid_from)
                yield self.request(("burn", self.target.pk, minutes), start, self.at)
