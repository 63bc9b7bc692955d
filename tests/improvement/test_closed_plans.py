"""A verified or cancelled plan is closed: its page offers no edits, no actions, no review and no step, and the views
that would change it refuse (409) with a page that says so, changing nothing — for the service manager too."""

import pytest

from improvement import reviews
from improvement.choices import ActionStatus, PlanStatus
from improvement.models import Action, EffectReview, ImprovementPlan
from tests.agreements.page_checks import page_text
from tests.improvement.factories import ActionFactory, plan_in

pytestmark = pytest.mark.django_db

CLOSED = [PlanStatus.VERIFIED, PlanStatus.CANCELLED]


@pytest.fixture(params=CLOSED, ids=str)
def closed(request, agreement_a):
    plan = plan_in(request.param, title="Salary-day outages", services=list(agreement_a.services.all()))
    action = ActionFactory(plan=plan, description="Add a replica", status=ActionStatus.DONE, completion_note="Done.")
    return plan, action


def test_a_closed_plans_page_offers_no_change(client, manager, closed):
    plan, action = closed
    client.force_login(manager)

    response = client.get(f"/plans/{plan.code}/")

    assert response.status_code == 200
    for marker in ('id="plan-actions"', 'id="add-action"', 'id="review-effect"', "/edit/", "/status/"):
        assert marker not in response.text
    text = page_text(response)
    assert "Add a replica" in text  # the record stays readable
    assert f"The plan is “{plan.get_status_display()}”: it is closed, and its record stays as it is." in text


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("what", ["edit", "actions/new", "action"])
def test_a_closed_plan_refuses_edits_and_actions_with_a_clear_message(client, manager, closed, method, what):
    plan, action = closed
    url = {
        "edit": f"/plans/{plan.code}/edit/",
        "actions/new": f"/plans/{plan.code}/actions/new/",
        "action": f"/plans/{plan.code}/actions/{action.pk}/edit/",
    }[what]
    data = {"title": "Renamed", "problem": "x", "description": "Changed", "status": "open", "review_periods": "1"}
    client.force_login(manager)

    response = getattr(client, method)(url, data if method == "post" else None)

    assert response.status_code == 409
    assert (
        f"{plan.code} is “{plan.get_status_display()}”: the plan is closed, so it is no longer edited, given "
        "actions or reviewed. Nothing was changed." in page_text(response)
    )
    assert ImprovementPlan.objects.get(pk=plan.pk).title == "Salary-day outages"
    assert list(Action.objects.values_list("description", "status")) == [("Add a replica", ActionStatus.DONE)]


def test_a_closed_plan_refuses_a_review(client, manager, closed):
    plan, _action = closed
    client.force_login(manager)

    response = client.post(f"/plans/{plan.code}/review/")

    assert response.status_code == 409
    assert "the plan is closed" in page_text(response)
    assert not EffectReview.objects.exists()


def test_a_customer_still_gets_403_not_the_closed_page(client, alice, closed):
    plan, _action = closed
    client.force_login(alice)

    assert client.post(f"/plans/{plan.code}/edit/").status_code == 403


def test_a_completed_plan_is_not_closed_and_may_still_be_reviewed_and_reopened(client, manager, agreement_a):
    plan = plan_in(PlanStatus.COMPLETED, services=list(agreement_a.services.all()))
    client.force_login(manager)

    page = client.get(f"/plans/{plan.code}/").text

    assert 'id="review-effect"' in page
    assert f'href="/plans/{plan.code}/edit/"' in page
    assert client.get(f"/plans/{plan.code}/actions/new/").status_code == 200
    assert client.post(f"/plans/{plan.code}/review/").status_code == 302
    reviews.review(plan)  # a second review is fine before verifying
    assert EffectReview.objects.filter(plan=plan).count() == 2
