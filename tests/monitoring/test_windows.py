"""Evaluation windows (monitoring/windows.py): calendar periods in a time zone, labels, rolling windows."""

import datetime as dt

import pytest

from monitoring import windows
from monitoring.windows import MONTH, QUARTER, WEEK, YEAR, Period

UTC = dt.UTC
SEOUL, BERLIN = "Asia/Seoul", "Europe/Berlin"


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_november_2026_in_seoul_runs_from_local_midnight_and_is_43200_minutes():
    # Seoul is UTC+9 all year: 2026-11-01 00:00 KST = 2026-10-31 15:00Z; 30 days x 1440 = 43,200 minutes.
    period = windows.calendar_period(MONTH, utc(2026, 11, 20, 3), SEOUL)
    assert period == Period(utc(2026, 10, 31, 15), utc(2026, 11, 30, 15), "2026-11")
    assert period.minutes == 43_200


def test_an_instant_just_before_local_midnight_utc_belongs_to_the_next_local_month():
    # 2026-10-31 15:00Z is already 2026-11-01 00:00 in Seoul; one second earlier is still October.
    assert windows.calendar_period(MONTH, utc(2026, 10, 31, 15), SEOUL).label == "2026-11"
    assert windows.calendar_period(MONTH, utc(2026, 10, 31, 14, 59, 59), SEOUL).label == "2026-10"


def test_october_in_berlin_is_745_hours_because_the_clocks_go_back():
    # 1 Oct 00:00 CEST (UTC+2) = 30 Sep 22:00Z; 1 Nov 00:00 CET (UTC+1) = 31 Oct 23:00Z; 31 x 24 + 1 = 745 h.
    period = windows.calendar_period(MONTH, utc(2026, 10, 15), BERLIN)
    assert (period.start, period.end) == (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert period.minutes == 745 * 60


def test_march_in_berlin_is_743_hours_because_the_clocks_go_forward():
    # 1 Mar 00:00 CET = 28 Feb 23:00Z; 1 Apr 00:00 CEST = 31 Mar 22:00Z; 31 x 24 - 1 = 743 h.
    assert windows.calendar_period(MONTH, utc(2026, 3, 15), BERLIN).minutes == 743 * 60


@pytest.mark.parametrize(
    ("instant", "label", "monday"),
    [
        # 2026-11-20 is a Friday of ISO week 47; its Monday is 16 Nov.
        (utc(2026, 11, 20, 3), "2026-W47", dt.date(2026, 11, 16)),
        # 1 Jan 2026 is a Thursday, so its week (Monday 29 Dec 2025) is 2026-W01.
        (utc(2026, 1, 1, 3), "2026-W01", dt.date(2025, 12, 29)),
        # 1 Jan 2027 is a Friday; its week (Monday 28 Dec 2026) is 2026's 53rd.
        (utc(2027, 1, 1, 3), "2026-W53", dt.date(2026, 12, 28)),
    ],
)
def test_weeks_start_on_monday_and_carry_their_iso_label(instant, label, monday):
    period = windows.calendar_period(WEEK, instant, SEOUL)
    assert period.label == label
    # Local midnight of that Monday in Seoul is 15:00Z of the Sunday before.
    assert period.start == dt.datetime.combine(monday, dt.time(), UTC) - dt.timedelta(hours=9)
    assert period.minutes == 7 * 1440


def test_the_fourth_quarter_of_2026_in_seoul_is_92_days():
    # 1 Oct 00:00 KST = 30 Sep 15:00Z .. 1 Jan 2027 00:00 KST = 31 Dec 15:00Z; Oct 31 + Nov 30 + Dec 31 = 92 days.
    period = windows.calendar_period(QUARTER, utc(2026, 11, 20), SEOUL)
    assert period == Period(utc(2026, 9, 30, 15), utc(2026, 12, 31, 15), "2026-Q4")
    assert period.minutes == 92 * 1440


def test_the_first_quarter_starts_on_new_year_and_ends_before_april():
    # Jan 31 + Feb 28 + Mar 31 = 90 days.
    period = windows.calendar_period(QUARTER, utc(2026, 2, 10), SEOUL)
    assert (period.label, period.start, period.minutes) == ("2026-Q1", utc(2025, 12, 31, 15), 90 * 1440)


@pytest.mark.parametrize(("year", "days"), [(2026, 365), (2028, 366)])
def test_a_year_is_365_or_366_days_from_local_new_year(year, days):
    period = windows.calendar_period(YEAR, utc(year, 6, 1), SEOUL)
    assert (period.label, period.start, period.end) == (str(year), utc(year - 1, 12, 31, 15), utc(year, 12, 31, 15))
    assert period.minutes == days * 1440


def test_periods_between_lists_every_period_overlapping_the_span_oldest_first():
    periods = windows.periods_between(MONTH, SEOUL, utc(2026, 9, 20), utc(2026, 11, 20))
    assert [p.label for p in periods] == ["2026-09", "2026-10", "2026-11"]
    # Consecutive periods touch: each one starts where the one before ended.
    assert all(a.end == b.start for a, b in zip(periods, periods[1:], strict=False))


def test_periods_between_stops_before_a_period_that_starts_at_the_end_of_the_span():
    # [1 Oct 00:00 KST, 1 Nov 00:00 KST) overlaps October only: November starts exactly at the end.
    periods = windows.periods_between(MONTH, SEOUL, utc(2026, 9, 30, 15), utc(2026, 10, 31, 15))
    assert [p.label for p in periods] == ["2026-10"]


def test_periods_between_an_empty_or_reversed_span_is_empty():
    # Nothing overlaps [t, t) or a span that ends before it starts (an agreement that is not yet in force).
    assert windows.periods_between(MONTH, SEOUL, utc(2026, 11, 20), utc(2026, 11, 20)) == []
    assert windows.periods_between(MONTH, SEOUL, utc(2026, 11, 20), utc(2026, 11, 10)) == []


def test_periods_between_weeks_crosses_the_year_with_iso_labels():
    periods = windows.periods_between(WEEK, SEOUL, utc(2026, 12, 25), utc(2027, 1, 6))
    assert [p.label for p in periods] == ["2026-W52", "2026-W53", "2027-W01"]


def test_a_period_clipped_to_a_validity_keeps_its_label_and_only_the_inside_part():
    november = windows.calendar_period(MONTH, utc(2026, 11, 20), SEOUL)
    clipped = november.clipped(start=utc(2026, 11, 15, 15))
    assert clipped == Period(utc(2026, 11, 15, 15), utc(2026, 11, 30, 15), "2026-11")
    assert clipped.minutes == 15 * 1440
    assert november.clipped(start=utc(2026, 12, 1)) is None
    assert november.clipped(end=utc(2026, 10, 1)) is None


def test_a_local_day_runs_from_local_midnight_to_local_midnight():
    day = windows.local_day(utc(2026, 11, 20, 16), SEOUL)  # 21 Nov 01:00 in Seoul
    assert day == Period(utc(2026, 11, 20, 15), utc(2026, 11, 21, 15), "2026-11-21")
    # The Berlin day the clocks go back has 25 hours.
    assert windows.local_day(utc(2026, 10, 25, 12), BERLIN).minutes == 25 * 60


def test_a_rolling_window_is_the_last_n_days_up_to_its_end():
    end = utc(2026, 11, 20, 3, 30)
    assert windows.rolling_window(7, end) == Period(utc(2026, 11, 13, 3, 30), end, "7d")
    assert windows.rolling_window(30, end).minutes == 43_200


# --- months named by their labels -------------------------------------------------------------------------------------

AUCKLAND, LOS_ANGELES = "Pacific/Auckland", "America/Los_Angeles"  # UTC+13 in January (summer time); UTC-8 in winter


def test_first_of_month_moves_across_years_and_leap_days():
    assert windows.first_of_month(dt.date(2027, 1, 31)) == dt.date(2027, 1, 1)
    assert windows.first_of_month(dt.date(2027, 1, 31), -1) == dt.date(2026, 12, 1)
    assert windows.first_of_month(dt.date(2027, 1, 31), -11) == dt.date(2026, 2, 1)
    assert windows.first_of_month(dt.date(2026, 12, 3), 1) == dt.date(2027, 1, 1)
    assert windows.first_of_month(dt.date(2028, 2, 29), 13) == dt.date(2029, 3, 1)
    with pytest.raises(ValueError):
        windows.first_of_month(dt.date(9999, 12, 31), 1)


@pytest.mark.parametrize(
    ("kind", "day", "label"),
    [
        (MONTH, dt.date(2028, 2, 29), "2028-02"),
        (QUARTER, dt.date(2026, 12, 31), "2026-Q4"),
        (QUARTER, dt.date(2027, 1, 1), "2027-Q1"),
        (WEEK, dt.date(2027, 1, 1), "2026-W53"),  # a Friday: its week is 2026's 53rd
        (YEAR, dt.date(2026, 12, 31), "2026"),
    ],
)
def test_the_label_of_a_day_is_the_label_of_its_period(kind, day, label):
    assert windows.label_of(kind, day) == label


@pytest.mark.parametrize(
    ("instant", "zone", "label"),
    [
        # 2026-12-31T15:00Z is already New Year in Seoul (UTC+9) and Auckland (UTC+13), not yet in UTC nor in LA.
        (utc(2026, 12, 31, 15), SEOUL, "2027-01"),
        (utc(2026, 12, 31, 14, 59, 59), SEOUL, "2026-12"),
        (utc(2026, 12, 31, 11), AUCKLAND, "2027-01"),
        (utc(2026, 12, 31, 15), "UTC", "2026-12"),
        (utc(2027, 1, 1, 7, 59), LOS_ANGELES, "2026-12"),  # 31 Dec 23:59 PST
        (utc(2027, 1, 1, 8), LOS_ANGELES, "2027-01"),
        (utc(2028, 2, 29, 23), "UTC", "2028-02"),  # the leap day
    ],
)
def test_the_month_running_at_an_instant_is_the_local_month(instant, zone, label):
    assert windows.month_label(instant, zone) == label


@pytest.mark.parametrize(
    ("instant", "zone", "label"),
    [
        (utc(2026, 12, 31, 15), SEOUL, "2026-12"),  # 1 Jan 2027 00:00 KST
        (utc(2026, 12, 31, 15), "UTC", "2026-11"),
        (utc(2027, 1, 1, 7, 59), LOS_ANGELES, "2026-11"),  # still December there
        (utc(2028, 3, 1), "UTC", "2028-02"),
        (utc(2027, 1, 5), SEOUL, "2026-12"),
    ],
)
def test_last_month_is_the_month_before_the_local_one(instant, zone, label):
    assert windows.last_month_label(instant, zone) == label


def test_months_up_to_an_instant_end_with_the_local_month_oldest_first():
    assert windows.months_up_to(utc(2027, 1, 15), SEOUL, 3) == ["2026-11", "2026-12", "2027-01"]
    # The same instant, New Year in Seoul, is still December in Los Angeles.
    assert windows.months_up_to(utc(2026, 12, 31, 15), SEOUL, 2) == ["2026-12", "2027-01"]
    assert windows.months_up_to(utc(2026, 12, 31, 15), LOS_ANGELES, 2) == ["2026-11", "2026-12"]
    year = windows.months_up_to(utc(2028, 2, 29, 12), "UTC", 12)
    assert (len(year), year[0], year[-1]) == (12, "2027-03", "2028-02")
    assert windows.months_up_to(utc(2027, 1, 15), SEOUL, 0) == []


@pytest.mark.parametrize(
    ("label", "zone", "start", "end", "days"),
    [
        ("2028-02", SEOUL, utc(2028, 1, 31, 15), utc(2028, 2, 29, 15), 29),  # a leap February
        ("2027-02", SEOUL, utc(2027, 1, 31, 15), utc(2027, 2, 28, 15), 28),
        ("2026-12", SEOUL, utc(2026, 11, 30, 15), utc(2026, 12, 31, 15), 31),
        ("2026-12", LOS_ANGELES, utc(2026, 12, 1, 8), utc(2027, 1, 1, 8), 31),
        ("2027-01", AUCKLAND, utc(2026, 12, 31, 11), utc(2027, 1, 31, 11), 31),
        ("2026-12", "UTC", utc(2026, 12, 1), utc(2027, 1, 1), 31),
    ],
)
def test_month_bounds_run_from_local_midnight_of_the_first_to_the_next_first(label, zone, start, end, days):
    assert windows.month_bounds(label, zone) == (start, end)
    assert end - start == dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("label", "zone"),
    [
        ("2026-13", SEOUL),
        ("November", SEOUL),
        ("", SEOUL),
        (None, SEOUL),
        ("0001-01", SEOUL),  # starts before year 1 in UTC
        ("9999-12", LOS_ANGELES),  # ends after year 9999
    ],
)
def test_month_bounds_refuse_what_is_not_a_month_they_can_bound(label, zone):
    with pytest.raises(ValueError, match="is not a month in the form YYYY-MM"):
        windows.month_bounds(label, zone)


def test_january_of_year_one_has_bounds_west_of_utc_only():
    start, _end = windows.month_bounds("0001-01", LOS_ANGELES)
    assert start.date() == dt.date(1, 1, 1)


def test_a_month_in_any_zone_covers_the_month_in_every_zone():
    start, end = windows.month_in_any_zone("2026-12")
    assert (start, end) == (utc(2026, 11, 30, 10), utc(2027, 1, 1, 14))
    for zone in ("Pacific/Kiritimati", AUCKLAND, SEOUL, "UTC", LOS_ANGELES, "Pacific/Pago_Pago", "Etc/GMT+12"):
        local_start, local_end = windows.month_bounds("2026-12", zone)
        assert start <= local_start, zone
        assert local_end <= end, zone
    # At the ends of the calendar there is nothing beyond to widen into.
    assert windows.month_in_any_zone("0001-01") == (utc(1, 1, 1), utc(1, 2, 1))


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        ("2026-01", "2026-Q1"),
        ("2026-03", "2026-Q1"),
        ("2026-04", "2026-Q2"),
        ("2028-02", "2028-Q1"),
        ("2026-12", "2026-Q4"),
    ],
)
def test_the_quarter_of_a_month(month, quarter):
    assert windows.quarter_of_month(month) == quarter


def test_the_months_in_a_month_or_a_quarter():
    assert windows.months_in("2026-11", SEOUL) == ("2026-11",)
    assert windows.months_in("2026-Q4", SEOUL) == ("2026-10", "2026-11", "2026-12")
    assert windows.months_in("2027-Q1", SEOUL) == ("2027-01", "2027-02", "2027-03")
    # January of year 1 has bounds west of UTC only.
    assert windows.months_in("0001-01", LOS_ANGELES) == ("0001-01",)


@pytest.mark.parametrize(
    ("label", "zone", "message"),
    [
        ("2026-13", SEOUL, "is not a month .YYYY-MM. or a quarter"),
        ("2026-Q5", SEOUL, "is not a month .YYYY-MM. or a quarter"),
        ("2026-4", SEOUL, "is not a month .YYYY-MM. or a quarter"),
        ("", SEOUL, "is not a month .YYYY-MM. or a quarter"),
        ("0001-01", SEOUL, "is not a month in the form YYYY-MM"),
        ("0001-Q1", AUCKLAND, "is not a month in the form YYYY-MM"),
        ("9999-Q4", LOS_ANGELES, "is not a month in the form YYYY-MM"),
    ],
)
def test_the_months_in_a_label_refuse_anything_else(label, zone, message):
    with pytest.raises(ValueError, match=message):
        windows.months_in(label, zone)
