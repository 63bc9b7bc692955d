"""The effect review read from compliance snapshots: ``improvement.reviews.review(plan)`` and the page's button.

The scene: Acme's availability target (99.9 %, tolerance 0.0001) and a plan started on 1 May 2026 and completed on
10 July 2026 (Seoul). With three review periods the review compares February, March and April (closed before the
start) with August, September and October (begun after the completion); May to July are the plan's own months and
count on neither side. Snapshots are written directly, as evaluation would have.
"""

from decimal import Decimal

import pytest

from improvement import reviews
from improvement.choices import PlanStatus, Verdict
from improvement.models import EffectReview
from tests.factories import TargetFactory
from tests.improvement.factories import closed_month, plan_in
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db
D = Decimal
BEFORE = ("2026-02", "2026-03", "2026-04")
DURING = ("2026-05", "2026-06", "2026-07")
AFTER = ("2026-08", "2026-09", "2026-10")


@pytest.fixture
def target(agreement_a):
    return agreement_a.targets.get(code="availability")


@pytest.fixture
def plan(target):
    return plan_in(
        PlanStatus.COMPLETED,
        customer=target.agreement.customer,
        services=list(target.agreement.services.all()),
        targets=[target],
        started_at=kst(2026, 5, 1),
        completed_at=kst(2026, 7, 10),
    )


def months(target, labels, attainments):
    for label, attainment in zip(labels, attainments, strict=True):
        closed_month(target, label, attainment)


def test_a_target_that_stopped_breaching_is_improved(plan, target):
    months(target, ("2026-01", *BEFORE), ["0.5", "0.9980", "0.9995", "0.9985"])  # January is too early to count
    months(target, DURING, ["0.9", "0.9", "0.9"])  # the plan's own months count on neither side
    months(target, AFTER, ["0.9995", "0.9996", "0.9994"])
    review = reviews.review(plan)

    assert review.verdict == Verdict.IMPROVED
    assert review.periods == 3
    (row,) = review.details
    assert (row["agreement"], row["target"], row["objective"]) == ("acme-sla", "availability", "99.9")
    assert [(p["label"], p["attainment"], p["breached"]) for p in row["before"]] == [
        ("2026-02", "99.8", True),
        ("2026-03", "99.95", False),
        ("2026-04", "99.85", True),
    ]
    assert [p["label"] for p in row["after"]] == list(AFTER)
    assert (row["mean_before"], row["mean_after"]) == ("99.867", "99.95")
    assert (row["breaches_before"], row["breaches_after"]) == (2, 0)
    assert EffectReview.objects.get(plan=plan) == review


def test_a_target_that_got_worse_is_worse(plan, target):
    months(target, BEFORE, ["0.9995", "0.9995", "0.9995"])
    months(target, AFTER, ["0.9995", "0.9980", "0.9995"])
    review = reviews.review(plan)
    assert review.verdict == Verdict.WORSE
    assert (review.details[0]["breaches_before"], review.details[0]["breaches_after"]) == (0, 1)


@pytest.mark.parametrize(
    ("after", "expected"),
    [("0.99929", Verdict.NO_CHANGE), ("0.99931", Verdict.IMPROVED), ("0.99911", Verdict.NO_CHANGE)],
)
def test_a_change_under_a_tenth_of_the_error_budget_is_no_change(plan, target, after, expected):
    months(target, BEFORE, ["0.9992", "0.9992", "0.9992"])
    months(target, AFTER, [after, after, after])
    assert reviews.review(plan).verdict == expected


def test_open_periods_and_periods_without_data_are_not_enough_data(plan, target):
    months(target, BEFORE, ["0.9995", "0.9995", "0.9995"])
    months(target, AFTER[:2], ["0.9999", None])  # September had no data
    closed_month(target, AFTER[2], "0.9999", closed=False)  # October is still running
    review = reviews.review(plan)
    assert review.verdict == Verdict.NOT_ENOUGH_DATA
    assert [p["label"] for p in review.details[0]["after"]] == ["2026-08", "2026-09"]
    assert review.details[0]["mean_after"] == "99.99"


def test_the_number_of_compared_periods_is_the_plans(plan, target):
    plan.review_periods = 1
    plan.save()
    months(target, BEFORE, ["0.9995", "0.9995", "0.9980"])  # only April counts: breached
    months(target, AFTER[:1], ["0.9995"])  # only August is needed
    review = reviews.review(plan)
    assert (review.periods, review.verdict) == (1, Verdict.IMPROVED)
    assert [p["label"] for p in review.details[0]["before"]] == ["2026-04"]


def test_a_plan_is_worse_when_one_of_its_targets_is_worse(plan, target):
    other = TargetFactory(agreement=target.agreement, code="latency", name="Latency")
    plan.targets.add(other)
    months(target, BEFORE, ["0.998", "0.998", "0.998"])
    months(target, AFTER, ["0.9995", "0.9995", "0.9995"])  # improved
    months(other, BEFORE, ["0.9995", "0.9995", "0.9995"])
    months(other, AFTER, ["0.9990", "0.9990", "0.9990"])  # worse: -0.0005
    review = reviews.review(plan)
    assert {row["target"]: row["verdict"] for row in review.details} == {
        "availability": Verdict.IMPROVED,
        "latency": Verdict.WORSE,
    }
    assert review.verdict == Verdict.WORSE


def test_a_plan_is_improved_when_one_target_improved_and_the_other_lacks_data(plan, target):
    other = TargetFactory(agreement=target.agreement, code="latency", name="Latency")
    plan.targets.add(other)
    months(target, BEFORE, ["0.998", "0.998", "0.998"])
    months(target, AFTER, ["0.9995", "0.9995", "0.9995"])
    months(other, BEFORE, ["0.9995", "0.9995", "0.9995"])
    assert reviews.review(plan).verdict == Verdict.IMPROVED


def test_a_plan_is_no_change_when_no_target_moved_and_one_lacks_data(plan, target):
    other = TargetFactory(agreement=target.agreement, code="latency", name="Latency")
    plan.targets.add(other)
    months(target, BEFORE, ["0.9995", "0.9995", "0.9995"])
    months(target, AFTER, ["0.9995", "0.9995", "0.9995"])
    assert reviews.review(plan).verdict == Verdict.NO_CHANGE


def test_a_plan_without_measured_targets_has_not_enough_data(plan, target):
    review = reviews.review(plan)
    assert review.verdict == Verdict.NOT_ENOUGH_DATA
    assert review.details[0]["before"] == review.details[0]["after"] == []


def test_the_goal_target_is_reviewed_with_the_targets_it_is_not_among(plan, target):
    goal = TargetFactory(agreement=target.agreement, code="latency", name="Latency")
    plan.goal_target = goal
    plan.save()
    months(goal, BEFORE, ["0.9995", "0.9995", "0.9995"])
    months(goal, AFTER, ["0.9985", "0.9985", "0.9985"])
    review = reviews.review(plan)
    assert [row["target"] for row in review.details] == ["availability", "latency"]
    assert review.verdict == Verdict.WORSE


@pytest.mark.parametrize("status", [PlanStatus.PROPOSED, PlanStatus.APPROVED, PlanStatus.IN_PROGRESS])
def test_a_plan_not_started_or_not_completed_cannot_be_reviewed(target, status):
    plan = plan_in(status, targets=[target])
    with pytest.raises(ValueError, match="started and completed"):
        reviews.review(plan)
    assert not EffectReview.objects.exists()


def test_review_button_records_the_review_and_the_plan_page_shows_the_verdict(client, manager, plan, target):
    months(target, BEFORE, ["0.998", "0.998", "0.998"])
    months(target, AFTER, ["0.9995", "0.9995", "0.9995"])
    client.force_login(manager)
    response = client.post(f"/plans/{plan.code}/review/", follow=True)
    assert response.redirect_chain == [(f"/plans/{plan.code}/", 302)]
    review = EffectReview.objects.get(plan=plan)
    assert (review.verdict, review.reviewed_by) == (Verdict.IMPROVED, manager)
    text = response.text
    assert "Effect review recorded: Improved." in text
    assert "<strong>Improved</strong>: 3 closed periods before the start against 3 after the completion" in text
    assert "99.8 % · 3 breaches" in text
    assert "99.95 % · 0 breaches" in text


@pytest.mark.parametrize("status", [PlanStatus.PROPOSED, PlanStatus.IN_PROGRESS])
def test_review_button_refuses_a_plan_that_is_not_completed(client, manager, target, status):
    plan = plan_in(status, targets=[target])
    client.force_login(manager)
    response = client.post(f"/plans/{plan.code}/review/", follow=True)
    assert "Only a completed plan can be reviewed." in response.text
    assert not EffectReview.objects.exists()
    assert 'id="review-effect"' not in response.text


def test_a_verified_plan_is_closed_and_keeps_the_review_it_was_verified_with(client, manager, plan, target):
    months(target, BEFORE, ["0.998", "0.998", "0.998"])
    reviews.review(plan)
    plan.transition_to(PlanStatus.VERIFIED, manager)
    months(target, AFTER, ["0.9995", "0.9995", "0.9995"])  # later periods are evaluated
    client.force_login(manager)
    page = client.get(f"/plans/{plan.code}/")
    assert 'id="review-effect"' not in page.text
    refused = client.post(f"/plans/{plan.code}/review/")
    assert refused.status_code == 409
    assert f"{plan.code} is “Verified”: the plan is closed" in refused.text
    assert list(plan.reviews.values_list("verdict", flat=True)) == [Verdict.NOT_ENOUGH_DATA]
