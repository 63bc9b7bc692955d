"""A plan's page reads at a glance: its buttons say what they do ("Approve", "Start work", "Mark as completed",
"Verify", "Cancel the plan", "Reopen"), its status history is the steps on record from its creation (and says so
when steps were never recorded), its review counts periods in good English, and a missing baseline says so. The
buttons of agreements, requirements and surveys are verbs too: each workflow names its steps in one table."""

import re

import pytest

from improvement import reviews
from improvement.choices import PlanStatus
from improvement.models import ImprovementPlan
from tests.agreements.page_checks import page_text
from tests.factories import AgreementFactory, TargetFactory
from tests.improvement.factories import closed_month, plan_in
from tests.monitoring.evaluation_helpers import kst
from tests.requirements_analysis.factories import CampaignFactory, RequirementFactory

pytestmark = pytest.mark.django_db


def buttons(html, block_id):
    """The texts of the links and buttons in the block ``id=block_id``."""
    block = re.search(rf'id="{block_id}">(.*?)\n  </div>', html, re.S)
    if block is None:
        return None
    return [
        " ".join(re.sub(r"<[^>]+>", " ", text).split())
        for text in re.findall(r"<(?:a|button)\b[^>]*>(.*?)</(?:a|button)>", block.group(1), re.S)
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (PlanStatus.PROPOSED, ["Edit", "Approve", "Cancel the plan"]),
        (PlanStatus.APPROVED, ["Edit", "Start work", "Cancel the plan"]),
        (PlanStatus.IN_PROGRESS, ["Edit", "Mark as completed", "Cancel the plan"]),
        (PlanStatus.COMPLETED, ["Edit", "Review the effect", "Verify", "Reopen"]),
        (PlanStatus.VERIFIED, None),
        (PlanStatus.CANCELLED, None),
    ],
    ids=str,
)
def test_the_plan_page_names_each_button_by_what_it_does(client, manager, status, expected):
    plan = plan_in(status)
    client.force_login(manager)

    assert buttons(client.get(f"/plans/{plan.code}/").text, "plan-actions") == expected


@pytest.mark.parametrize(
    ("status", "target", "label"),
    [
        (PlanStatus.PROPOSED, "approved", "Approve"),
        (PlanStatus.APPROVED, "in_progress", "Start work"),
        (PlanStatus.IN_PROGRESS, "completed", "Mark as completed"),
        (PlanStatus.COMPLETED, "in_progress", "Reopen"),
        (PlanStatus.IN_PROGRESS, "cancelled", "Cancel the plan"),
    ],
)
def test_the_confirmation_button_is_the_steps_verb(client, manager, status, target, label):
    plan = plan_in(status)
    client.force_login(manager)

    page = client.get(f"/plans/{plan.code}/status/{target}/").text

    assert re.search(rf'<button type="submit" class="btn btn-primary" id="confirm-transition">{label}</button>', page)


def test_agreement_requirement_and_survey_buttons_are_verbs(client, manager, customer_a, agreement_a):
    client.force_login(manager)
    draft = AgreementFactory(code="acme-draft", customer=customer_a)
    TargetFactory(agreement=draft)
    assert buttons(client.get("/agreements/acme-draft/").text, "agreement-actions") == ["Edit", "Activate"]
    requirement = RequirementFactory(customer=customer_a)
    assert buttons(client.get(f"/requirements/{requirement.code}/").text, "requirement-actions") == [
        "Edit",
        "Mark as analysed",
        "Reject",
    ]
    CampaignFactory(customer=customer_a, code="acme-draft-survey", status="draft")
    assert 'id="open-campaign">Open the survey</button>' in client.get("/surveys/acme-draft-survey/").text


# --- the status history -------------------------------------------------------------------------------------------


def history(client, plan):
    html = client.get(f"/plans/{plan.code}/").text
    block = re.search(r'<ul class="list-unstyled small" id="plan-history">(.*?)</ul>', html, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def test_the_history_reads_the_steps_on_record_from_the_plans_creation(client, manager):
    plan = plan_in(PlanStatus.PROPOSED)
    plan.transition_to(PlanStatus.APPROVED, manager, "Agreed in the review.")
    plan.transition_to(PlanStatus.IN_PROGRESS, manager)
    client.force_login(manager)

    lines = history(client, plan)

    assert len(lines) == 3
    assert lines[0].endswith("· Created as “Proposed”")
    assert lines[1].endswith("· Minsu Park: Proposed → Approved (Agreed in the review.)")
    assert lines[2].endswith("· Minsu Park: Approved → In progress")
    assert "nothing decided yet" not in client.get(f"/plans/{plan.code}/").text


def test_a_plan_moved_without_a_record_says_its_steps_were_not_recorded(client, manager):
    plan = plan_in(PlanStatus.IN_PROGRESS)  # set in the database, as an older demo did
    client.force_login(manager)

    lines = history(client, plan)

    assert lines[1:] == ["Now “In progress”: the steps that led here were not recorded."]
    proposed = plan_in(PlanStatus.PROPOSED)
    assert len(history(client, proposed)) == 1


# --- the review and the goal ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periods", "sentence"),
    [
        (1, "<strong>Not enough data</strong>: 1 closed period before the start against 1 after the completion"),
        (3, "<strong>Not enough data</strong>: 3 closed periods before the start against 3 after the completion"),
    ],
)
def test_the_review_counts_its_periods_in_the_singular_and_the_plural(client, manager, agreement_a, periods, sentence):
    target = agreement_a.targets.get(code="availability")
    plan = plan_in(PlanStatus.COMPLETED, targets=[target], review_periods=periods, started_at=kst(2026, 5, 1))
    closed_month(target, "2026-04", "0.998")
    reviews.review(plan)
    client.force_login(manager)

    assert f'<p id="review-verdict">{sentence} (reviewed ' in client.get(f"/plans/{plan.code}/").text


def test_a_goal_without_a_baseline_says_so_instead_of_a_blank_percentage(client, manager, agreement_a):
    target = agreement_a.targets.get(code="availability")
    plan = plan_in(PlanStatus.PROPOSED, goal_target=target, desired_attainment="99.9")
    client.force_login(manager)

    text = page_text(client.get(f"/plans/{plan.code}/"))

    assert "acme-sla · Availability: no baseline → 99.9 %" in text
    assert "— %" not in text
    ImprovementPlan.objects.filter(pk=plan.pk).update(baseline_attainment="99.5")
    assert "acme-sla · Availability: 99.5 % → 99.9 %" in page_text(client.get(f"/plans/{plan.code}/"))
