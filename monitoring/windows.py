"""Evaluation windows: calendar periods in a time zone, and rolling windows. Plain Python, no Django.

A calendar period (week, month, quarter, year) starts at local midnight in the target's time zone, so November 2026
in Asia/Seoul runs from 2026-10-31T15:00Z to 2026-11-30T15:00Z (30 days = 43,200 minutes). Weeks start on Monday
(ISO 8601). A rolling window is the last N days up to an instant; its snapshots are kept one per local day.

Months are also named by their labels ("2026-11") in the reports, the compliance API, the dashboards and the review
pack; their bounds, the month running or last month in a zone, and the months of a quarter are all taken here. A
function that needs the portal's zone takes it as an argument: the caller reads settings.TIME_ZONE.
"""

import datetime as dt
import re
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
    return first_of_month(first, {MONTH: 1, QUARTER: 3, YEAR: 12}[kind])


def first_of_month(day, months=0):
    """The first day of the month ``months`` after (or before, when negative) the month of ``day``:
    first_of_month(date(2027, 1, 31), -1) == date(2026, 12, 1); ValueError beyond the years 1 to 9999."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _label(kind, first):
    if kind == WEEK:
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == MONTH:
        return f"{first:%Y-%m}"
    if kind == QUARTER:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year}"


def label_of(kind, day):
    """The label of the calendar period of ``kind`` that holds the date ``day``: label_of(QUARTER, date(2026, 11, 20))
    == "2026-Q4"; "2026-W47", "2026-11" and "2026" for the other kinds."""
    return _label(kind, _first_day(kind, day))


def _period_from_first_day(kind, first, zone):
    return Period(
        _local_midnight(first, zone), _local_midnight(_next_first_day(kind, first), zone), _label(kind, first)
    )


def calendar_period(kind, instant, time_zone):
    """The calendar period of ``kind`` that contains ``instant`` (an aware datetime)."""
    zone = ZoneInfo(time_zone)
    return _period_from_first_day(kind, _first_day(kind, instant.astimezone(zone).date()), zone)


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


# --- months named by their labels ("2026-11") -------------------------------------------------------------------------

# UTC offsets run from -12 to +14 hours: a month as any zone has it lies within 14 hours of the month in UTC.
ANY_OFFSET = dt.timedelta(hours=14)
MONTH_LABEL = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_LABEL = re.compile(r"^(\d{4})-Q([1-4])$")


def month_label(instant, time_zone):
    """The month running at ``instant`` (an aware datetime) in ``time_zone``: 2026-10-31T15:00Z is "2026-11" in
    Asia/Seoul and "2026-10" in UTC."""
    return label_of(MONTH, instant.astimezone(ZoneInfo(time_zone)).date())


def last_month_label(instant, time_zone):
    """The month before the one running at ``instant`` in ``time_zone``: "2026-12" all through January 2027."""
    return label_of(MONTH, first_of_month(instant.astimezone(ZoneInfo(time_zone)).date(), -1))


def months_up_to(instant, time_zone, count):
    """The labels of the last ``count`` months up to the one running at ``instant`` in ``time_zone``, oldest first:
    ["2026-11", "2026-12", "2027-01"] for three months in January 2027."""
    day = instant.astimezone(ZoneInfo(time_zone)).date()
    return [label_of(MONTH, first_of_month(day, -back)) for back in reversed(range(count))]


def month_bounds(label, time_zone):
    """[start, end) of the month "YYYY-MM" in ``time_zone``, as UTC instants; ValueError when malformed, and for the
    months at the ends of the calendar a zone cannot bound (0001-01 east of UTC, 9999-12)."""
    zone = ZoneInfo(time_zone)
    try:
        period = _period_from_first_day(MONTH, dt.date.fromisoformat(f"{label}-01"), zone)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{label!r} is not a month in the form YYYY-MM") from None
    return period.start, period.end


def month_in_any_zone(label):
    """[start, end) holding the month "YYYY-MM" as every time zone has it: what to read from the database before
    each target takes its own month in its own zone."""
    start, end = month_bounds(label, "UTC")
    try:
        return start - ANY_OFFSET, end + ANY_OFFSET
    except OverflowError:  # the first and last months of the calendar
        return start, end


def quarter_of_month(label):
    """The quarter that holds the month "YYYY-MM": "2026-11" is in "2026-Q4"."""
    year, month = label.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def months_in(label, time_zone):
    """The month labels of a month "YYYY-MM" (itself) or a quarter "YYYY-Qn" (its three months), oldest first;
    ValueError for any other label, and for a month the calendar cannot bound in ``time_zone``."""
    quarter = QUARTER_LABEL.match(label)
    if MONTH_LABEL.match(label):
        months = (label,)
    elif quarter:
        year, number = int(quarter.group(1)), int(quarter.group(2))
        months = tuple(f"{year}-{3 * (number - 1) + offset:02d}" for offset in (1, 2, 3))
    else:
        raise ValueError(f"{label!r} is not a month (YYYY-MM) or a quarter (YYYY-Qn)")
    # The patterns let through months the calendar has no bounds for (0000-01, 9999-12): refuse them here too.
    month_bounds(months[0], time_zone)
    month_bounds(months[-1], time_zone)
    return months
