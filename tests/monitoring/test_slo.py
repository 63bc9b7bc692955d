"""The compliance arithmetic of monitoring/slo.py: known answers (working beside each) and properties."""

from decimal import Decimal, Inexact, Rounded, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.slo import (
    DEFAULT_BURN_RULES,
    BurnRule,
    ErrorBudget,
    Method,
    MissingData,
    Status,
    Tally,
    attainment,
    burn_rate,
    counted_slices,
    credit_percent,
    error_budget,
    from_percent,
    projected_remaining,
    ratio_from_units,
    ratio_units,
    rounded,
    rule_fires,
    share,
    status,
    to_percent,
)

D = Decimal
MONTH_MINUTES = 30 * 24 * 60  # 43,200
NINES = D("0.999")
STEP = D("1e-12")  # one quantization step of a public result


def probe_tally(slices: int, bad: int, in_scope: int | None = None) -> Tally:
    """One probe sample a slice: a slice is good (ratio 1) or bad (ratio 0)."""
    good = slices - bad
    return Tally(
        good=good,
        total=slices,
        slices_with_data=slices,
        good_slices=good,
        ratio_sum=D(good),
        slices_in_scope=slices if in_scope is None else in_scope,
    )


# --- error budgets, time-based -------------------------------------------------------------------------------------


def test_99_9_percent_of_a_30_day_month_allows_exactly_43_2_minutes():
    # (1 - 0.999) x 43,200 = 0.001 x 43,200 = 43.2
    budget = error_budget(Method.TIMESLICES, probe_tally(43_200, 0), NINES, period_minutes=MONTH_MINUTES)
    assert budget.unit == "minutes"
    assert budget.total == D("43.2")
    assert budget.consumed == 0
    assert budget.remaining == 1


def test_ten_bad_minutes_leave_about_77_percent_of_a_month_budget():
    # consumed = 10 slices x 1 min = 10; remaining = 1 - 10/43.2 = 1 - 0.231481481481… = 0.768518518519
    budget = error_budget(Method.TIMESLICES, probe_tally(43_200, 10), NINES, period_minutes=MONTH_MINUTES)
    assert budget.consumed == D("10")
    assert budget.remaining == D("0.768518518519")
    assert budget.left == D("33.2")  # 43.2 - 10


def test_fifty_bad_minutes_overspend_a_month_budget():
    # remaining = 1 - 50/43.2 = 1 - 1.157407407407… = -0.157407407407; left = 43.2 - 50 = -6.8
    budget = error_budget(Method.TIMESLICES, probe_tally(43_200, 50), NINES, period_minutes=MONTH_MINUTES)
    assert budget.remaining == D("-0.157407407407")
    assert budget.left == D("-6.8")


def test_a_time_based_budget_is_taken_over_the_whole_period_not_the_time_elapsed():
    # Day 1 of the month: 1,440 slices so far, 10 bad; the budget is still 0.001 x 43,200 = 43.2 minutes.
    budget = error_budget(Method.TIMESLICES, probe_tally(1_440, 10), NINES, period_minutes=MONTH_MINUTES)
    assert (budget.total, budget.consumed, budget.remaining) == (D("43.2"), D("10"), D("0.768518518519"))


def test_bad_slices_are_charged_at_the_slice_length():
    # 3 bad five-minute slices = 15 minutes of 43.2
    budget = error_budget(
        Method.TIMESLICES, probe_tally(8_640, 3), NINES, period_minutes=MONTH_MINUTES, slice_minutes=5
    )
    assert budget.consumed == D("15")


def test_time_based_methods_need_the_period_length():
    for method in (Method.TIMESLICES, Method.RATIO_TIMESLICES):
        with pytest.raises(ValueError, match="period_minutes"):
            error_budget(method, probe_tally(10, 1), NINES)


def test_one_minus_0_999_is_exactly_0_001_in_every_budget():
    # In floats 1 - 0.999 = 0.0010000000000000009; in Decimal it is 0.001, and a float objective goes through str.
    assert 1 - 0.999 != 0.001
    events = error_budget(Method.OCCURRENCES, Tally(good=1, total=1), NINES)
    minutes = error_budget(Method.TIMESLICES, probe_tally(1, 0), 0.999, period_minutes=1)
    assert events.total == D("0.001")
    assert minutes.total == D("0.001")
    assert str(minutes.total) == "0.001000000000"


# --- occurrences ---------------------------------------------------------------------------------------------------


def test_999000_good_of_a_million_events_attain_exactly_99_9_percent_and_spend_the_whole_budget():
    # attainment = 999,000 / 1,000,000 = 0.999; budget = 0.001 x 1,000,000 = 1,000 events; consumed = 1,000 bad
    tally = Tally(good=999_000, total=1_000_000)
    budget = error_budget(Method.OCCURRENCES, tally, NINES)
    assert attainment(Method.OCCURRENCES, tally) == D("0.999")
    assert (budget.unit, budget.total, budget.consumed, budget.remaining) == ("events", 1000, 1000, 0)
    # An open period at exactly 0 remaining has spent its budget.
    verdict = status(
        attainment=D("0.999"),
        objective=NINES,
        closed=False,
        budget_remaining=budget.remaining,
        warning_threshold=D("0.25"),
    )
    assert verdict is Status.BREACHED


def test_half_a_budget_left_is_on_track_with_a_25_percent_warning_threshold():
    # 500 bad of 1,000 allowed -> remaining = 1 - 500/1000 = 0.5 >= 0.25 -> ON_TRACK (running: nothing is met yet)
    tally = Tally(good=999_500, total=1_000_000)
    remaining = error_budget(Method.OCCURRENCES, tally, NINES).remaining
    assert remaining == D("0.5")
    verdict = status(
        attainment=attainment(Method.OCCURRENCES, tally),
        objective=NINES,
        closed=False,
        budget_remaining=remaining,
        warning_threshold=D("0.25"),
    )
    assert verdict is Status.ON_TRACK


def test_200_bad_events_of_1000_allowed_leave_80_percent():
    # remaining = 1 - 200/1000 = 0.8
    assert error_budget(Method.OCCURRENCES, Tally(good=999_800, total=1_000_000), NINES).remaining == D("0.8")


def test_occurrences_ignore_slices_and_the_missing_data_policy():
    tally = Tally(good=3, total=4, slices_with_data=1, good_slices=0, ratio_sum=D("0.75"), slices_in_scope=9)
    for missing in MissingData:
        assert attainment(Method.OCCURRENCES, tally, missing) == D("0.75")  # 3 / 4


# --- timeslices and ratio timeslices -------------------------------------------------------------------------------


def test_two_bad_minutes_of_a_day_attain_1438_of_1440():
    # 1438 / 1440 = 0.998611111111…
    assert attainment(Method.TIMESLICES, probe_tally(1_440, 2)) == D("0.998611111111")


def test_ratio_timeslices_take_the_mean_of_the_slice_ratios():
    # slices at 1, 0.5 and 0.75: (1 + 0.5 + 0.75) / 3 = 2.25 / 3 = 0.75
    slices = [
        Tally(slices_with_data=1, slices_in_scope=1, ratio_sum=r, good_slices=g) for r, g in ((1, 1), (D("0.5"), 0))
    ]
    window = sum(slices) + Tally(slices_with_data=1, slices_in_scope=1, ratio_sum=D("0.75"))
    assert window.ratio_sum == D("2.25")
    assert window.ratio_units == 2_250_000_000_000
    assert attainment(Method.RATIO_TIMESLICES, window) == D("0.75")
    # Budget: each slice is charged (1 - ratio) of its length: 0 + 0.5 + 0.25 = 0.75 slice = 3.75 five-minute units.
    budget = error_budget(Method.RATIO_TIMESLICES, window, NINES, period_minutes=MONTH_MINUTES, slice_minutes=5)
    assert budget.consumed == D("3.75")


@pytest.mark.parametrize(
    ("good", "total", "units"),
    [
        (999, 1_000, 999_000_000_000),  # 0.999 exactly
        (1, 1, 10**12),
        (0, 7, 0),
        (1, 3, 333_333_333_333),  # 0.333333333333|33...: down
        (2, 3, 666_666_666_667),  # 0.666666666666|66...: up
        (6, 7, 857_142_857_143),  # 0.857142857142|857...: up
        (1, 2 * 10**12, 0),  # 0.000000000000|5: a tie, to the even 0
        (3, 2 * 10**12, 2),  # 0.000000000001|5: a tie, to the even 2
        (5, 2 * 10**12, 2),  # 0.000000000002|5: a tie, to the even 2
    ],
)
def test_a_slice_ratio_is_an_integer_of_10_to_the_minus_12_rounded_half_to_even(good, total, units):
    assert ratio_units(good, total) == units
    assert ratio_from_units(units) == D(units).scaleb(-12)


def test_a_ratio_needs_a_total_and_at_most_as_many_good_events():
    for good, total in ((0, 0), (2, 1), (-1, 1)):
        with pytest.raises(ValueError):
            ratio_units(good, total)
    with pytest.raises(TypeError):
        ratio_units(0.5, 1)


def test_a_month_of_minutes_at_999_of_1000_sums_to_exactly_43156_8_and_spends_exactly_its_budget():
    # In floats the 43,200 minute ratios add up to 43156.80000000009 (and 1 - 0.999 is 0.0010000000000000009), so
    # 43.19999999991 minutes were consumed and 0.000000000002 of the budget was left: at risk, not breached.
    assert sum(999 / 1000 for _ in range(MONTH_MINUTES)) != 43_156.8
    units = ratio_units(999, 1_000) * MONTH_MINUTES
    month = Tally(
        good=999 * MONTH_MINUTES,
        total=1_000 * MONTH_MINUTES,
        slices_with_data=MONTH_MINUTES,
        good_slices=0,  # no minute is wholly good
        ratio_sum=ratio_from_units(units),
        slices_in_scope=MONTH_MINUTES,
    )
    assert month.ratio_sum == D("43156.8")
    budget = error_budget(Method.RATIO_TIMESLICES, month, NINES, period_minutes=MONTH_MINUTES)
    # total 0.001 x 43,200 = 43.2; consumed (43,200 - 43,156.8) x 1 = 43.2; nothing left
    assert (budget.total, budget.consumed, budget.left, budget.remaining) == (D("43.2"), D("43.2"), 0, 0)
    attained = attainment(Method.RATIO_TIMESLICES, month)
    assert attained == D("0.999")  # 43,156.8 / 43,200
    verdict = {
        closed: status(
            attainment=attained,
            objective=NINES,
            closed=closed,
            budget_remaining=budget.remaining,
            warning_threshold=D("0.25"),
        )
        for closed in (False, True)
    }
    assert verdict == {False: Status.BREACHED, True: Status.MET}


def test_a_float_ratio_sum_is_refused_and_so_is_one_finer_than_12_places():
    # 0.1 + 0.2 == 0.30000000000000004 in floats: a sum of ratios is exact or it is refused.
    with pytest.raises(TypeError, match="float"):
        Tally(slices_with_data=1, slices_in_scope=1, ratio_sum=0.1)
    with pytest.raises(ValueError, match="12 places"):
        Tally(slices_with_data=1, slices_in_scope=1, ratio_sum=D("0.1234567890123"))


# --- missing data --------------------------------------------------------------------------------------------------

# 100 slices in scope, 90 with data of which 88 good (10 without data); ratio_sum 88.5 over the 90
GAPPY = Tally(good=88, total=90, slices_with_data=90, good_slices=88, ratio_sum=D("88.5"), slices_in_scope=100)


@pytest.mark.parametrize(
    ("missing", "counted", "timeslices", "ratio_timeslices", "consumed"),
    [
        # IGNORE: 88/90 = 0.977…; 88.5/90 = 0.983…; bad = 2
        (MissingData.IGNORE, (88, 90), D("0.977777777778"), D("0.983333333333"), D("2")),
        # GOOD: (88 + 10)/100 = 0.98; (88.5 + 10)/100 = 0.985; bad = 2
        (MissingData.GOOD, (98, 100), D("0.98"), D("0.985"), D("2")),
        # BAD: 88/100 = 0.88; 88.5/100 = 0.885; bad = 2 + 10 = 12
        (MissingData.BAD, (88, 100), D("0.88"), D("0.885"), D("12")),
    ],
)
def test_slices_without_data_are_counted_by_the_missing_data_policy(
    missing, counted, timeslices, ratio_timeslices, consumed
):
    assert counted_slices(GAPPY, missing) == counted
    assert attainment(Method.TIMESLICES, GAPPY, missing) == timeslices
    assert attainment(Method.RATIO_TIMESLICES, GAPPY, missing) == ratio_timeslices
    budget = error_budget(Method.TIMESLICES, GAPPY, NINES, period_minutes=MONTH_MINUTES, missing=missing)
    assert budget.consumed == consumed


def test_a_window_with_nothing_counted_has_no_attainment_and_no_burn_rate():
    empty_but_in_scope = Tally(slices_in_scope=60)
    for method in Method:
        assert attainment(method, Tally()) is None
        assert burn_rate(method, Tally(), NINES) is None
    assert attainment(Method.TIMESLICES, empty_but_in_scope) is None  # IGNORE leaves all 60 out
    assert attainment(Method.TIMESLICES, empty_but_in_scope, MissingData.BAD) == 0  # 0 / 60


# --- burn rates and alerts -----------------------------------------------------------------------------------------


def test_burning_0_1_percent_at_a_99_9_percent_objective_is_a_burn_rate_of_exactly_1():
    # (1,000 / 1,000,000) / 0.001 = 0.001 / 0.001 = 1
    assert burn_rate(Method.OCCURRENCES, Tally(good=999_000, total=1_000_000), NINES) == 1


def test_burning_1_44_percent_at_a_99_9_percent_objective_is_a_burn_rate_of_14_4():
    # (14,400 / 1,000,000) / 0.001 = 0.0144 / 0.001 = 14.4
    assert burn_rate(Method.OCCURRENCES, Tally(good=985_600, total=1_000_000), NINES) == D("14.4")


def test_the_fast_page_rule_fires_when_both_windows_reach_14_4_and_not_otherwise():
    fast = DEFAULT_BURN_RULES[0]
    assert (fast.severity, fast.long_window_minutes, fast.short_window_minutes, fast.threshold) == (
        "page",
        60,
        5,
        D("14.4"),
    )
    assert rule_fires(fast, D("14.4"), D("14.4"))
    assert not rule_fires(fast, D("14.4"), D("14.3"))
    assert not rule_fires(fast, D("14.3"), D("20"))
    assert not rule_fires(fast, None, D("20"))
    assert not rule_fires(fast, D("20"), None)


def test_the_default_rules_are_the_sre_workbook_ones():
    assert [(r.severity, r.long_window_minutes, r.short_window_minutes, r.threshold) for r in DEFAULT_BURN_RULES] == [
        ("page", 60, 5, D("14.4")),
        ("page", 360, 30, D("6")),
        ("ticket", 4320, 360, D("1")),
    ]
    assert all(isinstance(rule, BurnRule) for rule in DEFAULT_BURN_RULES)


# --- status --------------------------------------------------------------------------------------------------------

W = D("0.25")


@pytest.mark.parametrize(
    ("attained", "closed", "remaining", "alert", "expected"),
    [
        pytest.param(None, True, None, False, Status.NO_DATA, id="no attainment is no data (closed)"),
        pytest.param(None, False, D("0.9"), True, Status.NO_DATA, id="no attainment is no data (open)"),
        pytest.param(D("0.999"), True, D("0"), False, Status.MET, id="closed exactly at the objective is met"),
        pytest.param(D("0.9995"), True, D("-1"), True, Status.MET, id="closed above the objective is met"),
        pytest.param(D("0.998999999999"), True, D("0.9"), False, Status.BREACHED, id="closed under is breached"),
        pytest.param(D("0.9999"), False, D("0.9"), False, Status.ON_TRACK, id="open with budget is on track"),
        pytest.param(D("0.9999"), False, D("0.25"), False, Status.ON_TRACK, id="open at the warning is on track"),
        pytest.param(D("0.9999"), False, D("0.24"), False, Status.AT_RISK, id="open under the warning is at risk"),
        pytest.param(D("0.9999"), False, D("0.9"), True, Status.AT_RISK, id="open with a firing alert is at risk"),
        pytest.param(D("0.999"), False, D("0"), False, Status.BREACHED, id="open at 0 remaining is breached"),
        pytest.param(D("0.99"), False, D("-0.5"), True, Status.BREACHED, id="open overspent is breached"),
        pytest.param(D("1"), False, None, False, Status.ON_TRACK, id="open without a budget is on track"),
    ],
)
def test_status_follows_the_design_table(attained, closed, remaining, alert, expected):
    verdict = status(
        attainment=attained,
        objective=NINES,
        closed=closed,
        budget_remaining=remaining,
        warning_threshold=W,
        alert_firing=alert,
    )
    assert verdict is expected


# --- service credits -----------------------------------------------------------------------------------------------

TIERS = [(D("99.9"), D("5")), (D("99.5"), D("10")), (D("99"), D("25"))]


@pytest.mark.parametrize(
    ("attained", "credit"),
    [
        (D("100"), D("0")),
        (D("99.95"), D("0")),  # under no threshold
        (D("99.9"), D("0")),  # exactly at 99.9 is not under it
        (D("99.89"), D("5")),  # under 99.9 only
        (D("99.5"), D("5")),
        (D("99.4"), D("10")),  # under 99.9 and 99.5: the lowest is 99.5
        (D("99"), D("10")),
        (D("98.999"), D("25")),
        (D("98"), D("25")),  # under all three: the lowest is 99
        (D("0"), D("25")),
    ],
)
def test_the_credit_is_that_of_the_lowest_tier_the_attainment_is_under(attained, credit):
    assert credit_percent(attained, TIERS) == credit
    assert credit_percent(attained, reversed(TIERS)) == credit  # tier order does not matter
    assert credit_percent(attained, [TIERS[1], TIERS[2], TIERS[0]]) == credit


def test_no_tiers_means_no_credit():
    assert credit_percent(D("12.5"), []) == D("0")


# --- contract details ----------------------------------------------------------------------------------------------


def test_results_do_not_depend_on_the_callers_decimal_context():
    # A 1-digit default context that raises on any rounding: an operation left in it would raise or differ.
    month = probe_tally(43_200, 10)
    with localcontext(prec=1, traps=[Inexact, Rounded]):
        assert attainment(Method.TIMESLICES, probe_tally(1_440, 2)) == D("0.998611111111")
        budget = error_budget(Method.RATIO_TIMESLICES, month, NINES, period_minutes=MONTH_MINUTES)
        assert (budget.total, budget.remaining, budget.left) == (D("43.2"), D("0.768518518519"), D("33.2"))
        assert burn_rate(Method.OCCURRENCES, Tally(good=98_561, total=100_000), NINES) == D("14.39")
        assert (month + month).ratio_sum == D(86_380)
        assert ratio_from_units(ratio_units(2, 3)) == D("0.666666666667")
        assert (to_percent(D("0.998611111111")), from_percent(D("33.33"))) == (D("99.8611111111"), D("0.3333"))
        assert share(1, 3) == D("0.333333333333")


def test_methods_and_policies_may_be_given_as_their_stored_strings():
    assert attainment("timeslices", GAPPY, "bad") == D("0.88")
    with pytest.raises(ValueError):
        attainment("uptime", GAPPY)


def test_a_tally_refuses_impossible_counts():
    with pytest.raises(ValueError):
        Tally(good=2, total=1)
    with pytest.raises(ValueError):
        Tally(slices_with_data=2, good_slices=3, slices_in_scope=3)
    with pytest.raises(ValueError):
        Tally(slices_with_data=2, slices_in_scope=1)
    with pytest.raises(ValueError):
        Tally(slices_with_data=1, slices_in_scope=1, ratio_sum=D("1.5"))
    with pytest.raises(ValueError):
        Tally(total=-1)
    with pytest.raises(TypeError):
        Tally(total=1.0)


def test_objectives_are_fractions_under_one():
    for objective in (D("99.9"), D("1"), D("-0.1")):
        with pytest.raises(ValueError, match="objective"):
            burn_rate(Method.OCCURRENCES, Tally(good=1, total=1), objective)


def test_an_empty_budget_has_no_remaining_share_but_a_signed_left():
    # No events yet: 0.001 x 0 = 0 events allowed.
    assert error_budget(Method.OCCURRENCES, Tally(), NINES).remaining is None
    assert ErrorBudget(unit="minutes", total=D(0), consumed=D(3)).left == D(-3)


def test_tally_shorthands():
    assert (GAPPY.bad, GAPPY.slices_without_data) == (2, 10)


# --- properties ----------------------------------------------------------------------------------------------------

objectives = st.integers(0, 99_999).map(lambda n: D(n).scaleb(-5))  # 0 … 0.99999
warnings = st.integers(0, 100).map(lambda n: D(n).scaleb(-2))  # 0 … 1
methods = st.sampled_from(Method)
policies = st.sampled_from(MissingData)
time_methods = st.sampled_from([Method.TIMESLICES, Method.RATIO_TIMESLICES])


@st.composite
def tallies(draw, max_events=10**9, max_slices=50_000):
    total = draw(st.integers(0, max_events))
    in_scope = draw(st.integers(0, max_slices))
    with_data = draw(st.integers(0, in_scope))
    return Tally(
        good=draw(st.integers(0, total)),
        total=total,
        slices_with_data=with_data,
        good_slices=draw(st.integers(0, with_data)),
        ratio_sum=D(draw(st.integers(0, with_data * 10**6))).scaleb(-6),
        slices_in_scope=in_scope,
    )


@given(method=methods, tally=tallies(), missing=policies)
def test_attainment_is_a_fraction_between_0_and_1(method, tally, missing):
    value = attainment(method, tally, missing)
    assert value is None or 0 <= value <= 1


@given(tally=tallies(), more_bad=st.integers(0, 10**6))
def test_more_bad_events_never_raise_occurrence_attainment(tally, more_bad):
    worse = Tally(good=tally.good, total=tally.total + more_bad)
    before, after = attainment(Method.OCCURRENCES, tally), attainment(Method.OCCURRENCES, worse)
    if before is not None:
        assert after <= before


@given(tally=tallies(), missing=policies)
def test_turning_a_good_slice_bad_never_raises_timeslice_attainment(tally, missing):
    if tally.good_slices:
        worse = Tally(
            slices_with_data=tally.slices_with_data,
            good_slices=tally.good_slices - 1,
            slices_in_scope=tally.slices_in_scope,
        )
        assert attainment(Method.TIMESLICES, worse, missing) <= attainment(Method.TIMESLICES, tally, missing)


@given(
    method=methods,
    count=st.integers(1, 10**6),
    objective=objectives,
    warning=warnings,
    period=st.integers(1, 600_000),
    closed=st.booleans(),
)
def test_a_window_with_data_and_nothing_bad_is_met_or_on_track_at_any_objective(
    method, count, objective, warning, period, closed
):
    slices = min(count, 50_000)
    clean = Tally(
        good=count,
        total=count,
        slices_with_data=slices,
        good_slices=slices,
        ratio_sum=D(slices),
        slices_in_scope=slices,
    )
    budget = error_budget(method, clean, objective, period_minutes=period)
    verdict = status(
        attainment=attainment(method, clean),
        objective=objective,
        closed=closed,
        budget_remaining=budget.remaining,
        warning_threshold=warning,
    )
    assert verdict is (Status.MET if closed else Status.ON_TRACK)


@given(method=methods, tally=tallies(), objective=objectives, missing=policies)
def test_burn_rate_and_attainment_agree(method, tally, objective, missing):
    burn, attained = burn_rate(method, tally, objective, missing), attainment(method, tally, missing)
    if attained is None:
        assert burn is None
        return
    # attainment = 1 - burn x (1 - objective), up to one quantization step of each side
    assert abs(attained - (1 - burn * (1 - objective))) <= STEP
    if attained == 1:
        assert burn == 0


@given(method=methods, count=st.integers(1, 10**9), objective=objectives)
def test_burn_rate_is_zero_when_nothing_is_bad(method, count, objective):
    slices = min(count, 50_000)
    clean = Tally(
        good=count,
        total=count,
        slices_with_data=slices,
        good_slices=slices,
        ratio_sum=D(slices),
        slices_in_scope=slices,
    )
    assert burn_rate(method, clean, objective) == 0


@given(a=tallies(), b=tallies(), c=tallies())
def test_tally_addition_is_associative_with_the_empty_tally_as_identity(a, b, c):
    assert (a + b) + c == a + (b + c)
    assert a + Tally() == a == Tally() + a
    assert sum([a, b, c]) == a + b + c


@given(
    total=st.integers(1, 10**7).map(lambda n: D(n).scaleb(-2)),
    consumed=st.lists(st.integers(0, 10**7), min_size=2, max_size=6),
)
def test_remaining_budget_never_grows_as_more_is_consumed(total, consumed):
    remaining = [ErrorBudget(unit="minutes", total=total, consumed=D(c)).remaining for c in sorted(consumed)]
    assert remaining == sorted(remaining, reverse=True)


@given(tally=tallies(), objective=objectives, missing=policies, method=time_methods)
def test_a_bad_slice_more_never_leaves_more_time_budget(tally, objective, missing, method):
    if tally.good_slices:
        worse = Tally(
            slices_with_data=tally.slices_with_data,
            good_slices=tally.good_slices - 1,
            ratio_sum=max(tally.ratio_sum - 1, D(0)),
            slices_in_scope=tally.slices_in_scope,
        )
        before = error_budget(method, tally, objective, period_minutes=43_200, missing=missing)
        after = error_budget(method, worse, objective, period_minutes=43_200, missing=missing)
        if before.remaining is not None:
            assert after.remaining <= before.remaining


def test_rounded_figures_go_half_to_even_whatever_the_threads_context():
    with localcontext(prec=1, traps=[Inexact, Rounded]):
        assert rounded(Decimal("2.675"), 2) == Decimal("2.68")
        assert rounded(Decimal("2.665"), 2) == Decimal("2.66")
        assert rounded(to_percent(Decimal("0.979166666667")), 3) == Decimal("97.917")
        assert rounded(3.14159, 2) == Decimal("3.14")  # a float (a database average) taken as written


@pytest.mark.parametrize(
    ("unit", "remaining", "elapsed", "expected"),
    [
        # 43.2-minute month budget, 30 minutes spent by mid-month: at that pace 60 minutes by the end,
        # 1 - 60 / 43.2 = -0.388888888888... -> overspent by 38.9 %.
        pytest.param("minutes", 1 - D(30) / D("43.2"), D("0.5"), D("-0.388888888889"), id="half-way, overspending"),
        # 10.8 of 43.2 spent (0.75 left) a quarter through: 43.2 by the end, exactly spent.
        pytest.param("minutes", D("0.75"), D("0.25"), D("0"), id="a quarter through, exactly spent"),
        # 10.8 of 43.2 spent three quarters through: 14.4 by the end, 1 - 14.4 / 43.2 = 2/3 left.
        pytest.param("minutes", D("0.75"), D("0.75"), D("0.666666666667"), id="three quarters, two thirds left"),
        pytest.param("minutes", D("0.4"), D(1), D("0.4"), id="the period over: what is left now"),
        pytest.param("events", D("0.4"), D("0.1"), D("0.4"), id="events: the share stays at the same error rate"),
        pytest.param("minutes", D("0.4"), D(0), None, id="nothing elapsed: no pace yet"),
        pytest.param("minutes", None, D("0.5"), None, id="no budget"),
    ],
)
def test_the_projection_keeps_the_pace_so_far(unit, remaining, elapsed, expected):
    assert projected_remaining(unit, remaining, elapsed) == expected
