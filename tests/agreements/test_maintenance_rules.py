"""The rules of agreements/maintenance.py: when a window occurs and which of its time an agreement excludes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from agreements import maintenance
from agreements.maintenance import EXCLUDED, LATE_NOTICE, MONTHLY, OVER_CAP, WEEKLY, Schedule, WindowFacts

UTC = dt.UTC
SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")


def at(*args, zone=UTC):
    return dt.datetime(*args, tzinfo=zone)


def hours(count):
    return dt.timedelta(hours=count)


def test_a_weekly_window_keeps_its_local_time_across_a_daylight_saving_change():
    schedule = Schedule(
        start=at(2026, 10, 18, 3, zone=BERLIN),
        end=at(2026, 10, 18, 5, zone=BERLIN),
        recurrence=WEEKLY,
        time_zone="Europe/Berlin",
        repeat_until=dt.date(2026, 11, 1),
    )
    assert schedule.occurrences() == [
        (at(2026, 10, 18, 1), at(2026, 10, 18, 3)),  # 03:00 CEST is 01:00Z
        (at(2026, 10, 25, 2), at(2026, 10, 25, 4)),  # clocks went back that night: 03:00 CET is 02:00Z
        (at(2026, 11, 1, 2), at(2026, 11, 1, 4)),
    ]


def test_a_monthly_window_on_the_31st_skips_the_months_without_one():
    schedule = Schedule(
        start=at(2027, 1, 31, 22, zone=SEOUL),
        end=at(2027, 1, 31, 23, zone=SEOUL),
        recurrence=MONTHLY,
        time_zone="Asia/Seoul",
        repeat_until=dt.date(2027, 6, 30),
    )
    starts = [start.astimezone(SEOUL).date() for start, _ in schedule.occurrences()]
    assert starts == [dt.date(2027, 1, 31), dt.date(2027, 3, 31), dt.date(2027, 5, 31)]
    assert schedule.last_end == at(2027, 5, 31, 23, zone=SEOUL)


def test_repeat_until_is_the_last_local_date_an_occurrence_may_start_on():
    schedule = Schedule(
        start=at(2026, 12, 6, 23, 30, zone=SEOUL),
        end=at(2026, 12, 7, 0, 30, zone=SEOUL),
        recurrence=WEEKLY,
        time_zone="Asia/Seoul",
        repeat_until=dt.date(2026, 12, 13),
    )
    assert len(schedule.occurrences()) == 2  # 6 and 13 December; the second ends on the 14th
    assert len(schedule.occurrences(since=at(2026, 12, 10), until=at(2026, 12, 31))) == 1


def test_an_occurrence_split_by_a_month_boundary_spends_each_months_cap():
    window = WindowFacts(
        1,
        "Over midnight",
        Schedule(start=at(2026, 11, 30, 22, zone=SEOUL), end=at(2026, 12, 1, 4, zone=SEOUL), time_zone="Asia/Seoul"),
        announced_at=at(2026, 11, 1),
    )
    parts = maintenance.window_parts([window], dt.timedelta(days=5), 180, "Asia/Seoul")
    assert [(part.outcome, part.start.astimezone(SEOUL).hour, part.minutes) for part in parts] == [
        (EXCLUDED, 22, 120),  # November's two hours
        (EXCLUDED, 0, 180),  # December's cap
        (OVER_CAP, 3, 60),
    ]


def test_a_repeating_window_approved_late_counts_only_its_early_occurrences():
    window = WindowFacts(
        1,
        "Weekly",
        Schedule(
            start=at(2026, 11, 1, 3, zone=SEOUL),
            end=at(2026, 11, 1, 4, zone=SEOUL),
            recurrence=WEEKLY,
            time_zone="Asia/Seoul",
            repeat_until=dt.date(2026, 11, 15),
        ),
        announced_at=at(2026, 10, 29, 3, zone=SEOUL),  # three days before the first; notice five days
    )
    parts = maintenance.window_parts([window], dt.timedelta(days=5), 600, "Asia/Seoul")
    assert [part.outcome for part in parts] == [LATE_NOTICE, EXCLUDED, EXCLUDED]


def test_an_unannounced_window_is_never_excluded():
    window = WindowFacts(1, "Planned", Schedule(start=at(2026, 11, 10), end=at(2026, 11, 10, 2)), announced_at=None)
    assert [part.outcome for part in maintenance.window_parts([window], dt.timedelta(0), 600, "UTC")] == [LATE_NOTICE]


def test_parts_before_since_still_spend_the_months_cap():
    early = WindowFacts(1, "Early", Schedule(start=at(2026, 11, 2), end=at(2026, 11, 2, 3)), at(2026, 10, 1))
    later = WindowFacts(2, "Later", Schedule(start=at(2026, 11, 20), end=at(2026, 11, 20, 3)), at(2026, 10, 1))
    parts = maintenance.window_parts([early, later], dt.timedelta(days=5), 240, "UTC", since=at(2026, 11, 15))
    assert [(part.title, part.outcome, part.minutes) for part in parts] == [
        ("Early", EXCLUDED, 180),
        ("Later", EXCLUDED, 60),
        ("Later", OVER_CAP, 120),
    ]


@pytest.mark.parametrize(
    ("spans", "intervals", "left"),
    [
        ([(0, 10)], [], [(0, 10)]),
        ([(0, 10)], [(2, 4)], [(0, 2), (4, 10)]),
        ([(0, 10)], [(-5, 3), (8, 20)], [(3, 8)]),
        ([(0, 10), (20, 30)], [(5, 25)], [(0, 5), (25, 30)]),
        ([(0, 10)], [(0, 10)], []),
        ([(0, 10)], [(10, 12)], [(0, 10)]),
    ],
)
def test_subtract_leaves_what_lies_outside_the_intervals(spans, intervals, left):
    minute = dt.timedelta(minutes=1)
    base = at(2026, 11, 1)

    def instants(pairs):
        return [(base + lo * minute, base + hi * minute) for lo, hi in pairs]

    assert list(maintenance.subtract(instants(spans), instants(intervals))) == instants(left)


def test_merged_joins_touching_and_overlapping_intervals():
    assert maintenance.merged([(5, 7), (1, 3), (3, 4), (6, 9)]) == [(1, 4), (5, 9)]
