"""Each SLI kind is defined once (monitoring.kinds) and the indicator, ingestion and CSV import ask it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agreements.choices import BudgetingMethod
from agreements.models import ServiceLevelTarget
from monitoring import slo
from monitoring.choices import BudgetUnit, Operator
from monitoring.intake.csv_import import read_csv
from monitoring.kinds import JUDGED, KINDS, RATIO, THRESHOLD, TICKET, IndicatorKind
from monitoring.models import Indicator


def test_the_kind_choices_come_from_the_definitions():
    assert IndicatorKind.values == list(KINDS) == ["ratio", "threshold", "ticket"]
    assert IndicatorKind.RATIO.label == RATIO.label
    assert JUDGED == ["threshold"]


@pytest.fixture
def english():
    with translation.override("en"):  # rules are read in the page's language; a test before may leave Korean on
        yield


@pytest.mark.usefixtures("english")
def test_each_kind_names_its_columns_and_rule():
    latency = Indicator(kind="threshold", operator=Operator.LTE, threshold=300.0, unit="ms")
    assert (RATIO.header, THRESHOLD.header) == ("t,good,total", "t,value")
    assert latency.sli_kind is THRESHOLD
    assert latency.rule == "value ≤ 300 ms"
    assert Indicator(kind="threshold", operator=Operator.GTE, threshold=0.5).rule == "value ≥ 0.500"
    assert str(Indicator(kind="ratio").rule) == "good / total events"


def test_a_threshold_indicator_without_its_limit_is_refused_and_a_ratio_one_drops_it():
    with pytest.raises(ValidationError) as refused:
        Indicator(kind="threshold", operator="").clean()
    assert set(refused.value.message_dict) == {"operator", "threshold"}
    ratio = Indicator(kind="ratio", operator=Operator.LT, threshold=1.0)
    ratio.clean()
    assert (ratio.operator, ratio.threshold) == ("", None)


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("ratio", "t,value\n2026-03-02T09:00:00Z,1\n", "the header must name the columns t,good,total"),
        ("threshold", "t,good,total\n2026-03-02T09:00:00Z,1,1\n", "the header must name the columns t,value"),
    ],
)
def test_the_csv_header_is_the_kinds_own(kind, content, message):
    indicator = Indicator(kind=kind, operator=Operator.GTE, threshold=1.0)
    samples, errors = read_csv(indicator, content)
    assert samples == []
    assert errors == [{"line": 1, "field": None, "message": message}]


def test_the_database_constraint_is_built_from_the_kinds():
    constraint = Indicator._meta.constraints[0]
    assert str(constraint.condition) == str(RATIO.condition() | THRESHOLD.condition() | TICKET.condition())


def test_the_budgeting_methods_and_their_arithmetic_name_the_same_methods():
    assert [method.value for method in slo.Method] == BudgetingMethod.values


@pytest.mark.parametrize(
    ("method", "unit", "judges_slices"),
    [
        (BudgetingMethod.OCCURRENCES, BudgetUnit.EVENTS, False),
        (BudgetingMethod.TIMESLICES, BudgetUnit.MINUTES, True),
        (BudgetingMethod.RATIO_TIMESLICES, BudgetUnit.MINUTES, False),
    ],
)
def test_each_budgeting_method_says_how_it_counts(method, unit, judges_slices):
    assert BudgetUnit.of(method.value) is unit
    assert ServiceLevelTarget(budgeting_method=method.value).method.judges_slices is judges_slices
