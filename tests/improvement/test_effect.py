"""Known answers of the effect review's arithmetic (improvement/effect.py), hand-worked from fixed periods.

Pure Python: also runs with ``pytest -p no:django --noconftest tests/improvement/test_effect.py``.

At a 99.9 % objective the error budget is 0.001 of the period, so the tolerance is 0.1 × 0.001 = 0.0001: a change
of mean attainment by 0.00009 is no change, by 0.00011 it is a change.
"""

from decimal import Decimal, Inexact, Rounded, localcontext

import pytest

from improvement import effect
from improvement.effect import IMPROVED, NO_CHANGE, NOT_ENOUGH_DATA, WORSE, Period, plan_verdict, target_effect

D = Decimal
OBJECTIVE = D("0.999")


def periods(*attainments, first_month=1, breached=()):
    """Monthly periods 2026-01, 2026-02, ... with the given attainments (None: no data); ``breached`` lists the
    positions of breached periods."""
    return [
        Period(f"2026-{first_month + i:02d}", None if value is None else D(value), i in breached)
        for i, value in enumerate(attainments)
    ]


def verdict(before, after, n=3, objective=OBJECTIVE):
    return target_effect(before, after, n, objective).verdict


def test_the_tolerance_is_a_tenth_of_the_error_budget():
    assert target_effect([], [], 3, D("0.999")).tolerance == D("0.0001")
    assert target_effect([], [], 3, D("0.99")).tolerance == D("0.001")
    assert target_effect([], [], 3, D("0.95")).tolerance == D("0.005")


def test_higher_mean_attainment_beyond_the_tolerance_is_improved():
    before = periods("0.9990", "0.9992", "0.9994")  # mean 0.9992
    after = periods("0.9994", "0.9995", "0.9996", first_month=7)  # mean 0.9995: +0.0003
    result = target_effect(before, after, 3, OBJECTIVE)
    assert result.verdict == IMPROVED
    assert (result.before.mean_attainment, result.after.mean_attainment) == (D("0.9992"), D("0.9995"))
    assert (result.before.breaches, result.after.breaches) == (0, 0)


def test_lower_mean_attainment_beyond_the_tolerance_is_worse():
    before = periods("0.9995", "0.9995", "0.9995")
    after = periods("0.9992", "0.9993", "0.9994", first_month=7)  # mean 0.9993: -0.0002
    assert verdict(before, after) == WORSE


@pytest.mark.parametrize(
    ("after_mean", "expected"),
    [
        ("0.99929", NO_CHANGE),  # +0.00009
        ("0.99931", IMPROVED),  # +0.00011
        ("0.99930", NO_CHANGE),  # +0.0001 exactly: not more than the tolerance
        ("0.99911", NO_CHANGE),  # -0.00009
        ("0.99909", WORSE),  # -0.00011
        ("0.99910", NO_CHANGE),  # -0.0001 exactly
    ],
)
def test_a_change_within_a_tenth_of_the_error_budget_is_no_change(after_mean, expected):
    before = periods("0.9992", "0.9992", "0.9992")  # mean 0.9992
    after = periods(after_mean, after_mean, after_mean, first_month=7)
    assert verdict(before, after) == expected


def test_fewer_breaches_is_improved_even_when_the_mean_barely_moves():
    before = periods("0.9980", "0.9995", "0.9995", breached=[0])  # mean 0.99900, one breach
    after = periods("0.9991", "0.9991", "0.9991", first_month=7)  # mean 0.99910: +0.0001, within the tolerance
    result = target_effect(before, after, 3, OBJECTIVE)
    assert (result.before.breaches, result.after.breaches) == (1, 0)
    assert result.verdict == IMPROVED


def test_fewer_breaches_but_a_mean_lower_beyond_the_tolerance_is_worse():
    before = periods("0.9985", "1", "1", breached=[0])  # mean 0.9995, one breach
    after = periods("0.9991", "0.9991", "0.9991", first_month=7)  # mean 0.9991: -0.0004
    assert verdict(before, after) == WORSE


def test_more_breaches_is_worse_even_with_a_higher_mean():
    before = periods("0.9991", "0.9991", "0.9991")  # mean 0.9991
    after = periods("0.9989", "1", "1", first_month=7, breached=[0])  # mean 0.99963, one breach
    assert verdict(before, after) == WORSE


def test_as_many_breaches_and_a_steady_mean_is_no_change():
    before = periods("0.9980", "0.9995", "0.9995", breached=[0])
    after = periods("0.9995", "0.9980", "0.9995", first_month=7, breached=[1])
    assert verdict(before, after) == NO_CHANGE


def test_only_the_last_n_periods_before_and_the_first_n_after_are_compared():
    # A bad January and a bad December fall outside the three compared periods on each side.
    before = periods("0.9000", "0.9995", "0.9995", "0.9995", breached=[0])
    after = periods("0.9995", "0.9995", "0.9995", "0.9000", first_month=7, breached=[3])
    result = target_effect(before, after, 3, OBJECTIVE)
    assert [p.label for p in result.before.periods] == ["2026-02", "2026-03", "2026-04"]
    assert [p.label for p in result.after.periods] == ["2026-07", "2026-08", "2026-09"]
    assert result.verdict == NO_CHANGE


@pytest.mark.parametrize(
    ("before", "after", "n"),
    [
        (periods("0.999", "0.999"), periods("0.9999", "0.9999", "0.9999", first_month=7), 3),  # two before
        (periods("0.999", "0.999", "0.999"), periods("0.9999", "0.9999", first_month=7), 3),  # two after
        (periods("0.999", None, "0.999"), periods("0.9999", "0.9999", "0.9999", first_month=7), 3),  # a gap
        (periods("0.999", "0.999", "0.999"), periods("0.9999", None, "0.9999", first_month=7), 3),
        ([], [], 1),
        (periods("0.999"), periods("0.9999", first_month=7), 0),  # nothing to compare
    ],
)
def test_fewer_measured_periods_than_compared_is_not_enough_data(before, after, n):
    assert verdict(before, after, n) == NOT_ENOUGH_DATA


def test_a_period_without_data_counts_its_breach_but_not_in_the_mean():
    before = periods("0.9990", None, "0.9994", breached=[1])
    side = effect.side(before)
    assert (side.mean_attainment, side.breaches) == (D("0.9992"), 1)
    assert effect.side([]).mean_attainment is None


def test_one_period_each_side_is_enough_when_n_is_one():
    before = periods("0.9980", breached=[0], first_month=10)  # October breached
    after = periods("1", first_month=12)
    assert verdict(before, after, n=1) == IMPROVED


def test_the_tolerance_follows_the_objective():
    # At 99 % the tolerance is 0.001: a mean up by 0.0009 is no change, by 0.0011 improved.
    before = periods("0.9950", "0.9950", "0.9950")
    assert verdict(before, periods("0.9959", "0.9959", "0.9959"), objective=D("0.99")) == NO_CHANGE
    assert verdict(before, periods("0.9961", "0.9961", "0.9961"), objective=D("0.99")) == IMPROVED


def test_the_objective_may_be_given_as_a_string():
    before = periods("0.9992", "0.9992", "0.9992")
    assert verdict(before, periods("0.99931", "0.99931", "0.99931"), objective="0.999") == IMPROVED


def effect_with(verdict_value):
    return effect.TargetEffect(effect.side([]), effect.side([]), verdict_value, D("0.0001"))


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([IMPROVED, WORSE], WORSE),
        ([NO_CHANGE, WORSE, NOT_ENOUGH_DATA], WORSE),
        ([IMPROVED, NO_CHANGE], IMPROVED),
        ([IMPROVED, NOT_ENOUGH_DATA], IMPROVED),
        ([NO_CHANGE, NOT_ENOUGH_DATA], NO_CHANGE),
        ([NOT_ENOUGH_DATA, NOT_ENOUGH_DATA], NOT_ENOUGH_DATA),
        ([IMPROVED], IMPROVED),
        ([], NOT_ENOUGH_DATA),
    ],
)
def test_a_plan_is_worse_if_any_target_is_worse_else_improved_if_any_improved(verdicts, expected):
    assert plan_verdict([effect_with(v) for v in verdicts]) == expected


def test_the_arithmetic_does_not_use_the_callers_decimal_context():
    # A 1-digit default context that raises on any rounding: a mean or a tolerance computed in it would raise.
    before = periods("0.9990", "0.9992", "0.9993")  # mean 0.99916666...
    after = periods("0.9994", "0.9995", "0.9997")  # mean 0.99953333...
    usual = target_effect(before, after, 3, OBJECTIVE)
    with localcontext(prec=1, traps=[Inexact, Rounded]):
        trapped = target_effect(before, after, 3, OBJECTIVE)
    assert trapped == usual
    assert (usual.before.mean_attainment, usual.verdict) == (D("0.9991666666666666666666666667"), IMPROVED)
