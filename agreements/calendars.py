"""Business-hours arithmetic: how much of a span of time falls inside an agreement's working hours.

Plain Python with no Django import, so it can be used from models, tasks and reports alike.

A :class:`WorkingCalendar` describes local wall-clock hours per weekday in one IANA time zone, plus whole
local days off. Every function takes timezone-aware datetimes and returns UTC datetimes or timedeltas.

Daylight-saving rule (applies everywhere a local wall-clock time is turned into an instant):

* an *ambiguous* local time (the repeated hour when clocks go back) means its first occurrence (fold=0),
  so an interval that spans the whole repeated hour contains both occurrences;
* a *non-existent* local time (skipped when clocks go forward) means the instant the clocks jumped, so the
  skipped wall-clock time contributes no working time.

Both choices keep the local-to-UTC mapping monotonic, so ordered local intervals stay ordered in UTC.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from threading import Lock
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "WorkingCalendar",
    "add_working_time",
    "in_hours_length",
    "in_hours_length_of_month",
    "is_working_time",
    "next_working_time",
    "time_not_covered",
    "working_intervals",
    "working_time_between",
    "without_holidays",
]

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
# Forward searches look a few days ahead first (most goals are hours), then at up to four weeks at a time,
# and give up after this long with no working time at all past the last holiday (a calendar whose weekly
# hours all fall in skipped DST gaps never runs a clock).
_SEARCH_FIRST_STEP = timedelta(days=3)
_SEARCH_LAST_STEP = timedelta(days=28)
_SEARCH_LIMIT = timedelta(days=800)
_DAYS_KEPT = 4096  # local days of intervals a calendar object remembers

# Per weekday: ordered, non-overlapping (start, end) offsets from local midnight; end may equal _DAY.
_Schedule = tuple[tuple[tuple[timedelta, timedelta], ...], ...]


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekly working hours in one time zone, with whole-day holidays.

    ``weekly_hours`` maps a weekday (0 = Monday ... 6 = Sunday) to local ``[start, end)`` intervals of
    naive :class:`datetime.time`; an end of ``time(0, 0)`` means midnight at the end of that day, so
    ``(time(0), time(0))`` is the whole day. Weekdays that are missing have no working time.
    ``holidays`` are local dates with no working time at all.

    The calendar is validated on construction (``ValueError`` on any problem) and stored in a normalised,
    immutable form: intervals sorted, empty weekdays dropped, ``holidays`` a frozenset. It is hashable.
    """

    time_zone: str
    weekly_hours: Mapping[int, Sequence[tuple[time, time]]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _schedule: _Schedule = field(init=False, repr=False, compare=False, hash=False)
    # The UTC intervals of each local day already asked for: the same days come up again and again when many
    # ticket clocks are rebuilt on one calendar (bounded by _DAYS_KEPT; a calendar object lives for one job).
    _days: dict = field(init=False, repr=False, compare=False, hash=False)
    # The working time of a stretch of days around the instants asked for, as running totals (``timeline``).
    _timeline: WorkingTimeline | None = field(init=False, repr=False, compare=False, hash=False, default=None)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from exc
        if not isinstance(self.weekly_hours, Mapping):
            raise ValueError("weekly_hours must be a mapping of weekday (0-6) to (start, end) intervals.")

        schedule: list[tuple[tuple[timedelta, timedelta], ...]] = [()] * 7
        normalised: dict[int, tuple[tuple[time, time], ...]] = {}
        for weekday, intervals in self.weekly_hours.items():
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"Weekday must be an integer 0 (Monday) to 6 (Sunday), got {weekday!r}.")
            pairs = sorted(_check_interval(weekday, interval) for interval in intervals)
            for (_, previous_end, first), (start, _, second) in zip(pairs, pairs[1:], strict=False):
                if start < previous_end:
                    raise ValueError(f"Weekday {weekday}: intervals {first!r} and {second!r} overlap.")
            if pairs:
                schedule[weekday] = tuple((start, end) for start, end, _ in pairs)
                normalised[weekday] = tuple(interval for _, _, interval in pairs)

        holidays = frozenset(self.holidays)
        for holiday in holidays:
            if isinstance(holiday, datetime) or not isinstance(holiday, date):
                raise ValueError(f"Holidays must be dates, got {holiday!r}.")

        object.__setattr__(self, "weekly_hours", MappingProxyType(dict(sorted(normalised.items()))))
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_schedule", tuple(schedule))
        object.__setattr__(self, "_days", {})

    def __reduce__(self) -> tuple[type[WorkingCalendar], tuple[object, ...]]:
        # Rebuild from the public fields: a mappingproxy cannot be pickled or deep-copied as it stands.
        return type(self), (self.time_zone, dict(self.weekly_hours), self.holidays)

    @classmethod
    def always(cls, time_zone: str = "UTC") -> WorkingCalendar:
        """Return a 24x7 calendar with no holidays (every instant is working time)."""
        return cls(time_zone, {weekday: ((time(0), time(0)),) for weekday in range(7)})

    def _day_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The UTC working intervals of one local day, in order (possibly touching)."""
        known = self._days.get(day)
        if known is None:
            if len(self._days) >= _DAYS_KEPT:
                self._days.clear()
            known = self._days[day] = tuple(self._compute_day_intervals(day))
        return known

    def _compute_day_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        hours = self._schedule[day.weekday()]
        if not hours or day in self.holidays:
            return
        midnight = datetime(day.year, day.month, day.day)
        for start, end in hours:
            utc_start = _local_to_utc(midnight + start, self._zone)
            utc_end = _local_to_utc(midnight + end, self._zone)
            if utc_start < utc_end:  # a span lying wholly in a skipped DST gap collapses to nothing
                yield utc_start, utc_end


def _check_interval(weekday: int, interval: object) -> tuple[timedelta, timedelta, tuple[time, time]]:
    """Validate one (start, end) pair; return its offsets from local midnight and the pair itself."""
    if not isinstance(interval, Sequence) or isinstance(interval, str) or len(interval) != 2:
        raise ValueError(f"Weekday {weekday}: each interval must be a (start, end) pair, got {interval!r}.")
    start, end = interval
    for moment in (start, end):
        if not isinstance(moment, time) or moment.tzinfo is not None:
            raise ValueError(f"Weekday {weekday}: interval bounds must be naive times, got {moment!r}.")
    start_offset = _offset(start)
    end_offset = _DAY if end == time(0) else _offset(end)
    if end_offset <= start_offset:
        raise ValueError(
            f"Weekday {weekday}: interval {start.isoformat()}-{end.isoformat()} must end after it starts "
            "(use time(0, 0) as the end for midnight at the end of the day)."
        )
    return start_offset, end_offset, (start, end)


def _offset(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second, microseconds=moment.microsecond)


def _local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Convert a naive local wall-clock time to an aware UTC instant, by the module's DST rule."""
    first = local.replace(tzinfo=zone)  # fold=0: the earlier reading of an ambiguous time
    offset = first.utcoffset()
    later_offset = first.replace(fold=1).utcoffset()
    assert offset is not None
    assert later_offset is not None
    if later_offset <= offset:  # normal or ambiguous time: fold=0 is the answer
        return (local - offset).replace(tzinfo=UTC)
    # In a gap, fold=1 reads the time with the new offset (an instant before the jump) and fold=0 with the
    # old one (an instant after it); bisect between them for the first instant that has the new offset.
    before = (local - later_offset).replace(tzinfo=UTC)
    after = (local - offset).replace(tzinfo=UTC)
    while after - before > _TICK:
        middle = before + (after - before) // 2
        if middle.astimezone(zone).utcoffset() == offset:
            before = middle
        else:
            after = middle
    return after


def _require_aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}.")
    return value.astimezone(UTC)


def working_intervals(calendar: WorkingCalendar, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Yield the in-hours parts of ``[start, end)`` as ``(start, end)`` pairs of UTC datetimes.

    Pairs come in order, do not overlap, and adjacent ones are merged (so a 24x7 calendar yields one pair).
    Nothing is yielded when ``end <= start``. ``start`` and ``end`` must be timezone-aware (any zone); they
    are checked on the call itself, not on first iteration.
    """
    return _merged_intervals(calendar, _require_aware("start", start), _require_aware("end", end))


def _merged_intervals(calendar: WorkingCalendar, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    if end <= start:
        return
    zone = calendar._zone
    # One spare local day on each side keeps DST edge cases (a working day's UTC span reaching past the
    # local date of ``start``/``end``) correct; the extra days are clipped away below.
    day = start.astimezone(zone).date() - _DAY
    last_day = end.astimezone(zone).date() + _DAY
    pending: tuple[datetime, datetime] | None = None
    while day <= last_day:
        for interval_start, interval_end in calendar._day_intervals(day):
            interval_start, interval_end = max(interval_start, start), min(interval_end, end)
            if interval_start >= interval_end:
                continue
            if pending is None:
                pending = (interval_start, interval_end)
            elif interval_start <= pending[1]:
                pending = (pending[0], max(pending[1], interval_end))
            else:
                yield pending
                pending = (interval_start, interval_end)
        day += _DAY
    if pending is not None:
        yield pending


def working_time_between(calendar: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """Return how much of ``[start, end)`` is working time; ``timedelta(0)`` when ``end <= start``."""
    return sum((stop - begin for begin, stop in working_intervals(calendar, start, end)), timedelta(0))


def add_working_time(calendar: WorkingCalendar, start: datetime, duration: timedelta) -> datetime:
    """Return the UTC instant at which ``duration`` of working time after ``start`` has passed.

    That is the earliest instant ``t`` with ``working_time_between(calendar, start, t) == duration``: the time
    starts at ``start`` if it is in working hours, else at the next working interval, and the answer lies
    inside the working interval where the duration runs out, or at its end when it runs out exactly there
    (18:00, not the next morning's 09:00). A zero duration returns ``start`` itself.

    ``ValueError`` for a naive ``start``, a negative duration, or a calendar that has no working time.
    """
    start = _require_aware("start", start)
    if not isinstance(duration, timedelta) or duration < timedelta(0):
        raise ValueError(f"duration must be a timedelta of zero or more, got {duration!r}.")
    if duration == timedelta(0):
        return start
    remaining = duration
    for begin, end in _forward_intervals(calendar, start):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable: _forward_intervals raises when it runs out")  # pragma: no cover


class WorkingTimeAhead:
    """``add_working_time`` from one fixed ``start``, for many durations: the working intervals after ``start`` are
    listed once, with the working time up to the end of each, and each answer is a binary search. Rebuilding many
    ticket clocks at one instant asks this of the same calendar and instant thousands of times
    (``working_time_ahead``)."""

    def __init__(self, calendar: WorkingCalendar, start: datetime) -> None:
        self.start = _require_aware("start", start)
        self._intervals = _forward_intervals(calendar, self.start)
        self._begins: list[datetime] = []
        self._ends: list[datetime] = []
        self._through: list[timedelta] = []  # working time from start to the end of each listed interval
        self._lock = Lock()

    def _list_next(self) -> None:
        begin, end = next(self._intervals)
        self._begins.append(begin)
        self._ends.append(end)
        self._through.append((self._through[-1] if self._through else timedelta(0)) + (end - begin))

    def until(self, instant: datetime) -> timedelta:
        """The working time from ``start`` to ``instant`` (as ``working_time_between``; zero when it is not later): a
        binary search in the intervals listed so far, listing more only as far as ``instant``. The ticket list says
        how much business time each running clock has left from one instant with this."""
        instant = _require_aware("instant", instant)
        if instant <= self.start:
            return timedelta(0)
        with self._lock:
            while not self._ends or self._ends[-1] < instant:
                self._list_next()
            index = bisect_left(self._ends, instant)  # the first interval ending at or after the instant
            before = self._through[index - 1] if index else timedelta(0)
            return before + max(instant - self._begins[index], timedelta(0))

    def add(self, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of working time after ``start`` has passed (as ``add_working_time``)."""
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            raise ValueError(f"duration must be a timedelta of zero or more, got {duration!r}.")
        if duration == timedelta(0):
            return self.start
        with self._lock:
            while not self._through or self._through[-1] < duration:
                self._list_next()
            index = bisect_left(self._through, duration)  # the first interval whose end reaches the duration
            begin, through = self._begins[index], self._through[index]
        before = through - self._length(index)
        return begin + (duration - before)

    def _length(self, index: int) -> timedelta:
        return self._through[index] - (self._through[index - 1] if index else timedelta(0))


@lru_cache(maxsize=32)
def working_time_ahead(calendar: WorkingCalendar, start: datetime) -> WorkingTimeAhead:
    """A shared ``WorkingTimeAhead`` of the calendar from ``start`` (remembered for the last few pairs)."""
    return WorkingTimeAhead(calendar, start)


class WorkingTimeline:
    """The working time of ``[low, high)`` as running totals: ``elapsed(t)`` is the working time from ``low`` to
    ``t`` and ``instant(amount)`` the instant at which it comes to ``amount``, each a binary search. The working
    time between two instants is the difference of their ``elapsed``: what ``working_time_between`` adds up
    interval by interval, here without walking the days between them. Ticket clocks are rebuilt thousands at a
    time on one calendar over the same few weeks, so ``timeline`` keeps one per calendar."""

    def __init__(self, calendar: WorkingCalendar, low: datetime, high: datetime) -> None:
        self.low, self.high = low, high
        self._begins: list[datetime] = []
        self._through: list[timedelta] = []  # working time from low to the end of each interval
        total = timedelta(0)
        for begin, end in _merged_intervals(calendar, low, high):
            total += end - begin
            self._begins.append(begin)
            self._through.append(total)
        self._lengths = [
            through - before for through, before in zip(self._through, [timedelta(0), *self._through], strict=False)
        ]

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.low <= start and end <= self.high

    def elapsed(self, instant: datetime) -> timedelta:
        """The working time of ``[low, instant)`` (``instant`` within the timeline)."""
        index = bisect_right(self._begins, instant) - 1
        if index < 0:
            return timedelta(0)
        length = self._lengths[index]
        return self._through[index] - length + min(instant - self._begins[index], length)

    def instant(self, amount: timedelta, *, after: bool = False) -> datetime:
        """The earliest instant whose ``elapsed`` comes to ``amount`` (an interval's end when it runs out exactly
        there); with ``after``, the instant from which ``elapsed`` is more than ``amount`` (then the next
        interval's start). ``amount`` must be less than the timeline's total (or at most it, without ``after``)."""
        index = (bisect_right if after else bisect_left)(self._through, amount)
        return self._begins[index] + (amount - (self._through[index] - self._lengths[index]))


_TIMELINE_MARGIN = timedelta(days=35)


def timeline(calendar: WorkingCalendar, start: datetime, end: datetime) -> WorkingTimeline:
    """The calendar's ``WorkingTimeline``, covering ``[start, end]`` (UTC instants): the one it keeps if it does,
    else one over the union of both with five weeks to spare on each side, kept instead. It grows only to what is
    asked of it (a calendar kept for a whole process, such as the round-the-clock one, spans the tickets it has
    served); two threads that grow it at once each build one, and the one kept last serves."""
    kept = calendar._timeline
    if kept is not None and kept.covers(start, end):
        return kept
    low, high = start - _TIMELINE_MARGIN, end + _TIMELINE_MARGIN
    if kept is not None:
        low, high = min(low, kept.low), max(high, kept.high)
    made = WorkingTimeline(calendar, low, high)
    object.__setattr__(calendar, "_timeline", made)
    return made


def next_working_time(calendar: WorkingCalendar, instant: datetime) -> datetime:
    """Return ``instant`` (as UTC) if it is working time, else the start of the next working interval.

    Used to hold something back until working hours: a notice due at 21:00 goes out at 09:00.
    ``ValueError`` for a naive ``instant`` or a calendar that has no working time.
    """
    instant = _require_aware("instant", instant)
    begin, _ = next(_forward_intervals(calendar, instant))
    return begin


def _forward_intervals(calendar: WorkingCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Yield the working intervals from ``start`` on, without end (chunk boundaries may split one)."""
    if not any(calendar._schedule):
        raise ValueError("The calendar has no working hours, so working time never passes.")
    last_holiday = max(calendar.holidays, default=None)
    give_up = start + _SEARCH_LIMIT
    if last_holiday is not None:
        local_end = datetime(last_holiday.year, last_holiday.month, last_holiday.day) + _DAY
        give_up = max(give_up, _local_to_utc(local_end, calendar._zone) + _SEARCH_LIMIT)
    cursor, step = start, _SEARCH_FIRST_STEP
    while cursor < give_up:
        chunk_end = cursor + step
        for interval in _merged_intervals(calendar, cursor, chunk_end):
            give_up = max(give_up, interval[1] + _SEARCH_LIMIT)
            yield interval
        cursor, step = chunk_end, min(step * 2, _SEARCH_LAST_STEP)
    raise ValueError(f"The calendar has no working time within {_SEARCH_LIMIT.days} days of {cursor.isoformat()}.")


def is_working_time(calendar: WorkingCalendar, instant: datetime) -> bool:
    """Return whether a timezone-aware ``instant`` lies in working hours (interval start in, end out)."""
    instant = _require_aware("instant", instant)
    # Datetimes have microsecond resolution, so this one-tick span meets an interval iff the instant does.
    return any(True for _ in working_intervals(calendar, instant, instant + _TICK))


def in_hours_length(calendar: WorkingCalendar, start_date: date, end_date: date) -> timedelta:
    """Return the working time of the local days ``[start_date, end_date)``.

    Day boundaries are local midnights in the calendar's zone;
    ``timedelta(0)`` when ``end_date <= start_date``.
    """
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"{name} must be a date, got {value!r}.")
    return working_time_between(
        calendar,
        _local_to_utc(datetime(start_date.year, start_date.month, start_date.day), calendar._zone),
        _local_to_utc(datetime(end_date.year, end_date.month, end_date.day), calendar._zone),
    )


def in_hours_length_of_month(calendar: WorkingCalendar, year: int, month: int) -> timedelta:
    """Return the working time of one calendar month, its boundaries taken in the calendar's time zone."""
    if not 1 <= month <= 12:
        raise ValueError(f"Month must be 1-12, got {month!r}.")
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return in_hours_length(calendar, date(year, month, 1), following)


def without_holidays(calendar: WorkingCalendar) -> WorkingCalendar:
    """The same weekly hours in the same zone, with no holidays: a calendar's ordinary week."""
    return WorkingCalendar(calendar.time_zone, dict(calendar.weekly_hours))


def time_not_covered(
    required: WorkingCalendar | None, offered: WorkingCalendar | None, start: datetime, end: datetime
) -> timedelta:
    """Return how much of the working time of ``required`` in ``[start, end)`` is outside the working time of
    ``offered``: what a promise made in ``required``'s hours leaves without support in ``offered``'s.

    ``None`` is around the clock. The calendars may be in different zones: both are compared as UTC instants, so
    09:00-18:00 in Seoul and 09:00-18:00 in London share no hour. Weekdays 09:00-18:00 under around the clock leave
    168 - 45 = 123 hours of a week uncovered; around the clock under anything leaves nothing.
    """
    start, end = _require_aware("start", start), _require_aware("end", end)
    if offered is None or end <= start:
        return timedelta(0)
    needed = [(start, end)] if required is None else list(_merged_intervals(required, start, end))
    support = list(_merged_intervals(offered, start, end))
    uncovered = timedelta(0)
    index = 0
    for begin, stop in needed:
        cursor = begin
        while index < len(support) and support[index][1] <= cursor:
            index += 1
        scan = index
        while cursor < stop and scan < len(support) and support[scan][0] < stop:
            support_begin, support_end = support[scan]
            if support_begin > cursor:
                uncovered += support_begin - cursor
            cursor = max(cursor, support_end)
            scan += 1
        if cursor < stop:
            uncovered += stop - cursor
    return uncovered
