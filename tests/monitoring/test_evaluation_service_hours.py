"""Evaluation with service hours: only in-hours events and slices count, and time budgets are in-hours time.

The office calendar is weekdays 09:00-18:00 in Seoul. November 2026 starts on a Sunday and has 21 weekdays
(2-6, 9-13, 16-20, 23-27 and 30 Nov): 21 x 9 h = 189 h = 11,340 in-hours minutes, so a 99.9 % target has
0.001 x 11,340 = 11.34 minutes of budget.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agreements.choices import BudgetingMethod
from agreements.models import WorkingPeriod
from monitoring.models import ComplianceSnapshot
from tests.factories import BusinessCalendarFactory, HolidayFactory
from tests.monitoring.evaluation_helpers import (
    NOVEMBER,
    active_agreement,
    evaluate,
    fraction,
    kst,
    measured_target,
    record_counts,
    record_probe_minutes,
    snapshot,
)

pytestmark = pytest.mark.django_db
D = Decimal
MONDAY = kst(2026, 11, 2)
BERLIN = ZoneInfo("Europe/Berlin")


def office_hours_target(**fields):
    return measured_target(service_hours=BusinessCalendarFactory(), **fields)


def test_only_in_hours_minutes_count_and_the_budget_is_the_months_in_hours_time():
    target = office_hours_target()
    # Every minute of Monday 2 Nov: down 02:00-02:10 (night, outside hours) and 10:00-10:03 (inside).
    record_probe_minutes(target, MONDAY, 1440, bad=[*range(120, 130), *range(600, 603)])
    evaluate(target, kst(2026, 11, 3))
    row = snapshot(target)
    # In scope: Sunday 1 Nov has no hours, Monday 09:00-18:00 = 540 minutes, 537 of them good.
    assert (row.slices_in_scope, row.slices_with_data, row.good_slices) == (540, 540, 537)
    assert row.attainment == fraction(537, 540) == D("0.994444444444")
    # Budget 0.001 x 11,340 = 11.34 minutes; 3 spent; 1 - 3 / 11.34 = 0.73544...
    assert (row.budget_total, row.budget_consumed) == (D("11.34"), D(3))
    assert row.budget_remaining == 1 - fraction(3, D("11.34")) == D("0.735449735450")
    assert row.status == "on_track"


def test_events_outside_service_hours_are_not_counted():
    target = office_hours_target(probe=False, method=BudgetingMethod.OCCURRENCES)
    record_counts(
        target,
        {
            kst(2026, 11, 2, 8, 59): (0, 100),  # a minute before opening
            kst(2026, 11, 2, 9, 0): (99, 100),
            kst(2026, 11, 2, 17, 59): (100, 100),
            kst(2026, 11, 2, 18, 0): (0, 100),  # closing time: outside
            kst(2026, 11, 7, 12, 0): (0, 100),  # Saturday
        },
    )
    evaluate(target, kst(2026, 11, 9))
    row = snapshot(target)
    # In hours: 199 good of 200; budget 0.001 x 200 = 0.2 events, 1 spent.
    assert (row.good, row.total, row.attainment) == (199, 200, D("0.995"))
    assert (row.budget_total, row.budget_consumed) == (D("0.2"), D(1))


def test_a_holiday_has_no_service_hours_and_shrinks_the_budget():
    target = office_hours_target()
    HolidayFactory(calendar=target.service_hours, date=dt.date(2026, 11, 2), name="Company day")
    record_probe_minutes(target, kst(2026, 11, 2, 9), 540, bad=range(100))  # the holiday: not counted
    record_probe_minutes(target, kst(2026, 11, 3, 9), 540)
    evaluate(target, kst(2026, 11, 4))
    row = snapshot(target)
    # 20 working days left in November: 20 x 540 = 10,800 minutes, budget 10.8; only Tuesday's 540 minutes count.
    assert row.budget_total == D("10.8")
    assert (row.slices_in_scope, row.slices_with_data, row.good_slices) == (540, 540, 540)
    assert row.attainment == 1


def test_outside_service_hours_a_target_with_no_in_hours_data_has_no_data():
    target = office_hours_target()
    record_probe_minutes(target, kst(2026, 11, 1), 600, bad=range(600))  # Sunday
    evaluate(target, kst(2026, 11, 2))
    assert snapshot(target).status == "no_data"


def test_burn_rates_count_in_hours_time_only():
    target = office_hours_target()
    # 08:55-09:05 on Monday: down the five minutes before opening, and at 09:04.
    record_probe_minutes(target, kst(2026, 11, 2, 8, 55), 10, bad=[0, 1, 2, 3, 4, 9])
    evaluate(target, kst(2026, 11, 2, 9, 5))
    burn_rates = snapshot(target).burn_rates
    # Both the 5 min and the 1 h window hold the same in-hours time, 09:00-09:05: 1 bad of 5 = 0.2 / 0.001 = 200.
    assert burn_rates["5"] == burn_rates["60"] == "200"


def around_the_clock_in_berlin():
    calendar = BusinessCalendarFactory(time_zone="Europe/Berlin", office_hours=False)
    for weekday in range(7):
        WorkingPeriod.objects.create(calendar=calendar, weekday=weekday, start=dt.time(0), end=dt.time(0))
    return calendar


def test_a_berlin_calendar_sets_the_months_bounds_and_october_has_745_hours_of_budget_time():
    target = measured_target(service_hours=around_the_clock_in_berlin())
    evaluate(target, dt.datetime(2026, 10, 20, 12, tzinfo=BERLIN))
    october = ComplianceSnapshot.objects.get(target=target, period_label="2026-10")
    # 1 Oct 00:00 CEST = 30 Sep 22:00Z to 1 Nov 00:00 CET = 31 Oct 23:00Z: 745 h = 44,700 min; 0.001 x = 44.7.
    assert (october.period_start, october.period_end) == (
        dt.datetime(2026, 9, 30, 22, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 31, 23, tzinfo=dt.UTC),
    )
    assert october.budget_total == D("44.7")


def test_the_day_the_clocks_go_back_has_1500_minutes_to_measure():
    target = measured_target(
        agreement=active_agreement(valid_from=dt.date(2026, 10, 25)), service_hours=around_the_clock_in_berlin()
    )
    start = dt.datetime(2026, 10, 25, tzinfo=BERLIN)
    record_probe_minutes(target, start, 1500)
    evaluate(target, dt.datetime(2026, 10, 26, tzinfo=BERLIN))
    october = ComplianceSnapshot.objects.get(target=target)
    # 25 Oct 00:00 CEST = 24 Oct 22:00Z to 26 Oct 00:00 CET = 25 Oct 23:00Z: 25 hours, every minute measured.
    assert (october.slices_in_scope, october.slices_with_data, october.attainment) == (1500, 1500, 1)
    # The clipped period, 25 Oct to 1 Nov, is 7 x 24 + 1 = 169 h = 10,140 minutes: budget 10.14.
    assert october.budget_total == D("10.14")


def test_a_period_without_service_hours_is_the_portals_zone_around_the_clock():
    target = measured_target()
    evaluate(target, kst(2026, 11, 20))
    row = snapshot(target, NOVEMBER)
    assert (row.period_label, row.budget_total, row.slices_in_scope) == ("2026-11", D("43.2"), 19 * 1440)
