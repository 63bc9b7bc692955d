"""Exact, as docs/compliance.md promises: sums of slice ratios in integers, a spent budget that is exactly spent,
credits rounded once to the currency's minor unit, and results that do not depend on the thread's decimal context.

The month of the issue: November 2026 in Asia/Seoul (43,200 minutes), every minute 999 good of 1,000 events, a
99.9 % ratio-timeslices target. Each minute's ratio is 0.999 exactly (999,000,000,000 units of 10^-12), so the month
sums to 43,156.8 slices: 43.2 minutes consumed of the 43.2 allowed, nothing left. In floats the same sum was
43,156.80000000009 and 0.000000000002 of the budget seemed left: at risk instead of breached.
"""

import datetime as dt
from decimal import Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, Rounded, localcontext

import pytest
from django.db import connection

from agreements.choices import BudgetingMethod, CalendarPeriod
from monitoring.intake.ingest import record_samples
from monitoring.intake.rollups import apply_minute_deltas, minute_number
from monitoring.models import Alert, Breach, ComplianceSnapshot, HourRollup
from tests.factories import CreditTierFactory
from tests.monitoring.evaluation_helpers import (
    DECEMBER,
    NOVEMBER,
    active_agreement,
    burning_target,
    evaluate,
    indicator_of,
    kst,
    measured_target,
    record_counts,
    snapshot,
    snapshot_rows,
)
from tests.monitoring.factories import IndicatorFactory, at, make_samples

pytestmark = pytest.mark.django_db
D = Decimal
MONTH_MINUTES = 43_200
IN_THE_GRACE = DECEMBER + dt.timedelta(minutes=5)  # November has ended; it closes 15 minutes after its end
AFTER_GRACE = DECEMBER + dt.timedelta(minutes=15)


def a_month_exactly_at_the_objective(**fields):
    """A 99.9 % ratio-timeslices target whose indicator had 999 good of 1,000 events in every minute of November.

    The minutes go straight into the hour rollups (one call, 720 hour rows): evaluation reads nothing else.
    """
    target = measured_target(
        agreement=active_agreement(valid_from=dt.date(2026, 11, 1)),
        probe=False,
        method=BudgetingMethod.RATIO_TIMESLICES,
        **fields,
    )
    first = minute_number(NOVEMBER)
    apply_minute_deltas(indicator_of(target).pk, [(first + m, 999, 1_000, 1) for m in range(MONTH_MINUTES)])
    return target


def test_a_month_exactly_at_the_objective_spends_its_budget_to_the_last_unit_and_is_met_once_closed():
    target = a_month_exactly_at_the_objective()

    evaluate(target, IN_THE_GRACE)
    row = snapshot(target)
    # 43,200 minutes x 0.999 = 43,156.8, summed exactly (720 hours of 60 x 999,000,000,000 units each).
    assert (row.slices_with_data, row.good_slices, row.ratio_units) == (MONTH_MINUTES, 0, 43_156_800_000_000_000)
    assert row.ratio_sum == D("43156.8")
    # Budget 0.001 x 43,200 = 43.2 minutes; consumed (43,200 - 43,156.8) x 1 minute = 43.2; left 0, remaining 0.
    assert (row.budget_total, row.budget_consumed) == (D("43.2"), D("43.2"))
    assert (row.budget_left, row.budget_remaining) == (0, 0)
    assert row.attainment == D("0.999")  # 43,156.8 / 43,200
    # Ended but not yet closed: judged by its budget, which is spent. No breach is recorded before the grace is over.
    assert (row.is_closed, row.status) == (False, "breached")
    assert not Breach.objects.exists()

    evaluate(target, AFTER_GRACE)
    row = snapshot(target)
    # Closed: judged against the objective, and exactly at it is met.
    assert (row.is_closed, row.status, row.attainment) == (True, "met", D("0.999"))
    assert (row.budget_consumed, row.budget_remaining) == (D("43.2"), 0)
    assert not Breach.objects.exists()


def test_a_minute_short_of_the_last_the_budget_is_not_yet_spent():
    target = a_month_exactly_at_the_objective()
    evaluate(target, kst(2026, 11, 30, 23, 59))  # counts 43,199 minutes
    row = snapshot(target)
    # consumed 43,199 x 0.001 = 43.199 of 43.2; remaining 1 - 43.199 / 43.2 = 0.000023148148...: at risk.
    assert (row.budget_consumed, row.budget_left) == (D("43.199"), D("0.001"))
    assert row.budget_remaining == D("0.000023148148")
    assert row.status == "at_risk"


def test_the_hour_rollups_keep_their_ratio_sums_as_exact_integers():
    indicator = IndicatorFactory()
    samples = make_samples(at("2026-03-02 09:00:00"), [(999, 1_000), (1, 3), (2, 3)], step=dt.timedelta(minutes=1))
    record_samples(indicator, samples, now=at("2026-03-02 10:00:00"))

    stored = HourRollup.objects.get(indicator=indicator).ratio_units
    # 0.999 + 0.333333333333 + 0.666666666667 = 1.999 (the two thirds round down and up to 12 places)
    assert (type(stored), stored) == (int, 1_999_000_000_000)
    with connection.cursor() as cursor:
        kind = {"postgresql": "pg_typeof(ratio_units)::text", "sqlite": "typeof(ratio_units)"}[connection.vendor]
        cursor.execute(f"SELECT {kind}, ratio_units FROM monitoring_hourrollup WHERE indicator_id = %s", [indicator.pk])  # noqa: S608
        assert cursor.fetchone() in {("bigint", 1_999_000_000_000), ("integer", 1_999_000_000_000)}


def test_a_weekly_credit_is_three_thirteenths_of_the_monthly_one_rounded_once_to_the_currencys_minor_unit():
    # The ISO week 2026-W45 (Mon 2 Nov .. Mon 9 Nov, Seoul): 980 good of 1,000 requests = 98 %, under the 99.9 % tier.
    # 10 % of 1,000,000 a month, for 3/13 of a month: 1,000,000 x 0.1 x 3/13 = 23,076.923076...
    credits = {}
    for currency in ("KRW", "USD"):
        target = measured_target(
            agreement=active_agreement(valid_from=dt.date(2026, 11, 2), currency=currency),
            probe=False,
            method=BudgetingMethod.OCCURRENCES,
            calendar_period=CalendarPeriod.WEEK,
        )
        CreditTierFactory(target=target, below_attainment=D("99.9"), credit_percent=D("10"))
        record_counts(target, {kst(2026, 11, 3, 12): (980, 1_000)})
        evaluate(target, kst(2026, 11, 9, 0, 15))
        row = snapshot(target, kst(2026, 11, 2))
        assert (row.period_label, row.is_closed, row.status, row.credit_percent) == ("2026-W45", True, "breached", 10)
        credits[currency] = row.credit_amount
    assert credits == {"KRW": D("23077"), "USD": D("23076.92")}


def test_a_credit_is_not_settled_while_the_period_is_in_its_grace():
    target = measured_target(probe=False, method=BudgetingMethod.OCCURRENCES)
    CreditTierFactory(target=target, below_attainment=D("99.9"), credit_percent=D("10"))
    record_counts(target, {kst(2026, 11, 10): (980, 1_000)})
    evaluate(target, IN_THE_GRACE)
    assert (snapshot(target).is_closed, snapshot(target).credit_amount) == (False, 0)
    evaluate(target, AFTER_GRACE)
    assert (snapshot(target).is_closed, snapshot(target).credit_amount) == (True, D("100000"))


# --- no arithmetic in the thread's default decimal context ---------------------------------------------------------

TRAPPED = {"prec": 1, "traps": [Inexact, Rounded, InvalidOperation, DivisionByZero, Overflow]}


def rows_evaluated_twice(target, instant):
    """The snapshot rows evaluated as usual, then, from scratch, at the same instant with a 1-digit default context
    that raises on any rounding: any Decimal operation left in the default context fails the second run. The first
    run's snapshots are deleted in between, so that closed periods (never recomputed) are computed again too."""

    def rows():
        return [{name: value for name, value in row.items() if name != "pk"} for row in snapshot_rows(target)]

    evaluate(target, instant)
    usual = rows()
    ComplianceSnapshot.objects.filter(target=target).delete()
    with localcontext(**TRAPPED):
        evaluate(target, instant)
    return usual, rows()


@pytest.mark.parametrize("instant", [IN_THE_GRACE, AFTER_GRACE])
def test_the_exact_month_evaluates_alike_in_a_tiny_trapping_default_context(instant):
    usual, trapped = rows_evaluated_twice(a_month_exactly_at_the_objective(), instant)
    assert trapped == usual


def test_credits_evaluate_alike_in_a_tiny_trapping_default_context():
    target = measured_target(
        agreement=active_agreement(valid_from=dt.date(2026, 11, 2), currency="USD"),
        probe=False,
        method=BudgetingMethod.OCCURRENCES,
        calendar_period=CalendarPeriod.WEEK,
        warning_threshold=D("33.3"),
    )
    CreditTierFactory(target=target, below_attainment=D("99.9"), credit_percent=D("12.5"))
    record_counts(target, {kst(2026, 11, 3, 12): (997, 1_000)})
    usual, trapped = rows_evaluated_twice(target, kst(2026, 11, 9, 0, 15))
    assert trapped == usual
    # 1,000,000 x 0.125 x 3/13 = 28,846.153846... -> 28,846.15 USD
    assert snapshot(target, kst(2026, 11, 2)).credit_amount == D("28846.15")


def test_five_minute_slices_at_a_slice_target_evaluate_alike_in_a_tiny_trapping_default_context():
    target = measured_target(probe=False, slice_minutes=5, slice_target=D("99.5"))
    record_counts(target, {kst(2026, 11, 1, 0, m): (199 if m % 7 else 198, 200) for m in range(60)})
    usual, trapped = rows_evaluated_twice(target, kst(2026, 11, 1, 1))
    assert trapped == usual
    # Each 5-minute slice has 1,000 events; a slice is good at 995 or more (99.5 %): the slices with a minute at
    # 198 of 200 (m = 0, 7, 14, ...) have 994 good, the others 995.
    row = snapshot(target)
    assert (row.slices_with_data, row.good_slices) == (12, 3)


def test_burn_rates_and_alerts_evaluate_alike_in_a_tiny_trapping_default_context():
    target = burning_target()
    usual, trapped = rows_evaluated_twice(target, kst(2026, 11, 4))
    assert trapped == usual
    assert Alert.objects.get(target=target).rule.name == "page-1h"
