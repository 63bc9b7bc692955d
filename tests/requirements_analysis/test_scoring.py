"""The prioritisation arithmetic (``requirements_analysis.scoring``), on hand-worked answers. Pure Python: runs with
``-p no:django --noconftest`` too."""

from decimal import Decimal, Inexact, Rounded, localcontext

import pytest

from requirements_analysis import scoring
from requirements_analysis.scoring import Weights

DEFAULT = Weights()  # importance 3, gap 4, criticality 2, record 3: 12 in all


def test_default_weights_are_three_four_two_three():
    assert (DEFAULT.importance, DEFAULT.gap, DEFAULT.criticality, DEFAULT.record) == (3, 4, 2, 3)


def test_essential_poorly_met_requirement_of_a_tier_one_service_with_one_breach():
    # importance 5 -> (5 - 1) / 4 = 1; gap (5 - 2) / 4 = 0.75; tier 1 -> (4 - 1) / 3 = 1;
    # record: 1 breach of 3 periods, 0.6 of the budget spent -> (1/3 + 0.6) / 2 = 0.46667.
    # total = 100 x (3 x 1 + 4 x 0.75 + 2 x 1 + 3 x 0.46667) / 12 = 100 x 9.4 / 12 = 78.33
    # (the 71.67 is 100 x 8.6 / 12: it misadds the weighted parts, 3 + 3 + 2 + 1.4 = 9.4).
    result = scoring.score(DEFAULT, importance=5, performance=2, tier=1, breaches=1, periods=3, budget_spent="0.6")

    assert result.parts == {
        "importance": Decimal("1.0000"),
        "gap": Decimal("0.7500"),
        "criticality": Decimal("1.0000"),
        "record": Decimal("0.4667"),
    }
    # Each part's points: 100 x weight x part / 12.
    assert result.contributions == {
        "importance": Decimal("25.00"),
        "gap": Decimal("25.00"),
        "criticality": Decimal("16.67"),
        "record": Decimal("11.67"),
    }
    assert result.total == Decimal("78.33")


def test_middling_requirement_of_a_tier_three_service_with_no_record():
    # importance 3 -> 0.5; gap (3 - 2) / 4 = 0.25; tier 3 -> 1/3; no closed period -> record 0.
    # total = 100 x (3 x 0.5 + 4 x 0.25 + 2 x 1/3 + 0) / 12 = 100 x 3.16667 / 12 = 26.39
    result = scoring.score(DEFAULT, importance=3, performance=2, tier=3)

    assert result.parts["criticality"] == Decimal("0.3333")
    assert result.parts["record"] == 0
    assert result.total == Decimal("26.39")


def test_nice_to_have_of_an_administrative_service_fully_met_scores_zero():
    # importance 1 -> 0; performance 5 above it -> gap 0; tier 4 -> 0; every period met, nothing spent -> 0.
    result = scoring.score(DEFAULT, importance=1, performance=5, tier=4, breaches=0, periods=3, budget_spent=0)

    assert set(result.parts.values()) == {0}
    assert result.total == 0


def test_everything_at_its_worst_scores_one_hundred():
    # importance 5 -> 1; gap (5 - 1) / 4 = 1; tier 1 -> 1; every period breached, all budget spent -> 1.
    result = scoring.score(DEFAULT, importance=5, performance=1, tier=1, breaches=3, periods=3, budget_spent=1)

    assert result.total == Decimal("100.00")


def test_performance_above_importance_is_no_gap():
    assert scoring.gap_part(2, 5) == 0
    assert scoring.gap_part(4, 4) == 0
    assert scoring.gap_part(4, 3) == Decimal("0.25")


def test_overspent_budget_counts_as_all_of_it():
    # no breach of 2 periods, 250 % of the budget spent -> (0 + 1) / 2
    assert scoring.record_part(0, 2, Decimal("2.5")) == Decimal("0.5")
    assert scoring.record_part(0, 2, Decimal("-0.5")) == 0


def test_more_breaches_than_periods_count_as_every_period():
    assert scoring.record_part(5, 3, None) == Decimal("0.5")


def test_no_closed_period_means_no_record():
    assert scoring.record_part(0, 0, Decimal("0.9")) == 0


def test_ratings_outside_the_scale_are_clamped_to_the_parts_range():
    assert scoring.importance_part(7) == 1
    assert scoring.importance_part(0) == 0
    assert scoring.criticality_part(5) == 0


@pytest.mark.parametrize(
    "weights",
    [
        {"importance": -1},
        {"gap": Decimal("-0.01")},
        {"importance": 0, "gap": 0, "criticality": 0, "record": 0},
    ],
)
def test_negative_or_all_zero_weights_are_refused(weights):
    with pytest.raises(ValueError):
        Weights(**weights)


def test_a_single_weight_is_enough():
    # Only the gap counts: (5 - 3) / 4 = 0.5 -> 50 whatever the other parts are.
    weights = Weights(importance=0, gap=1, criticality=0, record=0)

    assert scoring.score(weights, importance=5, performance=3, tier=1).total == Decimal("50.00")


# A: essential and nearly met (5, 4); B: middling and poorly met (3, 1); both tier 3, no record.
A = {"importance": 5, "performance": 4, "tier": 3}
B = {"importance": 3, "performance": 1, "tier": 3}


def ranking(weights):
    scores = {"A": scoring.score(weights, **A).total, "B": scoring.score(weights, **B).total}
    return sorted(scores, key=lambda name: -scores[name]), scores


def test_a_heavy_gap_weight_puts_the_poorly_met_requirement_first():
    # weights 1, 10, 1, 1 (13): A = 100 x (1 + 10 x 0.25 + 1/3) / 13 = 29.49; B = 100 x (0.5 + 10 x 0.5 + 1/3) / 13
    # = 44.87
    order, scores = ranking(Weights(importance=1, gap=10, criticality=1, record=1))

    assert order == ["B", "A"]
    assert scores == {"A": Decimal("29.49"), "B": Decimal("44.87")}


def test_a_heavy_importance_weight_puts_the_essential_requirement_first():
    # weights 10, 1, 1, 1 (13): A = 100 x (10 + 0.25 + 1/3) / 13 = 81.41; B = 100 x (5 + 0.5 + 1/3) / 13 = 44.87
    order, scores = ranking(Weights(importance=10, gap=1, criticality=1, record=1))

    assert order == ["A", "B"]
    assert scores == {"A": Decimal("81.41"), "B": Decimal("44.87")}


@pytest.mark.parametrize(
    ("importance", "performance", "expected"),
    [
        (5, 1, scoring.CONCENTRATE),
        (5, 5, scoring.KEEP_UP),
        (1, 1, scoring.LOW_PRIORITY),
        (1, 5, scoring.OVERKILL),
        # The midpoint 3 belongs to the upper half of both scales.
        (3, 3, scoring.KEEP_UP),
        (3, Decimal("2.99"), scoring.CONCENTRATE),
        (Decimal("2.99"), 3, scoring.OVERKILL),
        (2, 2, scoring.LOW_PRIORITY),
        ("4.5", "2.5", scoring.CONCENTRATE),
    ],
)
def test_ipa_quadrant_of_a_point(importance, performance, expected):
    assert scoring.quadrant(importance, performance) == expected


@pytest.mark.parametrize(
    ("sla_met", "csat", "expected"),
    [
        (True, Decimal("2.5"), scoring.WATERMELON),
        (True, Decimal("2.99"), scoring.WATERMELON),
        (True, 3, None),  # 3 is not "under 3"
        (True, 5, None),
        (False, 4, scoring.REVERSE_WATERMELON),
        (False, Decimal("4.5"), scoring.REVERSE_WATERMELON),
        (False, Decimal("3.99"), None),
        (False, 1, None),
        (None, 1, None),  # no SLA result
        (True, None, None),  # no ratings
        (None, None, None),
    ],
)
def test_watermelon_flag(sla_met, csat, expected):
    assert scoring.watermelon(sla_met, csat) == expected


def test_the_score_does_not_use_the_callers_decimal_context():
    # A 1-digit default context that raises on any rounding: any division left in it would raise.
    arguments = {"importance": 5, "performance": 2, "tier": 1, "breaches": 1, "periods": 3, "budget_spent": "0.6"}
    usual = scoring.score(DEFAULT, **arguments)
    with localcontext(prec=1, traps=[Inexact, Rounded]):
        trapped = scoring.score(DEFAULT, **arguments)
    assert trapped == usual
    assert usual.total == Decimal("78.33")
