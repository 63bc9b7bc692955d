"""Tests for agreements.calendars: hand-worked known answers, then hypothesis properties."""

import copy
import dataclasses
import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from agreements.calendars import (
    WorkingCalendar,
    WorkingTimeAhead,
    add_working_time,
    in_hours_length,
    in_hours_length_of_month,
    is_working_time,
    next_working_time,
    working_intervals,
    working_time_between,
)

KST = ZoneInfo("Asia/Seoul")  # UTC+9 all year, no DST
BERLIN = ZoneInfo("Europe/Berlin")  # CET UTC+1 / CEST UTC+2; 2026 switches on Sun 29 Mar and Sun 25 Oct
NEW_YORK = ZoneInfo("America/New_York")

NINE_TO_SIX = [(time(9), time(18))]
SEOUL_OFFICE = WorkingCalendar("Asia/Seoul", dict.fromkeys(range(5), NINE_TO_SIX))


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


# --- Seoul office: Mon-Fri 09:00-18:00 KST ------------------------------------------------------------


def test_friday_evening_to_monday_morning():
    # Fri 13 Nov 17:00-18:00 = 1 h; Sat 14 and Sun 15 have no hours; Mon 16 Nov 09:00-10:30 = 1 h 30.
    assert working_time_between(SEOUL_OFFICE, kst(2026, 11, 13, 17), kst(2026, 11, 16, 10, 30)) == hours(2.5)


def test_monday_holiday_pushes_the_work_to_tuesday():
    calendar = dataclasses.replace(SEOUL_OFFICE, holidays=frozenset({date(2026, 11, 16)}))
    # Fri 17:00-18:00 = 1 h; Mon 16 is a holiday; Tue 17 09:00-10:30 = 1 h 30 -> 2 h 30.
    assert working_time_between(calendar, kst(2026, 11, 13, 17), kst(2026, 11, 17, 10, 30)) == hours(2.5)
    # Fri 17:00-18:00 = 1 h; nothing on the holiday morning -> 1 h.
    assert working_time_between(calendar, kst(2026, 11, 13, 17), kst(2026, 11, 16, 10, 30)) == hours(1)


def test_november_2026_in_hours():
    # 1 Nov 2026 is a Sunday; weekdays are 2-6, 9-13, 16-20, 23-27 and 30 = 21 days; 21 x 9 h = 189 h.
    assert in_hours_length_of_month(SEOUL_OFFICE, 2026, 11) == hours(189)
    assert in_hours_length(SEOUL_OFFICE, date(2026, 11, 1), date(2026, 12, 1)) == hours(189)


def test_november_2026_with_holidays():
    # Tue 3 Nov is a weekday holiday: 189 h - 9 h = 180 h.
    weekday_holiday = dataclasses.replace(SEOUL_OFFICE, holidays=frozenset({date(2026, 11, 3)}))
    assert in_hours_length_of_month(weekday_holiday, 2026, 11) == hours(180)
    # Sat 14 Nov has no hours anyway: still 189 h.
    saturday_holiday = dataclasses.replace(SEOUL_OFFICE, holidays=frozenset({date(2026, 11, 14)}))
    assert in_hours_length_of_month(saturday_holiday, 2026, 11) == hours(189)


def test_always_calendar_month_in_seoul():
    calendar = WorkingCalendar.always("Asia/Seoul")
    # 30 days x 24 h x 60 min = 43,200 min.
    assert in_hours_length_of_month(calendar, 2026, 11) == timedelta(minutes=43_200)
    # 1 Nov 00:00 KST (UTC+9) = 31 Oct 15:00Z; 1 Dec 00:00 KST = 30 Nov 15:00Z; one merged interval.
    intervals = list(working_intervals(calendar, kst(2026, 11, 1), kst(2026, 12, 1)))
    assert intervals == [(utc(2026, 10, 31, 15), utc(2026, 11, 30, 15))]


def test_always_calendar_defaults_to_utc():
    calendar = WorkingCalendar.always()
    assert calendar.time_zone == "UTC"
    assert calendar.holidays == frozenset()
    # February 2026 has 28 days = 672 h.
    assert in_hours_length_of_month(calendar, 2026, 2) == hours(672)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # Fri 17:00 KST = Fri 08:00Z; Mon 10:30 KST = Mon 01:30Z.
        pytest.param(utc(2026, 11, 13, 8), utc(2026, 11, 16, 1, 30), id="utc"),
        # New York is on EST (UTC-5) after 1 Nov 2026: 08:00Z = 03:00 EST; Mon 01:30Z = Sun 20:30 EST.
        pytest.param(
            datetime(2026, 11, 13, 3, tzinfo=NEW_YORK),
            datetime(2026, 11, 15, 20, 30, tzinfo=NEW_YORK),
            id="nyc",
        ),
        pytest.param(utc(2026, 11, 13, 8), datetime(2026, 11, 15, 20, 30, tzinfo=NEW_YORK), id="mixed"),
    ],
)
def test_other_zones_give_the_kst_answer(start, end):
    assert working_time_between(SEOUL_OFFICE, start, end) == hours(2.5)
    # Fri 17:00-18:00 KST = 08:00-09:00Z; Mon 09:00-10:30 KST = 00:00-01:30Z.
    assert list(working_intervals(SEOUL_OFFICE, start, end)) == [
        (utc(2026, 11, 13, 8), utc(2026, 11, 13, 9)),
        (utc(2026, 11, 16, 0), utc(2026, 11, 16, 1, 30)),
    ]


def test_intervals_are_utc():
    intervals = list(working_intervals(SEOUL_OFFICE, kst(2026, 11, 16), kst(2026, 11, 17)))
    assert [start.tzinfo for start, _ in intervals] == [UTC]
    assert [end.tzinfo for _, end in intervals] == [UTC]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(kst(2026, 11, 14, 10), kst(2026, 11, 15, 20), id="weekend"),  # Sat 10:00 - Sun 20:00
        pytest.param(kst(2026, 11, 13, 18), kst(2026, 11, 16, 9), id="friday-close-to-monday-open"),
        pytest.param(kst(2026, 11, 16, 18, 30), kst(2026, 11, 17, 8), id="overnight"),
    ],
)
def test_span_entirely_outside_hours_is_zero(start, end):
    assert working_time_between(SEOUL_OFFICE, start, end) == timedelta(0)
    assert list(working_intervals(SEOUL_OFFICE, start, end)) == []


def test_end_before_or_equal_to_start_is_zero():
    assert working_time_between(SEOUL_OFFICE, kst(2026, 11, 16, 10, 30), kst(2026, 11, 13, 17)) == timedelta(0)
    assert working_time_between(SEOUL_OFFICE, kst(2026, 11, 16, 10), kst(2026, 11, 16, 10)) == timedelta(0)
    assert list(working_intervals(SEOUL_OFFICE, kst(2026, 11, 16, 11), kst(2026, 11, 16, 10))) == []


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (kst(2026, 11, 16, 9), True),  # opening time is inside
        (kst(2026, 11, 16, 18), False),  # closing time is outside
        (kst(2026, 11, 16, 17, 59, 59, 999_999), True),
        (kst(2026, 11, 16, 8, 59, 59, 999_999), False),
        (utc(2026, 11, 16, 0), True),  # = Mon 09:00 KST
        (kst(2026, 11, 14, 12), False),  # Saturday
    ],
)
def test_is_working_time_at_the_edges(instant, expected):
    assert is_working_time(SEOUL_OFFICE, instant) is expected


# --- Other weekly shapes -------------------------------------------------------------------------------

LUNCH_BREAK = WorkingCalendar(
    "Asia/Seoul", {weekday: [(time(9), time(12)), (time(13), time(18))] for weekday in range(5)}
)


def test_two_intervals_a_day():
    # Mon 16 Nov: 09:00-12:00 = 3 h plus 13:00-18:00 = 5 h -> 8 h.
    assert in_hours_length(LUNCH_BREAK, date(2026, 11, 16), date(2026, 11, 17)) == hours(8)
    # 09:00-12:00 KST = 00:00-03:00Z; 13:00-18:00 KST = 04:00-09:00Z.
    assert list(working_intervals(LUNCH_BREAK, kst(2026, 11, 16), kst(2026, 11, 17))) == [
        (utc(2026, 11, 16, 0), utc(2026, 11, 16, 3)),
        (utc(2026, 11, 16, 4), utc(2026, 11, 16, 9)),
    ]
    # 11:00-12:00 = 1 h plus 13:00-14:00 = 1 h -> 2 h.
    assert working_time_between(LUNCH_BREAK, kst(2026, 11, 16, 11), kst(2026, 11, 16, 14)) == hours(2)
    assert not is_working_time(LUNCH_BREAK, kst(2026, 11, 16, 12))
    assert is_working_time(LUNCH_BREAK, kst(2026, 11, 16, 13))


def test_interval_order_in_the_input_does_not_matter():
    shuffled = WorkingCalendar(
        "Asia/Seoul", {weekday: [(time(13), time(18)), (time(9), time(12))] for weekday in reversed(range(5))}
    )
    assert shuffled == LUNCH_BREAK
    assert in_hours_length_of_month(shuffled, 2026, 11) == in_hours_length_of_month(LUNCH_BREAK, 2026, 11)


def test_end_of_day_midnight_convention():
    late = WorkingCalendar("Asia/Seoul", {weekday: [(time(22), time(0))] for weekday in range(7)})
    # 22:00 to midnight at the end of the day = 2 h.
    assert in_hours_length(late, date(2026, 11, 16), date(2026, 11, 17)) == hours(2)
    assert is_working_time(late, kst(2026, 11, 16, 23, 59, 59, 999_999))
    assert not is_working_time(late, kst(2026, 11, 17, 0))  # the next day's 00:00 is not in 22:00-24:00
    whole_day = WorkingCalendar("Asia/Seoul", {0: [(time(0), time(0))]})
    assert in_hours_length(whole_day, date(2026, 11, 16), date(2026, 11, 17)) == hours(24)


def test_touching_intervals_are_merged_across_midnight_and_within_a_day():
    overnight = WorkingCalendar("Asia/Seoul", {0: [(time(22), time(0))], 1: [(time(0), time(2))]})
    # Mon 22:00-24:00 and Tue 00:00-02:00 KST form one 4 h interval, 13:00Z-17:00Z Monday.
    assert list(working_intervals(overnight, kst(2026, 11, 16), kst(2026, 11, 18))) == [
        (utc(2026, 11, 16, 13), utc(2026, 11, 16, 17)),
    ]
    split_day = WorkingCalendar("Asia/Seoul", {0: [(time(9), time(12)), (time(12), time(18))]})
    assert list(working_intervals(split_day, kst(2026, 11, 16), kst(2026, 11, 17))) == [
        (utc(2026, 11, 16, 0), utc(2026, 11, 16, 9)),
    ]


def test_a_year_of_office_hours():
    # 2026 starts on a Thursday and has 365 days = 52 weeks + Thursday: 52 x 5 + 1 = 261 weekdays x 9 h.
    assert in_hours_length(SEOUL_OFFICE, date(2026, 1, 1), date(2027, 1, 1)) == hours(2349)


# --- Daylight saving (Europe/Berlin) -------------------------------------------------------------------


def test_dst_whole_days():
    calendar = WorkingCalendar.always("Europe/Berlin")
    # 29 Mar: 00:00 CET = 28 Mar 23:00Z to 30 Mar 00:00 CEST = 29 Mar 22:00Z -> 23 h.
    assert in_hours_length(calendar, date(2026, 3, 29), date(2026, 3, 30)) == hours(23)
    # 25 Oct: 00:00 CEST = 24 Oct 22:00Z to 26 Oct 00:00 CET = 25 Oct 23:00Z -> 25 h.
    assert in_hours_length(calendar, date(2026, 10, 25), date(2026, 10, 26)) == hours(25)
    # March 2026 = 31 x 24 - 1 = 743 h; October 2026 = 31 x 24 + 1 = 745 h.
    assert in_hours_length_of_month(calendar, 2026, 3) == hours(743)
    assert in_hours_length_of_month(calendar, 2026, 10) == hours(745)


def test_dst_office_hours_stay_nine_hours():
    calendar = WorkingCalendar("Europe/Berlin", dict.fromkeys(range(7), NINE_TO_SIX))
    assert in_hours_length(calendar, date(2026, 3, 29), date(2026, 3, 30)) == hours(9)
    assert in_hours_length(calendar, date(2026, 10, 25), date(2026, 10, 26)) == hours(9)
    # Sat 28 Mar 09:00-18:00 CET = 08:00-17:00Z; Sun 29 Mar 09:00-18:00 CEST = 07:00-16:00Z.
    assert list(working_intervals(calendar, berlin(2026, 3, 28), berlin(2026, 3, 30))) == [
        (utc(2026, 3, 28, 8), utc(2026, 3, 28, 17)),
        (utc(2026, 3, 29, 7), utc(2026, 3, 29, 16)),
    ]


def test_skipped_local_times_count_from_the_jump():
    # On Sun 29 Mar the clocks go 02:00 CET -> 03:00 CEST (01:00Z). 02:30 does not exist, so 02:30-04:00
    # covers 01:00Z (the jump) to 04:00 CEST = 02:00Z -> 1 h.
    starts_in_gap = WorkingCalendar("Europe/Berlin", {6: [(time(2, 30), time(4))]})
    assert list(working_intervals(starts_in_gap, berlin(2026, 3, 29), berlin(2026, 3, 30))) == [
        (utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)),
    ]
    # 02:00-03:00 is wholly skipped -> nothing that day.
    skipped = WorkingCalendar("Europe/Berlin", {6: [(time(2), time(3))]})
    assert working_time_between(skipped, berlin(2026, 3, 29), berlin(2026, 3, 30)) == timedelta(0)
    assert not is_working_time(skipped, utc(2026, 3, 29, 1))
    # The week before, 02:00-03:00 CET = 01:00-02:00Z is an ordinary hour.
    assert working_time_between(skipped, berlin(2026, 3, 22), berlin(2026, 3, 23)) == hours(1)


def test_repeated_local_times_use_the_first_occurrence():
    # On Sun 25 Oct the clocks go 03:00 CEST -> 02:00 CET (01:00Z), so 02:00-03:00 happens twice.
    # 02:00-03:00 runs from 02:00 CEST (first reading) = 00:00Z to 03:00 CET = 02:00Z -> 2 h.
    repeated_hour = WorkingCalendar("Europe/Berlin", {6: [(time(2), time(3))]})
    assert working_time_between(repeated_hour, berlin(2026, 10, 25), berlin(2026, 10, 26)) == hours(2)
    # 02:30-02:45 is read as CEST (fold=0) = 00:30-00:45Z only -> 15 min.
    quarter = WorkingCalendar("Europe/Berlin", {6: [(time(2, 30), time(2, 45))]})
    assert working_time_between(quarter, berlin(2026, 10, 25), berlin(2026, 10, 26)) == timedelta(minutes=15)
    assert is_working_time(quarter, utc(2026, 10, 25, 0, 35))  # 02:35 CEST
    assert not is_working_time(quarter, utc(2026, 10, 25, 1, 35))  # 02:35 CET, the second time round


def test_a_skipped_calendar_day():
    # Samoa skipped Fri 30 Dec 2011 (UTC-10 -> UTC+14). Local 29 Dec 00:00 = 29 Dec 10:00Z and
    # 1 Jan 00:00 = 31 Dec 10:00Z, so the local days 29 Dec - 31 Dec hold 48 h.
    calendar = WorkingCalendar.always("Pacific/Apia")
    assert in_hours_length(calendar, date(2011, 12, 29), date(2012, 1, 1)) == hours(48)


# --- Adding working time (the instant a clock runs out) ------------------------------------------------


def test_adding_four_hours_on_friday_afternoon_runs_out_on_monday_morning():
    # Fri 4 Dec 16:30-18:00 = 1 h 30; the weekend has no hours; Mon 7 Dec 09:00-11:30 = 2 h 30.
    due = add_working_time(SEOUL_OFFICE, kst(2026, 12, 4, 16, 30), hours(4))
    assert due == kst(2026, 12, 7, 11, 30)
    assert due.tzinfo is UTC
    assert due == utc(2026, 12, 7, 2, 30)


def test_time_added_at_the_weekend_starts_at_the_next_working_interval():
    # Sat 5 Dec 10:00: nothing until Mon 09:00, then 2 h -> Mon 11:00.
    assert add_working_time(SEOUL_OFFICE, kst(2026, 12, 5, 10), hours(2)) == kst(2026, 12, 7, 11)
    # Mon 7 Dec 18:30 (after hours) + 1 h -> Tue 10:00.
    assert add_working_time(SEOUL_OFFICE, kst(2026, 12, 7, 18, 30), hours(1)) == kst(2026, 12, 8, 10)


def test_time_that_runs_out_at_closing_time_ends_at_closing_time():
    # Fri 09:00 + 9 h is Fri 18:00, the end of the interval where it runs out, not Mon 09:00.
    assert add_working_time(SEOUL_OFFICE, kst(2026, 12, 4, 9), hours(9)) == kst(2026, 12, 4, 18)
    # One microsecond more is on Monday.
    assert add_working_time(SEOUL_OFFICE, kst(2026, 12, 4, 9), hours(9) + timedelta(microseconds=1)) == kst(
        2026, 12, 7, 9, 0, 0, 1
    )


def test_adding_zero_working_time_returns_the_start_itself():
    assert add_working_time(SEOUL_OFFICE, kst(2026, 12, 5, 10), timedelta(0)) == utc(2026, 12, 5, 1)
    assert add_working_time(SEOUL_OFFICE, kst(2026, 12, 4, 10), timedelta(0)) == kst(2026, 12, 4, 10)


def test_adding_working_time_skips_a_holiday():
    calendar = dataclasses.replace(SEOUL_OFFICE, holidays=frozenset({date(2026, 12, 7)}))
    # Fri 16:30-18:00 = 1 h 30; Mon 7 Dec is a holiday; Tue 8 Dec 09:00-11:30 = 2 h 30.
    assert add_working_time(calendar, kst(2026, 12, 4, 16, 30), hours(4)) == kst(2026, 12, 8, 11, 30)


def test_adding_working_time_across_a_lunch_break_and_many_weeks():
    # Mon 16 Nov 11:00-12:00 = 1 h, then 13:00-14:00 = 1 h.
    assert add_working_time(LUNCH_BREAK, kst(2026, 11, 16, 11), hours(2)) == kst(2026, 11, 16, 14)
    # 189 h is all of November 2026 (see test_november_2026_in_hours): from 1 Nov it runs out on 30 Nov 18:00.
    assert add_working_time(SEOUL_OFFICE, kst(2026, 11, 1), hours(189)) == kst(2026, 11, 30, 18)


def test_adding_working_time_across_the_autumn_clock_change():
    # Every day 09:00-18:00 in Berlin. Sat 24 Oct 17:00 CEST = 15:00Z; 1 h to 18:00 CEST, then Sun 25 Oct
    # (clocks went back at 03:00 CEST) 09:00-10:00 CET = 08:00-09:00Z.
    every_day = WorkingCalendar("Europe/Berlin", dict.fromkeys(range(7), NINE_TO_SIX))
    assert add_working_time(every_day, berlin(2026, 10, 24, 17), hours(2)) == utc(2026, 10, 25, 9)
    assert add_working_time(every_day, berlin(2026, 10, 24, 17), hours(2)) == berlin(2026, 10, 25, 10)
    # 24x7 in Berlin: Sat 12:00 CEST (10:00Z) + 24 h is Sun 10:00Z = 11:00 CET; the day had 25 hours.
    always = WorkingCalendar.always("Europe/Berlin")
    assert add_working_time(always, berlin(2026, 10, 24, 12), hours(24)) == berlin(2026, 10, 25, 11)


def test_next_working_time():
    assert next_working_time(SEOUL_OFFICE, kst(2026, 12, 4, 10)) == kst(2026, 12, 4, 10)  # in hours: itself
    assert next_working_time(SEOUL_OFFICE, kst(2026, 12, 4, 18)) == kst(2026, 12, 7, 9)  # closing time is out
    assert next_working_time(SEOUL_OFFICE, kst(2026, 12, 4, 21)) == kst(2026, 12, 7, 9)
    assert next_working_time(SEOUL_OFFICE, kst(2026, 12, 7, 9)).tzinfo is UTC


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: add_working_time(SEOUL_OFFICE, kst(2026, 12, 4), -hours(1)), "zero or more", id="neg"),
        pytest.param(lambda: add_working_time(SEOUL_OFFICE, datetime(2026, 12, 4), hours(1)), "aware", id="naive"),
        pytest.param(lambda: add_working_time(SEOUL_OFFICE, kst(2026, 12, 4), 3600), "timedelta", id="seconds"),
        pytest.param(
            lambda: add_working_time(WorkingCalendar("UTC", {}), kst(2026, 12, 4), hours(1)), "no working", id="empty"
        ),
        pytest.param(lambda: next_working_time(WorkingCalendar("UTC", {}), kst(2026, 12, 4)), "no working", id="next"),
    ],
)
def test_adding_working_time_rejects_what_cannot_run(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- Validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_zone", "weekly_hours", "holidays", "message"),
    [
        pytest.param("Mars/Olympus", {}, frozenset(), "Mars/Olympus", id="unknown-zone"),
        pytest.param("", {}, frozenset(), "time zone", id="empty-zone"),
        pytest.param("UTC", {7: NINE_TO_SIX}, frozenset(), "Weekday", id="weekday-7"),
        pytest.param("UTC", {-1: NINE_TO_SIX}, frozenset(), "Weekday", id="weekday-negative"),
        pytest.param("UTC", {"0": NINE_TO_SIX}, frozenset(), "Weekday", id="weekday-not-int"),
        pytest.param("UTC", {0: [(time(18), time(9))]}, frozenset(), "end after it starts", id="reversed"),
        pytest.param("UTC", {0: [(time(9), time(9))]}, frozenset(), "end after it starts", id="empty"),
        pytest.param("UTC", {0: [(time(9), time(12)), (time(11), time(13))]}, frozenset(), "overlap", id="overlap"),
        pytest.param("UTC", {0: [(time(9),)]}, frozenset(), "pair", id="not-a-pair"),
        pytest.param("UTC", {0: [("09:00", "18:00")]}, frozenset(), "naive times", id="strings"),
        pytest.param("UTC", {0: [(time(9, tzinfo=UTC), time(18))]}, frozenset(), "naive times", id="aware"),
        pytest.param("UTC", {}, frozenset({datetime(2026, 1, 1)}), "dates", id="datetime-holiday"),
    ],
)
def test_invalid_calendars_are_rejected(time_zone, weekly_hours, holidays, message):
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(time_zone, weekly_hours, holidays)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: working_intervals(SEOUL_OFFICE, datetime(2026, 1, 1), kst(2026, 1, 2)), id="intervals"),
        pytest.param(lambda: working_time_between(SEOUL_OFFICE, kst(2026, 1, 1), datetime(2026, 1, 2)), id="between"),
        pytest.param(lambda: is_working_time(SEOUL_OFFICE, datetime(2026, 1, 1, 10)), id="is-working"),
    ],
)
def test_naive_datetimes_are_rejected_at_call_time(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_invalid_dates_and_months_are_rejected():
    with pytest.raises(ValueError, match="date"):
        in_hours_length(SEOUL_OFFICE, kst(2026, 1, 1), date(2026, 2, 1))
    with pytest.raises(ValueError, match="Month"):
        in_hours_length_of_month(SEOUL_OFFICE, 2026, 13)


def test_calendar_is_immutable_and_hashable():
    source = {0: [(time(9), time(18))]}
    calendar = WorkingCalendar("Asia/Seoul", source, {date(2026, 11, 16)})  # a plain set is accepted
    source[0].append((time(20), time(21)))
    source[1] = NINE_TO_SIX
    assert dict(calendar.weekly_hours) == {0: ((time(9), time(18)),)}
    assert calendar.holidays == frozenset({date(2026, 11, 16)})
    assert calendar == WorkingCalendar("Asia/Seoul", {0: NINE_TO_SIX, 3: []}, frozenset({date(2026, 11, 16)}))
    assert len({calendar, dataclasses.replace(calendar)}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        calendar.time_zone = "UTC"  # type: ignore[misc]


def test_calendar_survives_pickle_and_deepcopy():
    assert pickle.loads(pickle.dumps(LUNCH_BREAK)) == LUNCH_BREAK  # noqa: S301 - our own bytes
    assert copy.deepcopy(LUNCH_BREAK) == LUNCH_BREAK
    clone = copy.copy(SEOUL_OFFICE)
    assert in_hours_length_of_month(clone, 2026, 11) == hours(189)


# --- Properties ----------------------------------------------------------------------------------------

# Zones with awkward rules: half-hour DST (Lord Howe), midnight transitions (Santiago), a skipped day
# (Apia, Dec 2011), odd offsets (Kathmandu, St John's).
ZONE_NAMES = [
    "UTC",
    "Asia/Seoul",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Apia",
    "Asia/Kathmandu",
    "America/St_Johns",
]
zones = st.sampled_from([ZoneInfo(name) for name in ZONE_NAMES])
instants = st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 12, 31), timezones=zones)
gaps = st.one_of(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=30)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
)


def minute_of_day(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def calendars(draw, near: datetime | None = None) -> WorkingCalendar:
    weekly_hours = {}
    for weekday in range(7):
        points = sorted(draw(st.lists(st.integers(0, 1440), unique=True, max_size=6)))
        if len(points) % 2:
            points.pop()
        weekly_hours[weekday] = [
            (minute_of_day(start), minute_of_day(end)) for start, end in zip(points[::2], points[1::2], strict=True)
        ]
    holidays = frozenset()
    if near is not None:
        offsets = draw(st.lists(st.integers(-2, 40), max_size=5))
        holidays = frozenset(near.date() + timedelta(days=offset) for offset in offsets)
    return WorkingCalendar(draw(st.sampled_from(ZONE_NAMES)), weekly_hours, holidays)


@st.composite
def spans(draw, count: int) -> tuple[WorkingCalendar, list[datetime]]:
    """A calendar and `count` ordered instants, each expressed in a randomly chosen zone."""
    first = draw(instants)
    calendar = draw(calendars(near=first))
    points = [first]
    for _ in range(count - 1):
        later = points[-1].astimezone(UTC) + draw(gaps)
        points.append(later.astimezone(draw(zones)))
    return calendar, points


def elapsed(start: datetime, end: datetime) -> timedelta:
    return end.astimezone(UTC) - start.astimezone(UTC)  # absolute, not wall-clock, difference


@given(spans(3))
def test_working_time_is_additive(case):
    calendar, (a, b, c) = case
    assert working_time_between(calendar, a, c) == (
        working_time_between(calendar, a, b) + working_time_between(calendar, b, c)
    )


@given(spans(2))
def test_working_time_is_bounded_by_elapsed_time(case):
    calendar, (a, b) = case
    assert timedelta(0) <= working_time_between(calendar, a, b) <= elapsed(a, b)
    assert working_time_between(calendar, b, a) == timedelta(0)


@given(st.sampled_from(ZONE_NAMES), instants, gaps, zones)
def test_always_calendar_counts_everything(zone_name, start, gap, end_zone):
    end = (start.astimezone(UTC) + gap).astimezone(end_zone)
    assert working_time_between(WorkingCalendar.always(zone_name), start, end) == elapsed(start, end)


@given(spans(2))
def test_intervals_are_inside_sorted_disjoint_and_working(case):
    calendar, (start, end) = case
    intervals = list(working_intervals(calendar, start, end))
    assert sum((stop - begin for begin, stop in intervals), timedelta(0)) == working_time_between(calendar, start, end)
    for begin, stop in intervals:
        assert begin.tzinfo is UTC
        assert stop.tzinfo is UTC
        assert start <= begin < stop <= end
        assert is_working_time(calendar, begin + (stop - begin) / 2)
    for (_, previous_stop), (next_begin, _) in zip(intervals, intervals[1:], strict=False):
        assert previous_stop < next_begin  # strictly: touching intervals would have been merged
        assert not is_working_time(calendar, previous_stop + (next_begin - previous_stop) / 2)


working_durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=10))


@given(spans(1), working_durations)
def test_adding_working_time_round_trips_with_working_time_between(case, duration):
    calendar, (start,) = case
    assume(any(calendar.weekly_hours.values()))
    end = add_working_time(calendar, start, duration)
    assert end.tzinfo is UTC
    assert working_time_between(calendar, start, end) == duration
    if duration:  # and it is the earliest such instant
        assert working_time_between(calendar, start, end - timedelta(microseconds=1)) < duration


@given(spans(2))
def test_adding_the_working_time_between_two_instants_lands_at_or_before_the_second(case):
    calendar, (start, end) = case
    assume(any(calendar.weekly_hours.values()))
    landed = add_working_time(calendar, start, working_time_between(calendar, start, end))
    assert landed <= end
    assert working_time_between(calendar, landed, end) == timedelta(0)


@pytest.mark.parametrize("start_hour", [3, 9, 12, 17, 18, 23])
def test_working_time_ahead_gives_what_add_working_time_gives(start_hour):
    calendar = WorkingCalendar(
        "Asia/Seoul",
        {day: [(time(9), time(12)), (time(13), time(18))] for day in range(5)},
        holidays=frozenset({date(2026, 12, 7)}),
    )
    start = datetime(2026, 12, 4, start_hour, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    ahead = WorkingTimeAhead(calendar, start)
    # Asked out of order, repeatedly, and across interval ends (3 h is the end of the morning on a working day).
    for minutes in (600, 0, 1, 180, 181, 60, 3000, 180, 480, 479, 2700):
        duration = timedelta(minutes=minutes)
        assert ahead.add(duration) == add_working_time(calendar, start, duration), minutes


@given(spans(3))
def test_working_time_ahead_until_gives_what_working_time_between_gives(case):
    calendar, (start, middle, end) = case
    assume(any(calendar.weekly_hours.values()))
    ahead = WorkingTimeAhead(calendar, start)
    # Asked out of order and again: the intervals listed for the farther instant serve the nearer one.
    for instant in (end, middle, start, end, start - timedelta(hours=1)):
        assert ahead.until(instant) == working_time_between(calendar, start, instant)


def test_working_time_ahead_until_counts_business_time_over_a_weekend_and_a_holiday():
    calendar = WorkingCalendar(
        "Asia/Seoul", {day: [(time(9), time(18))] for day in range(5)}, holidays=frozenset({date(2026, 12, 7)})
    )
    seoul = ZoneInfo("Asia/Seoul")
    ahead = WorkingTimeAhead(calendar, datetime(2026, 12, 4, 16, 30, tzinfo=seoul))
    assert ahead.until(datetime(2026, 12, 4, 18, 0, tzinfo=seoul)) == timedelta(hours=1, minutes=30)
    assert ahead.until(datetime(2026, 12, 7, 12, 0, tzinfo=seoul)) == timedelta(hours=1, minutes=30)  # a holiday
    assert ahead.until(datetime(2026, 12, 8, 11, 30, tzinfo=seoul)) == timedelta(hours=4)
