"""The one workflow (core.workflow.WorkflowMixin) as each model uses it: its own table, its own rules, one refusal.

The pages of each workflow are tested with their app (tests/agreements/test_transitions.py,
tests/requirements_analysis/test_requirements.py, tests/improvement/test_plans.py, tests/requirements_analysis/
test_surveys.py); here the models are moved directly, as the demo data and the other apps do.
"""

import pytest
from django.core.exceptions import ValidationError

from agreements.choices import AGREEMENT_TRANSITIONS, AgreementStatus
from agreements.models import Agreement
from core.workflow import TransitionNotAllowed, WorkflowMixin
from improvement import reviews
from improvement.choices import PLAN_TRANSITIONS, PlanStatus
from improvement.models import ImprovementPlan, PlanStatusChange
from requirements_analysis.choices import (
    CAMPAIGN_TRANSITIONS,
    REQUIREMENT_TRANSITIONS,
    CampaignStatus,
    RequirementStatus,
)
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign
from tests.factories import AgreementFactory, TargetFactory
from tests.improvement.factories import plan_in
from tests.requirements_analysis.factories import CampaignFactory, RequirementFactory

pytestmark = pytest.mark.django_db

TABLES = [
    (Agreement, AgreementStatus, AGREEMENT_TRANSITIONS),
    (ServiceLevelRequirement, RequirementStatus, REQUIREMENT_TRANSITIONS),
    (ImprovementPlan, PlanStatus, PLAN_TRANSITIONS),
    (SurveyCampaign, CampaignStatus, CAMPAIGN_TRANSITIONS),
]


def stored(row):
    return type(row).objects.values_list("status", flat=True).get(pk=row.pk)


@pytest.mark.parametrize(("model", "choices", "table"), TABLES, ids=lambda value: getattr(value, "__name__", ""))
def test_every_workflow_model_has_a_move_table_for_each_of_its_statuses(model, choices, table):
    assert issubclass(model, WorkflowMixin)
    assert model.status_choices is choices
    assert model.transitions is table
    assert set(table) == set(choices)
    assert all({step.to for step in steps} <= set(choices) for steps in table.values())
    assert all(str(step.label) != str(choices(step.to).label) for steps in table.values() for step in steps), (
        "a step is named by what it does, not by the status it ends in"
    )


def test_a_refusal_is_a_validation_error_listing_every_problem(customer_a):
    empty = AgreementFactory(code="acme-empty", customer=customer_a, services=[])

    with pytest.raises(TransitionNotAllowed) as refused:
        empty.transition_to(AgreementStatus.ACTIVE)

    assert isinstance(refused.value, ValidationError)
    assert refused.value.messages == [
        "An agreement needs at least one service level target before it is activated.",
        "An agreement needs at least one service before it is activated.",
    ]
    assert stored(empty) == AgreementStatus.DRAFT


def test_an_agreement_is_activated_with_a_target_and_then_ends_but_never_comes_back(customer_a):
    agreement = AgreementFactory(code="acme-draft", customer=customer_a)
    TargetFactory(agreement=agreement)
    assert agreement.allowed_transitions == [AgreementStatus.ACTIVE]
    assert [(step.to, step.label) for step in agreement.steps] == [(AgreementStatus.ACTIVE, "Activate")]

    agreement.transition_to(AgreementStatus.ACTIVE)
    agreement.transition_to(AgreementStatus.EXPIRED)

    assert stored(agreement) == AgreementStatus.EXPIRED
    assert agreement.transition_problems(AgreementStatus.ACTIVE) == ["An agreement cannot go from Expired to Active."]
    with pytest.raises(TransitionNotAllowed, match="An agreement cannot go from Expired to Active."):
        agreement.transition_to(AgreementStatus.ACTIVE)


def test_a_requirement_is_rejected_only_with_a_reason_and_keeps_it(customer_a):
    requirement = RequirementFactory(customer=customer_a)

    with pytest.raises(TransitionNotAllowed, match="Say why: a rejected or deferred requirement needs a reason."):
        requirement.transition_to(RequirementStatus.REJECTED, reason="  ")
    assert stored(requirement) == RequirementStatus.PROPOSED

    requirement.transition_to(RequirementStatus.REJECTED, reason="  Out of scope.  ")

    requirement.refresh_from_db()
    assert (requirement.status, requirement.status_reason) == (RequirementStatus.REJECTED, "Out of scope.")


def test_a_requirement_needs_no_reason_to_be_analysed_and_the_table_refuses_agreeing_straight_away(customer_a):
    requirement = RequirementFactory(customer=customer_a)

    assert requirement.refused_transition(RequirementStatus.AGREED) == [
        "A requirement cannot go from Proposed to Agreed."
    ]
    requirement.transition_to(RequirementStatus.ANALYSED)

    assert stored(requirement) == RequirementStatus.ANALYSED


def test_a_plan_records_each_move_and_is_verified_only_with_a_review(manager):
    plan = plan_in(PlanStatus.COMPLETED)

    with pytest.raises(TransitionNotAllowed, match="A plan is verified only with an effect review on record."):
        plan.transition_to(PlanStatus.VERIFIED, manager)
    assert not PlanStatusChange.objects.exists()

    reviews.review(plan)
    plan.transition_to(PlanStatus.VERIFIED, manager, "  Measured.  ")

    change = PlanStatusChange.objects.get(plan=plan)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        PlanStatus.COMPLETED,
        PlanStatus.VERIFIED,
        manager,
        "Measured.",
    )
    assert stored(plan) == PlanStatus.VERIFIED


def test_a_survey_is_opened_once_and_closed_once(customer_a):
    campaign = CampaignFactory(customer=customer_a, status=CampaignStatus.DRAFT)

    campaign.transition_to(CampaignStatus.OPEN)
    campaign.transition_to(CampaignStatus.CLOSED)

    assert stored(campaign) == CampaignStatus.CLOSED
    with pytest.raises(TransitionNotAllowed, match="A survey cannot go from Closed to Open."):
        campaign.transition_to(CampaignStatus.OPEN)
