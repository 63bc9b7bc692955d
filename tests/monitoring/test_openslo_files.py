"""OpenSLO export and import: the file the portal writes, round trips, what maps and what is refused."""

from decimal import Decimal

import pytest
import yaml
from django.utils import translation

from agreements.choices import BudgetingMethod, WindowKind
from agreements.models import ServiceLevelTarget
from monitoring.models import Indicator, OpenSloMetadata, TargetIndicator
from monitoring.openslo.exporting import ExportError, export_text
from monitoring.openslo.importing import plan_import
from monitoring.openslo.reading import OpenSloError
from monitoring.openslo.storing import apply
from tests.factories import BusinessCalendarFactory, CreditTierFactory, ServiceFactory, TargetFactory
from tests.monitoring.factories import IndicatorFactory, TargetIndicatorFactory, ThresholdIndicatorFactory
from tests.monitoring.openslo_files import (
    BILLION_LAUGHS,
    LATENCY_EXAMPLE,
    RATIO_TIMESLICES_EXAMPLE,
    SPEC_EXAMPLE,
    TIMESLICES_EXAMPLE,
)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (pages ask for Korean where a test says so)."""
    with translation.override("en"):
        yield


@pytest.fixture
def shop(agreement_a):
    """Acme's agreement with two measured targets: availability (ratio, monthly) and latency (threshold, rolling)."""
    service = ServiceFactory(code="checkout", name="Checkout", description="The shop's checkout")
    agreement_a.services.add(service)
    requests = IndicatorFactory(code="checkout-requests", name="Checkout requests", service=service)
    latency = ThresholdIndicatorFactory(
        code="checkout-latency", name="Checkout latency", service=service, operator="lte", threshold=300
    )
    availability = agreement_a.targets.get(code="availability")
    TargetIndicatorFactory(target=availability, indicator=requests)
    CreditTierFactory(target=availability, below_attainment=Decimal("99.9"), credit_percent=Decimal("10"))
    CreditTierFactory(target=availability, below_attainment=Decimal("99"), credit_percent=Decimal("25"))
    slow = TargetFactory(
        agreement=agreement_a,
        code="latency",
        name="Fast answers",
        objective=Decimal("99.5"),
        window_kind=WindowKind.ROLLING,
        rolling_days=28,
        budgeting_method=BudgetingMethod.TIMESLICES,
        slice_minutes=5,
        slice_target=Decimal("95"),
        service_hours=BusinessCalendarFactory(code="office-hours"),
        warning_threshold=Decimal("30"),
        description="Answers within 300 ms",
    )
    TargetIndicatorFactory(target=slow, indicator=latency)
    return agreement_a


def history_counts():
    return (ServiceLevelTarget.history.count(), ServiceLevelTarget.credit_tiers.rel.related_model.history.count())


def documents(text):
    return list(yaml.safe_load_all(text))


def test_export_writes_every_kind_in_a_fixed_order(shop):
    docs = documents(export_text(shop))
    kinds = [(doc["kind"], doc["metadata"]["name"]) for doc in docs]
    services = sorted(service.code for service in shop.services.all())
    assert "checkout" in services
    assert kinds[: len(services) + 4] == [("Service", code) for code in services] + [
        ("SLI", "checkout-latency"),
        ("SLI", "checkout-requests"),
        ("SLO", "availability"),
        ("SLO", "latency"),
    ]
    # The three default burn-rate rules, each an AlertPolicy with its AlertCondition.
    assert [kind for kind, _name in kinds[len(services) + 4 :]] == ["AlertPolicy"] * 3 + ["AlertCondition"] * 3
    docs = [doc for doc in docs if doc["kind"] != "Service"]
    docs.insert(0, None)
    availability, latency = docs[3], docs[4]
    assert availability["spec"]["timeWindow"] == [
        {
            "duration": "1M",
            "isRolling": False,
            "calendar": {"startTime": "2026-01-01 00:00:00", "timeZone": "Asia/Seoul"},
        }
    ]
    assert availability["spec"]["objectives"] == [{"displayName": "Availability", "target": 0.999}]
    assert availability["metadata"]["annotations"]["slm-portal/credit-tiers"] == "99.9:10, 99:25"
    assert latency["spec"]["timeWindow"] == [{"duration": "28d", "isRolling": True}]
    assert latency["spec"]["budgetingMethod"] == "Timeslices"
    assert latency["spec"]["objectives"] == [
        {
            "displayName": "Fast answers",
            "op": "lte",
            "value": 300.0,
            "target": 0.995,
            "timeSliceTarget": 0.95,
            "timeSliceWindow": "5m",
        }
    ]
    assert latency["metadata"]["annotations"] == {
        "slm-portal/service-hours": "office-hours",
        "slm-portal/slices-without-data": "ignore",
        "slm-portal/warning-threshold": "30",
    }
    assert docs[2]["spec"]["ratioMetric"]["good"]["metricSource"] == {
        "type": "SLMPortal",
        "spec": {"indicator": "checkout-requests", "field": "good"},
    }


def test_export_import_export_is_byte_identical_and_records_no_history(shop):
    first = export_text(shop)
    before = history_counts()
    plan = plan_import(shop, first)
    assert plan.problems == []
    assert plan.changes == 0
    assert plan.lines  # every field is still shown, mapped to what it is
    apply(plan)
    assert history_counts() == before
    assert export_text(shop) == first


def test_a_calendar_period_runs_in_the_zone_of_the_targets_service_hours(shop):
    latency = shop.targets.get(code="latency")
    latency.window_kind, latency.calendar_period = WindowKind.CALENDAR, "month"
    latency.service_hours.time_zone = "Pacific/Auckland"
    latency.service_hours.save()
    latency.save()
    text = export_text(shop)
    slo = next(doc for doc in documents(text) if doc["metadata"]["name"] == "latency")
    assert slo["spec"]["timeWindow"][0]["calendar"]["timeZone"] == "Pacific/Auckland"
    assert plan_import(shop, text).changes == 0
    moved = plan_import(shop, text.replace("timeZone: Pacific/Auckland", "timeZone: Asia/Seoul"))
    assert [problem.path for problem in moved.problems] == ["#6 spec.timeWindow[0].calendar.timeZone"]


def test_a_changed_objective_is_previewed_then_stored_with_history(shop):
    text = export_text(shop).replace("target: 0.999\n", "target: 0.9995\n")
    plan = plan_import(shop, text)
    assert plan.problems == []
    changed = [line for line in plan.lines if line.changed]
    assert [(line.path, line.old, line.new) for line in changed] == [("#5 spec.objectives[0].target", "99.9", "99.95")]
    assert ServiceLevelTarget.objects.get(code="availability").objective == Decimal("99.9")  # not yet
    before = ServiceLevelTarget.history.count()
    apply(plan)
    assert ServiceLevelTarget.objects.get(code="availability").objective == Decimal("99.95")
    assert ServiceLevelTarget.history.count() == before + 1


def test_the_specification_example_creates_a_target_and_keeps_what_the_portal_has_no_field_for(agreement_a):
    agreement_a.targets.all().delete()  # a target that measures nothing cannot be exported
    agreement_a.services.add(ServiceFactory(code="checkout", name="Checkout", description="The shop's checkout"))
    plan = plan_import(agreement_a, SPEC_EXAMPLE)
    assert plan.problems == []
    apply(plan)
    target = agreement_a.targets.get(code="checkout-availability")
    assert target.objective == Decimal("99.5")
    assert target.name == "Checkout availability"
    assert (target.window_kind, target.calendar_period, target.budgeting_method) == ("calendar", "month", "occurrences")
    indicator = TargetIndicator.objects.get(target=target).indicator
    assert (indicator.code, indicator.kind, indicator.service.code) == ("checkout-success", "ratio", "checkout")
    kept = OpenSloMetadata.objects.get(agreement=agreement_a, kind="SLI", name="checkout-success")
    assert kept.labels == {"team": "payments", "tier": ["gold", "external"]}
    assert kept.metric["ratioMetric"]["good"]["metricSource"]["type"] == "Prometheus"
    docs = {(doc["kind"], doc["metadata"]["name"]): doc for doc in documents(export_text(agreement_a))}
    assert docs[("SLI", "checkout-success")]["metadata"]["labels"] == {"team": "payments", "tier": ["gold", "external"]}
    assert docs[("SLI", "checkout-success")]["spec"]["ratioMetric"]["counter"] is True
    assert docs[("SLO", "checkout-availability")]["metadata"]["annotations"]["openslo.com/owner"] == "payments-oncall"
    # Imported again, the portal's own export changes nothing.
    again = plan_import(agreement_a, export_text(agreement_a))
    assert again.problems == []
    assert again.changes == 0


def test_a_threshold_sli_takes_its_operator_and_value_from_the_objective(agreement_a):
    agreement_a.services.add(ServiceFactory(code="checkout"))
    plan = plan_import(agreement_a, LATENCY_EXAMPLE)
    assert plan.problems == []
    apply(plan)
    indicator = Indicator.objects.get(code="checkout-latency")
    assert (indicator.kind, indicator.operator, indicator.threshold) == ("threshold", "lte", 0.3)
    target = agreement_a.targets.get(code="checkout-latency")
    assert (target.rolling_days, target.slice_minutes, target.slice_target) == (28, 5, Decimal("95"))


def test_an_unquoted_start_time_reads_as_the_specification_writes_it(agreement_a):
    agreement_a.services.add(ServiceFactory(code="checkout"))
    plan = plan_import(agreement_a, SPEC_EXAMPLE.replace('"2026-01-01 00:00:00"', "2026-01-01 00:00:00"))
    assert plan.problems == []
    assert plan.changes > 0


def test_the_specifications_timeslices_example_is_refused_where_it_cannot_map(agreement_a):
    """Its shape: an inline SLI, a calendar window of one minute in another zone, two objectives, alertPolicies
    left empty."""
    agreement_a.services.add(ServiceFactory(code="web-availability"))
    plan = plan_import(agreement_a, TIMESLICES_EXAMPLE)
    assert {(problem.path, problem.message) for problem in plan.problems} == {
        ("#1 spec.timeWindow[0].duration", "a calendar window is one week, month, quarter or year (1w, 1M, 1Q, 1Y)"),
        ("#1 spec.objectives", "a composite SLO or several objectives cannot map: a target has one objective"),
    }


def test_the_specifications_ratio_timeslices_example_maps_a_rolling_two_weeks(agreement_a):
    """Its shape (without the op that a ratio of good and total events has no use for): an inline SLI, 2w rolling."""
    agreement_a.services.add(ServiceFactory(code="web-shop"))
    plan = plan_import(agreement_a, RATIO_TIMESLICES_EXAMPLE)
    assert plan.problems == []
    apply(plan)
    target = agreement_a.targets.get(code="main-page")
    assert (target.window_kind, target.rolling_days, target.budgeting_method) == ("rolling", 14, "ratio_timeslices")
    assert (target.objective, target.slice_minutes) == (Decimal("99"), 1)
    assert TargetIndicator.objects.get(target=target).indicator.code == "response-code"
    with_op = RATIO_TIMESLICES_EXAMPLE.replace("    - displayName: Good\n", "    - displayName: Good\n      op: gt\n")
    assert [problem.path for problem in plan_import(agreement_a, with_op).problems] == ["#1 spec.objectives[0]"]


def spec_with(replace, new, base=SPEC_EXAMPLE):
    assert replace in base
    return base.replace(replace, new)


REFUSED = [
    (spec_with("duration: 1M", "duration: 2w"), "#3 spec.timeWindow[0].duration", "calendar window"),
    (
        spec_with("    - duration: 1M\n      isRolling: false", "    - duration: 12h\n      isRolling: true"),
        "#3 spec.timeWindow[0].duration",
        "whole days",
    ),
    (spec_with("target: 0.995", "target: 0.999995"), "#3 spec.objectives[0].target", "three decimals"),
    (
        spec_with("      target: 0.995", "      target: 0.995\n    - displayName: Other\n      target: 0.99"),
        "#3 spec.objectives",
        "composite",
    ),
    (
        spec_with("      target: 0.995", "      target: 0.995\n      compositeWeight: 1"),
        "#3 spec.objectives",
        "composite",
    ),
    (spec_with("timeZone: Asia/Seoul", "timeZone: UTC"), "#3 spec.timeWindow[0].calendar.timeZone", "time zone"),
    (spec_with('"2026-01-01 00:00:00"', '"2026-01-15 00:00:00"'), "#3 spec.timeWindow[0].calendar.startTime", "first"),
    (
        spec_with("apiVersion: openslo/v1\nkind: SLO", "apiVersion: openslo/v2\nkind: SLO"),
        "#3 apiVersion",
        "openslo/v1",
    ),
    (spec_with("kind: Service", "kind: Dashboard"), "#1 kind", "must be one of"),
    (spec_with("kind: Service", "kind: DataSource"), "#1 kind", "data sources and notification channels"),
    (spec_with("  name: checkout-availability", "  name: Checkout_Availability"), "#3 metadata.name", "RFC 1123"),
    (spec_with("budgetingMethod: Occurrences", "budgetingMethod: Events"), "#3 spec.budgetingMethod", "must be one of"),
    (spec_with("  budgetingMethod: Occurrences\n", ""), "#3 spec.budgetingMethod", "required"),
    (spec_with("  service: checkout\n", "  service: checkout\n  colour: blue\n"), "#3 spec.colour", "not a field"),
    (spec_with("    counter: true\n", "    counter: yes please\n"), "#2 spec.ratioMetric.counter", "true or false"),
    (spec_with("    good:", "    bad:"), "#2 spec.ratioMetric", "bad or raw"),
    (spec_with("      isRolling: false\n", ""), "#3 spec.timeWindow[0].isRolling", "required"),
    (
        spec_with("service: checkout\n  indicatorRef", "service: billing\n  indicatorRef"),
        "#3 spec.service",
        "not one of",
    ),
    (spec_with("indicatorRef: checkout-success", "indicatorRef: checkout-errors"), "#3 spec.indicatorRef", "no SLI"),
    (
        spec_with("    openslo.com/owner: payments-oncall", "    slm-portal/colour: blue"),
        "#3 metadata.annotations.slm-portal/colour",
        "not an annotation",
    ),
    (
        spec_with("  budgetingMethod: Occurrences", "  budgetingMethod: Timeslices"),
        "#3 spec.objectives[0].timeSliceTarget",
        "required",
    ),
    (
        spec_with(
            "  indicatorRef: checkout-success\n", "  indicatorRef: checkout-success\n  alertPolicies: [page-fast]\n"
        ),
        "#3 spec.alertPolicies",
        "every active",
    ),
]


@pytest.mark.parametrize(("text", "path", "reason"), REFUSED)
def test_what_cannot_map_is_refused_with_its_path_and_nothing_is_stored(agreement_a, text, path, reason):
    agreement_a.services.add(ServiceFactory(code="checkout"))
    before = (ServiceLevelTarget.objects.count(), Indicator.objects.count(), OpenSloMetadata.objects.count())
    plan = plan_import(agreement_a, text)
    assert [problem for problem in plan.problems if problem.path == path and reason in problem.message], plan.problems
    with pytest.raises(ValueError, match="never applied"):
        apply(plan)
    assert (ServiceLevelTarget.objects.count(), Indicator.objects.count(), OpenSloMetadata.objects.count()) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "aliases"),
        ("apiVersion: openslo/v1\nkind: [unclosed\n", "not valid YAML"),
        (b"\xff\xfe bad", "not UTF-8"),
        ("", "no document"),
        ("# " + "x" * (10 * 1024 * 1024), "over 10 MB"),
    ],
)
def test_an_unreadable_file_is_refused_whole(agreement_a, data, message):
    with pytest.raises(OpenSloError, match=message):
        plan_import(agreement_a, data)


def test_what_the_models_refuse_is_a_problem_of_the_plan_not_an_error_while_storing(agreement_a):
    agreement_a.services.add(ServiceFactory(code="checkout"))
    long_name = "x" * 201
    text = SPEC_EXAMPLE.replace("displayName: Checkout requests that succeed", f"displayName: {long_name}")
    text = text.replace("  displayName: Checkout\n", f"  displayName: {long_name}\n")
    plan = plan_import(
        agreement_a, text.replace("name: checkout-success", "name: new").replace("Ref: checkout-success", "Ref: new")
    )
    assert {problem.path for problem in plan.problems} == {"#1 (name)", "#2 (name)", "#2 (code)"}


def test_an_expired_agreement_takes_no_import(agreement_a):
    agreement_a.status = "expired"
    agreement_a.save()
    plan = plan_import(agreement_a, SPEC_EXAMPLE)
    assert [problem.path for problem in plan.problems] == ["#"]


def test_a_target_without_an_indicator_cannot_be_exported(agreement_a):
    with pytest.raises(ExportError, match="availability measures no indicator"):
        export_text(agreement_a)
