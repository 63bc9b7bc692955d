"""Maintenance windows and agreed exclusions: when a window occurs, and which of its time an agreement excludes.

Plain Python with no Django import: the evaluation, the pages, the report, the calendar feed and the notices all ask
this module, so they agree on every minute.

The rules (docs/compliance.md, "Maintenance and exclusions"):

* A window occurs once, or repeats every week (same weekday and local time) or every month (same day of the month
  and local time; a month without that day is skipped), in a time zone, until a last local date. Each occurrence
  lasts as long as the first one.
* An agreement states its **notice** (days) and its **cap** (minutes a calendar month, in the portal's time zone,
  per service). An occurrence of an approved window counts as announced when the window was approved; announced at
  least ``notice`` before the occurrence starts, it is excluded up to what is left of its month's cap, earliest
  occurrence first. What is beyond the cap, and an occurrence announced too late, counts like any other time.
* An **agreed exclusion** (customer-caused, force majeure, other) is excluded whole: the customer agreed to it.
* Excluded time leaves the period: its slices and events count as neither good nor bad.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

ONCE, WEEKLY, MONTHLY = "none", "weekly", "monthly"
# Why a part of an occurrence counts or does not count.
EXCLUDED, LATE_NOTICE, OVER_CAP = "excluded", "late_notice", "over_cap"
MAINTENANCE = "maintenance"  # the reason of an interval excluded by a maintenance window
MAX_OCCURRENCES = 1000  # a weekly window repeats for about 19 years before this stops it


@dataclass(frozen=True)
class Schedule:
    """When a window occurs: its first occurrence [start, end) (aware), how it repeats, in which zone, until when."""

    start: dt.datetime
    end: dt.datetime
    recurrence: str = ONCE
    time_zone: str = "UTC"
    repeat_until: dt.date | None = None

    @property
    def length(self):
        return self.end - self.start

    def _local_start(self, step):
        zone = ZoneInfo(self.time_zone)
        first = self.start.astimezone(zone)
        if self.recurrence == WEEKLY:
            day = first.date() + dt.timedelta(days=7 * step)
        else:
            index = first.year * 12 + first.month - 1 + step
            try:
                day = dt.date(index // 12, index % 12 + 1, first.day)
            except ValueError:
                return None  # the 31st of a 30-day month: no occurrence that month
        return day, dt.datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(dt.UTC)

    def occurrences(self, since=None, until=None):
        """The occurrences [start, end) overlapping [since, until) (either open), oldest first."""
        found = []
        if self.recurrence == ONCE or self.repeat_until is None:
            candidates = [(self.start, self.end)]
        else:
            candidates = self._repeats()
        for start, end in candidates:
            if until is not None and start >= until:
                break
            if since is None or end > since:
                found.append((start, end))
        return found

    def _repeats(self):
        for step in range(MAX_OCCURRENCES):
            local = self._local_start(step)
            if local is None:
                continue
            day, start = local
            if day > self.repeat_until:
                return
            yield start, start + self.length

    @property
    def last_end(self):
        """The end of the last occurrence."""
        occurrences = self.occurrences()
        return occurrences[-1][1] if occurrences else self.end


@dataclass(frozen=True)
class WindowFacts:
    """A window as the exclusion rules see it: who it is, when it occurs, when it was announced (approved)."""

    pk: int
    title: str
    schedule: Schedule
    announced_at: dt.datetime | None


@dataclass(frozen=True)
class AgreedExclusion:
    pk: int
    start: dt.datetime
    end: dt.datetime
    reason: str
    description: str = ""


@dataclass(frozen=True)
class Part:
    """A piece of an occurrence of a window or of an agreed exclusion, and whether the agreement excludes it."""

    start: dt.datetime
    end: dt.datetime
    outcome: str  # EXCLUDED, LATE_NOTICE or OVER_CAP
    reason: str  # MAINTENANCE, or the exclusion's reason
    source: str  # "window" or "exclusion"
    source_pk: int
    title: str

    @property
    def excluded(self):
        return self.outcome == EXCLUDED

    @property
    def minutes(self):
        return int((self.end - self.start).total_seconds() // 60)


def _month_starts(start, end, time_zone):
    """The local month boundaries strictly inside (start, end), as UTC instants."""
    zone = ZoneInfo(time_zone)
    local = start.astimezone(zone)
    index = local.year * 12 + local.month
    boundaries = []
    while True:
        boundary = dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=zone).astimezone(dt.UTC)
        if boundary >= end:
            return boundaries
        boundaries.append(boundary)
        index += 1


def _month_key(instant, time_zone):
    local = instant.astimezone(ZoneInfo(time_zone))
    return local.year, local.month


def window_parts(windows, notice, cap_minutes, time_zone, since=None, until=None):
    """How an agreement with ``notice`` (a timedelta) and ``cap_minutes`` a month counts the occurrences of
    ``windows`` (WindowFacts of one service) that overlap [since, until): a list of Parts, oldest first.

    The cap of a month is spent from the month's first occurrence on, so ``since`` is moved back to the start of its
    month: an occurrence earlier in the month may already have spent it."""
    if since is not None:
        key = _month_key(since, time_zone)
        since = dt.datetime(key[0], key[1], 1, tzinfo=ZoneInfo(time_zone)).astimezone(dt.UTC)
    occurrences = sorted(
        (start, end, window) for window in windows for start, end in window.schedule.occurrences(since, until)
    )
    cap = dt.timedelta(minutes=cap_minutes)
    spent = {}
    parts = []
    for start, end, window in occurrences:
        announced = window.announced_at is not None and start - window.announced_at >= notice
        if not announced:
            parts.append(Part(start, end, LATE_NOTICE, MAINTENANCE, "window", window.pk, window.title))
            continue
        edges = [start, *_month_starts(start, end, time_zone), end]
        for lo, hi in zip(edges, edges[1:], strict=False):
            month = _month_key(lo, time_zone)
            left = max(cap - spent.get(month, dt.timedelta(0)), dt.timedelta(0))
            cut = min(hi, lo + left)
            if cut > lo:
                parts.append(Part(lo, cut, EXCLUDED, MAINTENANCE, "window", window.pk, window.title))
                spent[month] = spent.get(month, dt.timedelta(0)) + (cut - lo)
            if cut < hi:
                parts.append(Part(cut, hi, OVER_CAP, MAINTENANCE, "window", window.pk, window.title))
    return parts


def part_from_record(record):
    """A Part from its record on a compliance snapshot (``maintenance`` holds them as JSON)."""
    return Part(
        dt.datetime.fromisoformat(record["start"]),
        dt.datetime.fromisoformat(record["end"]),
        record["outcome"],
        record["reason"],
        record["source"],
        record["id"],
        record["title"],
    )


def exclusion_parts(exclusions):
    return [
        Part(item.start, item.end, EXCLUDED, item.reason, "exclusion", item.pk, item.description)
        for item in sorted(exclusions, key=lambda item: (item.start, item.pk))
    ]


def merged(intervals):
    """Sorted, non-overlapping [start, end) intervals covering the given ones."""
    result = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def excluded_intervals(parts):
    """The merged intervals of the parts that are excluded."""
    return merged((part.start, part.end) for part in parts if part.excluded)


def subtract(spans, intervals):
    """The parts of ``spans`` (ordered, non-overlapping [start, end) pairs) outside ``intervals`` (merged)."""
    if not intervals:
        return tuple(spans)
    left = []
    for start, end in spans:
        cursor = start
        for lo, hi in intervals:
            if hi <= cursor:
                continue
            if lo >= end:
                break
            if lo > cursor:
                left.append((cursor, lo))
            cursor = max(cursor, hi)
            if cursor >= end:
                break
        if cursor < end:
            left.append((cursor, end))
    return tuple(left)


def covers(intervals, instant):
    """True when ``instant`` lies in one of the [start, end) intervals."""
    return any(start <= instant < end for start, end in intervals)


def overlap(intervals, start, end):
    """Total time of the intervals inside [start, end)."""
    total = dt.timedelta(0)
    for lo, hi in intervals:
        lo, hi = max(lo, start), min(hi, end)
        if lo < hi:
            total += hi - lo
    return total
