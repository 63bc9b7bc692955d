"""Evaluation windows: calendar periods in a time zone, and rolling windows. Plain Python, no Django.

A calendar period (week, month, quarter, year) starts at local midnight in the target's time zone, so November 2026
in Asia/Seoul runs from 2026-10-31T15:00Z to 2026-11-30T15:00Z (30 days = 43,200 minutes). Weeks start on Monday
(ISO 8601). A rolling window is the last N days up to an instant; its snapshots are kept one per local day.
"""

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from zoneinfo import ZoneInfo

WEEK, MONTH, QUARTER, YEAR = "week", "month", "quarter", "year"
# A calendar period's length in months, exactly, for service credits stated per month: a week is 12 months / 52
# weeks = 3/13 of a month (the float 12 / 52 is 0.23076923076923078).
MONTHS_IN = {WEEK: Fraction(12, 52), MONTH: Fraction(1), QUARTER: Fraction(3), YEAR: Fraction(12)}


@dataclass(frozen=True)
class Period:
    """A half-open span [start, end) of UTC instants, with a label people read ("2026-11", "2026-Q4")."""

    start: dt.datetime
    end: dt.datetime
    label: str

    @property
    def minutes(self):
        return int((self.end - self.start).total_seconds() // 60)

    def clipped(self, start=None, end=None):
        """The part of the period inside [start, end); None when nothing is left."""
        lo = max(self.start, start) if start else self.start
        hi = min(self.end, end) if end else self.end
        return Period(lo, hi, self.label) if lo < hi else None


def _local_midnight(day, zone):
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)


def _first_day(kind, day):
    if kind == WEEK:
        return day - dt.timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    if kind == QUARTER:
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if kind == YEAR:
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown calendar period {kind!r}")


def _next_first_day(kind, first):
    if kind == WEEK:
        return first + dt.timedelta(days=7)
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
    month_index = first.month - 1 + months
    return first.replace(year=first.year + month_index // 12, month=month_index % 12 + 1, day=1)


def _label(kind, first):
    if kind == WEEK:
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == MONTH:
        return f"{first:%Y-%m}"
    if kind == QUARTER:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year}"


def _period_from_first_day(kind, first, zone):
    return Period(
        _local_midnight(first, zone), _local_midnight(_next_first_day(kind, first), zone), _label(kind, first)
    )


def calendar_period(kind, instant, time_zone):
    """The calendar period of ``kind`` that contains ``instant`` (an aware datetime)."""
    zone = ZoneInfo(time_zone)
    return _period_from_first_day(kind, _first_day(kind, instant.astimezone(zone).date()), zone)


def period_by_label(kind, label, time_zone):
    """The period named by its label ("2026-11", "2026-Q4", "2026-W47", "2026"); ValueError if malformed."""
    zone = ZoneInfo(time_zone)
    try:
        if kind == MONTH:
            first = dt.date.fromisoformat(f"{label}-01")
        elif kind == QUARTER:
            year, quarter = label.split("-Q")
            if not 1 <= int(quarter) <= 4:
                raise ValueError(label)
            first = dt.date(int(year), 3 * (int(quarter) - 1) + 1, 1)
        elif kind == WEEK:
            year, week = label.split("-W")
            first = dt.date.fromisocalendar(int(year), int(week), 1)
        elif kind == YEAR:
            first = dt.date(int(label), 1, 1)
        else:
            raise ValueError(kind)
        return _period_from_first_day(kind, first, zone)
    except (TypeError, ValueError, OverflowError):  # also periods at the ends of the calendar (0001-01, 9999-12)
        raise ValueError(f"{label!r} is not a {kind} label") from None


def periods_between(kind, time_zone, since, until):
    """Calendar periods that overlap [since, until), oldest first (none when the span is empty)."""
    zone = ZoneInfo(time_zone)
    periods = []
    if until <= since:
        return periods
    first = _first_day(kind, since.astimezone(zone).date())
    while True:
        period = _period_from_first_day(kind, first, zone)
        if period.start >= until:
            return periods
        periods.append(period)
        first = _next_first_day(kind, first)


def local_day(instant, time_zone):
    """The local calendar day containing ``instant`` as a Period labelled YYYY-MM-DD; ValueError for the days at the
    ends of the calendar (0001-01-01, 9999-12-31), whose bounds a datetime cannot hold."""
    zone = ZoneInfo(time_zone)
    try:
        day = instant.astimezone(zone).date()
        return Period(_local_midnight(day, zone), _local_midnight(day + dt.timedelta(days=1), zone), day.isoformat())
    except OverflowError:
        raise ValueError(f"the day of {instant.isoformat()} has no bounds in {time_zone}") from None


def rolling_window(days, end):
    """The last ``days`` days up to ``end``."""
    return Period(end - dt.timedelta(days=days), end, f"{days}d")
