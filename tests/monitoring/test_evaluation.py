"""Evaluation (monitoring/evaluation/): data in through ingestion, snapshots and breaches out, known answers.

Unless a test says otherwise: a monthly target of 99.9 % measured by an up/down probe, in the portal's zone
(Asia/Seoul), so November 2026 is 43,200 minutes and its time-based error budget 0.001 x 43,200 = 43.2 minutes.
"""

import datetime as dt
from decimal import Decimal

import pytest

from agreements.choices import BudgetingMethod, MissingData, WindowKind
from monitoring.models import Breach, ComplianceSnapshot, Measurement
from tests.factories import CreditTierFactory
from tests.monitoring.evaluation_helpers import (
    DECEMBER,
    NOVEMBER,
    active_agreement,
    evaluate,
    fraction,
    kst,
    measured_target,
    record_counts,
    record_probe_minutes,
    snapshot,
    snapshot_rows,
)

pytestmark = pytest.mark.django_db
D = Decimal
NOV_2 = kst(2026, 11, 2)
AFTER_GRACE = DECEMBER + dt.timedelta(minutes=15)  # November is frozen from here on (SLM_CLOSE_GRACE_MINUTES=15)
OCCURRENCES = BudgetingMethod.OCCURRENCES


def one_day_of_probes(bad_minutes, **target_fields):
    """A target whose probe answered every minute of 1 Nov, down for ``bad_minutes`` minutes from 00:00.

    The bad minutes lie 24 hours before the evaluation at 2 Nov 00:00, so no burn-rate alert fires: the 5 m,
    30 m, 1 h and 6 h windows are clean, and the ticket rule's 6 h window too.
    """
    target = measured_target(agreement=active_agreement(valid_from=dt.date(2026, 11, 1)), **target_fields)
    record_probe_minutes(target, NOVEMBER, 1440, bad=range(bad_minutes))
    evaluate(target, NOV_2)
    return target


def a_million_requests(good, **target_fields):
    """An occurrences target over a ratio indicator: 10 samples of 100,000 requests on 10 Nov, ``good`` of them good."""
    target = measured_target(probe=False, method=OCCURRENCES, **target_fields)
    counts = [100_000] * 10
    counts[-1] -= 1_000_000 - good
    record_counts(target, {kst(2026, 11, 10, hour): (g, 100_000) for hour, g in enumerate(counts)})
    return target


# --- timeslices: 99.9 % monthly, a probe sample a minute -----------------------------------------------------------


def test_thirty_bad_minutes_spend_thirty_of_the_months_43_2_minutes_and_the_target_is_on_track():
    target = one_day_of_probes(30)
    row = snapshot(target)
    # 1,440 minutes with data on 1 Nov, 1,410 good: 1410 / 1440 = 0.979166666666...
    assert row.attainment == fraction(1410, 1440) == D("0.979166666667")
    assert (row.good_slices, row.slices_with_data, row.slices_in_scope) == (1410, 1440, 1440)
    # Budget: 0.001 x 43,200 = 43.2 minutes; consumed 30 x 1 minute; remaining 1 - 30 / 43.2 = 0.30555...
    assert (row.budget_unit, row.budget_total, row.budget_consumed) == ("minutes", D("43.2"), D(30))
    assert row.budget_remaining == 1 - fraction(30, D("43.2")) == D("0.305555555556")
    assert row.budget_left == D("13.2")
    # 30.6 % of the budget is left, above the 25 % warning threshold; the open period is still met.
    assert (row.status, row.is_closed, row.period_label) == ("on_track", False, "2026-11")
    assert (row.period_start, row.period_end) == (NOVEMBER, DECEMBER)
    assert not Breach.objects.exists()


def test_forty_bad_minutes_leave_under_a_quarter_of_the_budget_and_put_the_target_at_risk():
    row = snapshot(one_day_of_probes(40))
    # remaining = 1 - 40 / 43.2 = 0.074074...: under 25 %, budget not yet spent.
    assert row.budget_remaining == D("0.074074074074")
    assert row.status == "at_risk"
    assert not Breach.objects.exists()


def test_fifty_bad_minutes_overspend_the_budget_and_breach_the_open_period():
    target = one_day_of_probes(50)
    row = snapshot(target)
    # remaining = 1 - 50 / 43.2 = -0.157407...: the budget is spent although November is still running.
    assert row.budget_remaining == D("-0.157407407407")
    assert row.budget_left == D("-6.8")
    assert row.status == "breached"
    breach = Breach.objects.get()
    assert (breach.target, breach.kind, breach.period_label) == (target, "budget_exhausted", "2026-11")
    assert breach.attainment == fraction(1390, 1440)
    assert breach.objective == D("99.9")
    assert breach.detected_at == NOV_2


def test_the_warning_threshold_is_the_targets_own():
    # The same 30 bad minutes leave 30.6 % of the budget: at risk for a target that warns under 50 %.
    assert snapshot(one_day_of_probes(30, warning_threshold=D("50"))).status == "at_risk"


# --- occurrences: good events over all events ----------------------------------------------------------------------


def test_exactly_at_the_objective_a_closed_period_is_met_with_its_whole_budget_spent():
    target = a_million_requests(999_000)
    CreditTierFactory(target=target, below_attainment=D("99.9"), credit_percent=D("10"))
    evaluate(target, AFTER_GRACE)
    row = snapshot(target)
    # 999,000 / 1,000,000 = 0.999 exactly; budget 0.001 x 1,000,000 = 1,000 events, all 1,000 bad ones spent it.
    assert row.attainment == D("0.999")
    assert (row.budget_unit, row.budget_total, row.budget_consumed, row.budget_remaining) == (
        "events",
        D(1000),
        D(1000),
        D(0),
    )
    # Closed: judged against the objective alone, and exactly at it is met; "below 99.9 %" earns no credit.
    assert (row.is_closed, row.status) == (True, "met")
    assert (row.credit_percent, row.credit_amount) == (D(0), D(0))
    assert not Breach.objects.exists()


def test_one_event_short_of_the_objective_breaches_the_closed_period_and_earns_the_tier_credit():
    target = a_million_requests(998_999)
    CreditTierFactory(target=target, below_attainment=D("99.9"), credit_percent=D("10"))
    CreditTierFactory(target=target, below_attainment=D("99"), credit_percent=D("25"))
    evaluate(target, AFTER_GRACE)
    row = snapshot(target)
    # 998,999 / 1,000,000 = 0.998999 -> 99.8999 %: under the 99.9 % tier (10 %), not under 99 % (25 %).
    assert row.attainment == D("0.998999")
    assert (row.is_closed, row.status) == (True, "breached")
    # Credit = monthly fee 1,000,000 x 10 % = 100,000.00 KRW.
    assert (row.credit_percent, row.credit_amount, row.currency) == (D(10), D("100000.00"), "KRW")
    breach = Breach.objects.get()
    assert (breach.kind, breach.attainment, breach.period_end) == ("period_missed", D("0.998999"), DECEMBER)


def test_a_closed_period_under_the_lowest_tier_earns_that_tiers_credit():
    target = a_million_requests(980_000)  # 98 %
    CreditTierFactory(target=target, below_attainment=D("99.9"), credit_percent=D("10"))
    CreditTierFactory(target=target, below_attainment=D("99"), credit_percent=D("25"))
    evaluate(target, AFTER_GRACE)
    assert (snapshot(target).credit_percent, snapshot(target).credit_amount) == (D(25), D("250000.00"))


def test_an_open_period_earns_no_credit_yet():
    target = a_million_requests(980_000)
    CreditTierFactory(target=target, below_attainment=D("99.9"), credit_percent=D("10"))
    evaluate(target, kst(2026, 11, 20))
    row = snapshot(target)
    assert (row.is_closed, row.credit_percent, row.credit_amount) == (False, D(0), D(0))


# --- ratio timeslices, missing data, longer slices -----------------------------------------------------------------


def test_ratio_timeslices_attainment_is_the_mean_of_the_minute_ratios():
    target = measured_target(probe=False, method=BudgetingMethod.RATIO_TIMESLICES)
    # Two minutes inside a whole hour (read from the hour rollup), two at the edge (read from minute rollups).
    record_counts(
        target,
        {
            kst(2026, 11, 1, 11, 0): (10, 10),  # ratio 1
            kst(2026, 11, 1, 11, 1): (5, 10),  # 0.5
            kst(2026, 11, 1, 13, 0): (3, 4),  # 0.75
            kst(2026, 11, 1, 13, 1): (1, 4),  # 0.25
        },
    )
    evaluate(target, kst(2026, 11, 1, 13, 5))
    row = snapshot(target)
    # mean = (1 + 0.5 + 0.75 + 0.25) / 4 = 2.5 / 4 = 0.625; only the first minute is wholly good.
    assert row.attainment == D("0.625")
    assert (row.ratio_sum, row.slices_with_data, row.good_slices, row.good, row.total) == (D("2.5"), 4, 1, 19, 28)
    assert row.ratio_units == 2_500_000_000_000  # stored exactly, in 10^-12 units
    # Each slice is charged (1 - its ratio): 4 - 2.5 = 1.5 minutes of the 43.2.
    assert row.budget_consumed == D("1.5")
    assert row.budget_remaining == 1 - fraction(D("1.5"), D("43.2"))


@pytest.mark.parametrize("method", [BudgetingMethod.TIMESLICES, BudgetingMethod.RATIO_TIMESLICES])
@pytest.mark.parametrize(
    ("missing", "attainment", "consumed"),
    [
        # 60 minutes in scope, 40 with data of which 4 bad, 20 with none.
        (MissingData.IGNORE, fraction(36, 40), D(4)),  # 36 / 40 = 0.9
        (MissingData.GOOD, fraction(56, 60), D(4)),  # (36 + 20) / 60 = 0.9333...
        (MissingData.BAD, fraction(36, 60), D(24)),  # 36 / 60 = 0.6, the 20 empty minutes spent too
    ],
)
def test_minutes_without_data_are_left_out_or_counted_good_or_bad_as_the_target_says(
    method, missing, attainment, consumed
):
    target = measured_target(method=method, missing_data=missing)
    record_probe_minutes(target, NOVEMBER, 40, bad=[10, 11, 12, 13])
    evaluate(target, kst(2026, 11, 1, 1))
    row = snapshot(target)
    assert (row.slices_in_scope, row.slices_with_data) == (60, 40)
    assert (row.attainment, row.budget_consumed, row.missing_data) == (attainment, consumed, missing)


FIVE_MINUTE_SLICES = {
    # (good, total) a minute from 1 Nov 00:00 KST; slices of 5 minutes on the clock.
    **{kst(2026, 11, 1, 0, m): (10, 10) for m in range(5)},  # slice 1: 50/50 = 1
    **{kst(2026, 11, 1, 0, m): (10, 10) for m in range(5, 9)},
    kst(2026, 11, 1, 0, 9): (5, 10),  # slice 2: 45/50 = 0.9, good at a 90 % slice target
    **{kst(2026, 11, 1, 0, m): (10, 10) for m in range(10, 14)},
    kst(2026, 11, 1, 0, 14): (4, 10),  # slice 3: 44/50 = 0.88, bad; slice 4 (00:15-00:20) has no data
}


def test_five_minute_slices_at_a_90_percent_slice_target_judge_each_slice_by_its_events():
    target = measured_target(probe=False, slice_minutes=5, slice_target=D("90"))
    record_counts(target, FIVE_MINUTE_SLICES)
    evaluate(target, kst(2026, 11, 1, 0, 20))
    row = snapshot(target)
    # Four slices in scope, three with data, two good: 2 / 3; one bad slice spends 5 minutes of 43.2.
    assert (row.slices_in_scope, row.slices_with_data, row.good_slices) == (4, 3, 2)
    assert (row.good, row.total) == (139, 150)
    assert row.attainment == fraction(2, 3) == D("0.666666666667")
    assert (row.slice_minutes, row.budget_consumed) == (5, D(5))
    assert row.budget_remaining == D("0.884259259259")  # 1 - 5 / 43.2
    assert row.ratio_sum == D("2.78")  # 1 + 0.9 + 0.88, exactly


def test_the_same_data_in_one_minute_slices_at_100_percent_counts_each_minute():
    target = measured_target(probe=False)
    record_counts(target, FIVE_MINUTE_SLICES)
    evaluate(target, kst(2026, 11, 1, 0, 20))
    row = snapshot(target)
    # 20 minutes in scope, 15 with data, 13 wholly good (00:09 and 00:14 are not): 13 / 15.
    assert (row.slices_in_scope, row.slices_with_data, row.good_slices) == (20, 15, 13)
    assert row.attainment == D("0.866666666667")


def test_ratio_timeslices_over_five_minute_slices_average_the_slice_ratios():
    target = measured_target(probe=False, method=BudgetingMethod.RATIO_TIMESLICES, slice_minutes=5)
    record_counts(target, FIVE_MINUTE_SLICES)
    evaluate(target, kst(2026, 11, 1, 0, 20))
    # (1 + 0.9 + 0.88) / 3 = 2.78 / 3 = 0.92666...; consumed (3 - 2.78) x 5 = 1.1 minutes.
    row = snapshot(target)
    assert row.attainment == D("0.926666666667")
    assert row.budget_consumed == D("1.1")


# --- rolling windows and the agreement's validity ------------------------------------------------------------------


def test_a_rolling_window_keeps_a_snapshot_a_day_and_a_finished_day_ends_at_its_midnight():
    target = measured_target(
        agreement=active_agreement(valid_from=dt.date(2026, 11, 1)),
        probe=False,
        method=OCCURRENCES,
        objective="99",
        window_kind=WindowKind.ROLLING,
        rolling_days=7,
    )
    # 1,000 requests at noon every day from 1 to 10 Nov; on day d, d of them fail.
    record_counts(target, {kst(2026, 11, d, 12): (1000 - d, 1000) for d in range(1, 11)})
    evaluate(target, kst(2026, 11, 10, 18))
    rows = ComplianceSnapshot.objects.filter(target=target).order_by("period_start")
    assert [row.period_label for row in rows] == [f"2026-11-{d:02d}" for d in range(1, 11)]
    nov_9, nov_10 = snapshot(target, kst(2026, 11, 9)), snapshot(target, kst(2026, 11, 10))
    # 9 Nov is over: its window is [3 Nov 00:00, 10 Nov 00:00), days 3..9: 3 + ... + 9 = 42 bad of 7,000.
    assert (nov_9.period_end, nov_9.is_closed) == (kst(2026, 11, 10), True)
    assert (nov_9.total, nov_9.total - nov_9.good) == (7000, 42)
    assert nov_9.attainment == D("0.994")
    # Budget 0.01 x 7,000 = 70 events; 1 - 42 / 70 = 0.4 left: on track.
    assert (nov_9.budget_total, nov_9.budget_remaining, nov_9.status) == (D(70), D("0.4"), "on_track")
    # Today's window runs up to the evaluation: [3 Nov 18:00, 10 Nov 18:00), days 4..10, 49 bad.
    assert (nov_10.period_end, nov_10.is_closed) == (kst(2026, 11, 10, 18), False)
    assert (nov_10.total - nov_10.good, nov_10.attainment) == (49, D("0.993"))
    # 2 Nov: the window [27 Oct, 3 Nov) is clipped to the agreement's start, 1 Nov: days 1 and 2, 3 bad.
    assert (snapshot(target, kst(2026, 11, 2)).total, snapshot(target, kst(2026, 11, 2)).good) == (2000, 1997)
    # Rolling windows never close a period, so they earn no credit.
    assert not rows.exclude(credit_percent=0).exists()


def test_in_the_first_minute_of_a_month_the_new_month_is_the_current_snapshot():
    target = measured_target()
    record_probe_minutes(target, DECEMBER - dt.timedelta(hours=1), 60)
    evaluate(target, DECEMBER)  # 1 Dec 00:00 in Seoul, exactly
    current = ComplianceSnapshot.objects.get(target=target, is_current=True)
    assert (current.period_label, current.period_start, current.total, current.status) == (
        "2026-12",
        DECEMBER,
        0,
        "no_data",
    )
    november = snapshot(target)
    assert (november.is_current, november.is_closed, november.total) == (False, False, 60)  # in its grace


def test_at_local_midnight_the_day_just_ended_holds_a_rolling_windows_current_snapshot():
    target = measured_target(
        agreement=active_agreement(valid_from=dt.date(2026, 11, 1)), window_kind=WindowKind.ROLLING, rolling_days=7
    )
    record_probe_minutes(target, kst(2026, 11, 9, 23), 60, bad=range(5))
    evaluate(target, kst(2026, 11, 10))
    current = ComplianceSnapshot.objects.get(target=target, is_current=True)
    # The window ending now, [3 Nov 00:00, 10 Nov 00:00), is the one of the day just ended.
    assert (current.period_label, current.window_start, current.period_end) == (
        "2026-11-09",
        kst(2026, 11, 3),
        kst(2026, 11, 10),
    )
    assert (current.total, current.good, current.is_closed) == (60, 55, False)


def test_a_frozen_rolling_day_is_not_recomputed_when_late_data_arrives():
    target = measured_target(
        probe=False, method=OCCURRENCES, window_kind=WindowKind.ROLLING, rolling_days=7, objective="99"
    )
    record_counts(target, {kst(2026, 11, 9, 12): (1000, 1000)})
    evaluate(target, kst(2026, 11, 10, 18))
    record_counts(target, {kst(2026, 11, 9, 13): (0, 1000)})
    evaluate(target, kst(2026, 11, 10, 19))
    assert (snapshot(target, kst(2026, 11, 9)).good, snapshot(target, kst(2026, 11, 9)).total) == (1000, 1000)
    assert (snapshot(target, kst(2026, 11, 10)).good, snapshot(target, kst(2026, 11, 10)).total) == (1000, 2000)


def test_a_rolling_window_clipped_by_the_agreements_start_has_the_budget_of_its_clipped_length():
    target = measured_target(
        agreement=active_agreement(valid_from=dt.date(2026, 11, 1)), window_kind=WindowKind.ROLLING, rolling_days=7
    )
    evaluate(target, kst(2026, 11, 3, 12))
    # The window [27 Oct 12:00, 3 Nov 12:00) starts before the agreement: [1 Nov 00:00, 3 Nov 12:00) is 3,600
    # minutes, so 0.001 x 3,600 = 3.6 minutes of budget, not the 10.08 of a whole week.
    assert snapshot(target, kst(2026, 11, 3)).budget_total == D("3.6")
    evaluate(target, kst(2026, 11, 9, 12))
    # A week later the window is whole: 0.001 x 7 x 1,440 = 10.08.
    assert snapshot(target, kst(2026, 11, 9)).budget_total == D("10.08")


def test_an_agreement_starting_mid_month_clips_the_period_and_its_budget():
    target = measured_target(agreement=active_agreement(valid_from=dt.date(2026, 11, 16)))
    # Before the agreement: an hour down on 15 Nov, which must not count; after: 3 bad minutes on 16 Nov.
    record_probe_minutes(target, kst(2026, 11, 15, 23), 60, bad=range(60))
    record_probe_minutes(target, kst(2026, 11, 16), 1440, bad=[100, 101, 102])
    evaluate(target, kst(2026, 11, 17))
    row = snapshot(target)  # still keyed by the month's start
    # Counted from 16 Nov 00:00: 1,440 minutes, 1,437 good. Budget over 16..30 Nov: 0.001 x 15 x 1,440 = 21.6.
    assert (row.slices_in_scope, row.slices_with_data, row.good_slices) == (1440, 1440, 1437)
    assert row.budget_total == D("21.6")
    assert row.budget_remaining == D("0.861111111111")  # 1 - 3 / 21.6
    assert row.period_end == DECEMBER
    assert ComplianceSnapshot.objects.filter(target=target).count() == 1


def test_an_agreement_ending_mid_month_ends_the_period_and_closes_it_after_the_grace():
    target = measured_target(agreement=active_agreement(valid_to=dt.date(2026, 11, 11)))
    record_probe_minutes(target, kst(2026, 11, 10), 1440, bad=[0, 1])
    evaluate(target, kst(2026, 11, 12))
    row = snapshot(target)
    # [1 Nov, 11 Nov): 10 days, budget 0.001 x 14,400 = 14.4 minutes; 10 Nov counted, 11 Nov not.
    assert (row.period_end, row.budget_total, row.slices_with_data, row.good_slices) == (
        kst(2026, 11, 11),
        D("14.4"),
        1440,
        1438,
    )
    assert (row.is_closed, row.status) == (True, "breached")  # 1438 / 1440 = 0.99861 < 0.999
    assert not ComplianceSnapshot.objects.filter(period_start=DECEMBER).exists()


def test_an_agreement_not_yet_in_force_is_not_evaluated():
    target = measured_target(agreement=active_agreement(valid_from=dt.date(2026, 11, 16)))
    summary = evaluate(target, kst(2026, 11, 10))
    assert summary.snapshots == 0
    assert not ComplianceSnapshot.objects.exists()


# --- determinism, idempotence, history -----------------------------------------------------------------------------


def test_evaluating_again_at_the_same_instant_rewrites_identical_rows_and_no_duplicates():
    target = one_day_of_probes(50)
    before = snapshot_rows(target)
    evaluate(target, NOV_2)
    assert snapshot_rows(target) == before
    assert Breach.objects.count() == 1


def test_a_period_has_one_breach_however_often_it_is_evaluated():
    target = one_day_of_probes(50)
    for at in (NOV_2 + dt.timedelta(minutes=1), kst(2026, 11, 20), AFTER_GRACE, AFTER_GRACE + dt.timedelta(days=1)):
        evaluate(target, at)
    breach = Breach.objects.get()
    # The first detection stands: spent during the month, found on 2 Nov.
    assert (breach.kind, breach.detected_at) == ("budget_exhausted", NOV_2)


def test_a_frozen_period_keeps_its_objective_when_the_target_is_edited_and_the_open_one_takes_the_new():
    target = one_day_of_probes(30)
    evaluate(target, AFTER_GRACE)
    november = snapshot_rows(target)[0]
    assert (november["is_closed"], november["status"]) == (True, "breached")  # 1410 / 1440 < 0.999
    target.objective = D("95")
    target.save()
    record_probe_minutes(target, DECEMBER, 60)
    evaluate(target, DECEMBER + dt.timedelta(hours=1))
    rows = snapshot_rows(target)
    assert rows[0] == november  # computed_at, objective, status: untouched
    assert (rows[1]["period_label"], rows[1]["objective"], rows[1]["budget_total"]) == ("2026-12", D(95), D("2232"))


def test_late_data_within_the_grace_still_counts_for_the_ended_period():
    target = one_day_of_probes(0)
    evaluate(target, DECEMBER + dt.timedelta(minutes=5))  # ended, not yet frozen
    assert snapshot(target).is_closed is False
    record_probe_minutes(target, kst(2026, 11, 30, 23), 60, bad=range(60))
    evaluate(target, AFTER_GRACE)
    row = snapshot(target)
    assert (row.is_closed, row.slices_with_data, row.good_slices) == (True, 1500, 1440)


def test_a_period_missed_breach_waits_for_the_grace_so_late_data_can_still_save_the_period():
    target = a_million_requests(998_999)
    evaluate(target, DECEMBER + dt.timedelta(minutes=5))
    # Over, but within the grace: provisionally breached (0.998999), not yet history, no breach recorded.
    assert (snapshot(target).status, snapshot(target).is_closed) == ("breached", False)
    assert not Breach.objects.exists()
    # 1,000 good requests of 30 Nov arrive late: 999,999 / 1,001,000 = 0.999000999 >= 0.999.
    record_counts(target, {kst(2026, 11, 30, 23, 59): (1000, 1000)})
    evaluate(target, AFTER_GRACE)
    assert (snapshot(target).status, snapshot(target).is_closed) == ("met", True)
    assert not Breach.objects.exists()


def test_evaluation_reads_the_rollups_and_never_the_raw_measurements():
    target = one_day_of_probes(40, method=BudgetingMethod.RATIO_TIMESLICES)
    before = snapshot_rows(target)
    assert Measurement.objects.exists()
    Measurement.objects.all().delete()
    evaluate(target, NOV_2)
    assert snapshot_rows(target) == before


def test_a_closed_period_without_data_counts_samples_loaded_later():
    # October closed with nothing measured; a CSV of October arrives in late November.
    target = measured_target()
    evaluate(target, kst(2026, 11, 20))
    october = snapshot(target, kst(2026, 10, 1))
    assert (october.is_closed, october.status) == (True, "no_data")
    record_probe_minutes(target, kst(2026, 10, 5), 100, bad=range(10))
    evaluate(target, kst(2026, 11, 21))
    october = snapshot(target, kst(2026, 10, 1))
    # 90 good of 100 minutes with data: 0.9 < 0.999, a closed period missed.
    assert (october.is_closed, october.status, october.attainment) == (True, "breached", D("0.9"))


def test_a_target_without_data_has_no_data_and_no_breach():
    target = measured_target()
    evaluate(target, kst(2026, 11, 20))
    row = snapshot(target)
    assert (row.status, row.attainment, row.slices_with_data) == ("no_data", None, 0)
    assert (row.budget_total, row.budget_consumed, row.budget_remaining) == (D("43.2"), D(0), D(1))
    assert not Breach.objects.exists()


def test_an_occurrences_target_without_events_has_no_budget_to_speak_of():
    target = measured_target(probe=False, method=OCCURRENCES)
    evaluate(target, kst(2026, 11, 20))
    row = snapshot(target)
    assert (row.status, row.budget_unit, row.budget_total, row.budget_remaining) == ("no_data", "events", 0, None)
