"""A plan's actions over the API (/api/v1/improvement-plans/<plan>/actions): the action form (a done action needs a
note and carries when it was done; a reopened one no longer does), read by the customers the plan concerns, and no
change to a closed plan's actions."""

import pytest
from rest_framework.test import APIClient

from improvement.choices import ActionStatus, PlanStatus
from improvement.models import Action
from tests.api_ladder import Call, climb
from tests.factories import ServiceFactory
from tests.improvement.factories import ActionFactory, PlanFactory, plan_in

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def plan(customer_a, agreement_a):
    service = ServiceFactory(code="internet-banking")
    agreement_a.services.add(service)
    return PlanFactory(code="sip-acme", customer=customer_a, services=[service])


def actions_of(plan, tail=""):
    return f"/api/v1/improvement-plans/{plan.code}/actions{tail}"


def test_list_and_detail_ladder(alice, bob, manager, plan):
    action = ActionFactory(plan=plan, description="Add a second database node")
    ActionFactory(description="Another plan's")
    listed = climb(Call("get", actions_of(plan)), owner=alice, outsider=bob, manager=manager)
    assert [row["description"] for row in listed.data["results"]] == ["Add a second database node"]
    detail = climb(Call("get", actions_of(plan, f"/{action.pk}")), owner=alice, outsider=bob, manager=manager)
    assert (detail.data["id"], detail.data["plan"], detail.data["status"]) == (action.pk, "sip-acme", "open")


def test_create_ladder(alice, bob, manager, plan):
    body = {"description": "Load test salary day", "owner": "manager", "due_date": "2027-01-15"}
    response = climb(Call("post", actions_of(plan), body), owner=alice, outsider=bob, manager=manager)
    action = Action.objects.get()
    assert (action.plan, action.owner, str(action.due_date)) == (plan, manager, "2027-01-15")
    assert response.data["id"] == action.pk


def test_update_ladder_stamps_and_clears_the_completion(alice, bob, manager, plan):
    action = ActionFactory(plan=plan)
    body = {"status": "done", "completion_note": "Second node live"}
    response = climb(Call("patch", actions_of(plan, f"/{action.pk}"), body), owner=alice, outsider=bob, manager=manager)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.completed_at is not None
    assert response.data["completed_at"] is not None
    reopened = client_of(manager).patch(actions_of(plan, f"/{action.pk}"), {"status": "open"}, format="json")
    assert reopened.data["completed_at"] is None
    action.refresh_from_db()
    assert action.completed_at is None


def test_a_done_action_needs_a_note_as_on_its_page(manager, plan):
    response = client_of(manager).post(actions_of(plan), {"description": "Done", "status": "done"}, format="json")
    assert response.status_code == 400
    assert response.data == {"completion_note": ["Say what was done."]}
    assert not Action.objects.exists()


def test_an_owner_must_be_portal_staff(manager, alice, plan):
    response = client_of(manager).post(actions_of(plan), {"description": "x", "owner": "alice"}, format="json")
    assert response.status_code == 400
    assert list(response.data) == ["owner"]
    assert not Action.objects.exists()


def test_an_action_is_found_under_its_own_plan_only(manager, plan):
    elsewhere = ActionFactory(description="Another plan's")
    assert client_of(manager).get(actions_of(plan, f"/{elsewhere.pk}")).status_code == 404
    assert client_of(manager).get("/api/v1/improvement-plans/no-such-plan/actions").status_code == 404


def test_a_closed_plans_actions_change_no_more(manager, customer_a):
    cancelled = plan_in(PlanStatus.CANCELLED, code="sip-cancelled", customer=customer_a)
    action = ActionFactory(plan=cancelled, description="Kept")
    client = client_of(manager)
    added = client.post(actions_of(cancelled), {"description": "New"}, format="json")
    assert added.status_code == 409
    assert added.data["detail"][0].startswith("sip-cancelled is “Cancelled”: the plan is closed")
    changed = client.patch(actions_of(cancelled, f"/{action.pk}"), {"description": "Changed"}, format="json")
    assert changed.status_code == 409
    assert list(Action.objects.values_list("description", flat=True)) == ["Kept"]


def test_no_page_deletes_an_action_and_neither_does_the_api(manager, plan):
    action = ActionFactory(plan=plan)
    assert client_of(manager).delete(actions_of(plan, f"/{action.pk}")).status_code == 405
    assert Action.objects.filter(pk=action.pk).exists()


def test_filters_ordering_and_cursor_paging(manager, plan):
    first, second, third = (ActionFactory(plan=plan, description=f"Step {n}") for n in range(3))
    second.status = ActionStatus.IN_PROGRESS
    second.owner = manager
    second.save()
    client = client_of(manager)
    assert [row["id"] for row in client.get(actions_of(plan), {"status": "in_progress"}).data["results"]] == [second.pk]
    assert [row["id"] for row in client.get(actions_of(plan), {"owner": "manager"}).data["results"]] == [second.pk]
    newest_first = client.get(actions_of(plan), {"ordering": "-pk"}).data["results"]
    assert [row["id"] for row in newest_first] == [third.pk, second.pk, first.pk]
    page = client.get(actions_of(plan), {"page_size": 1})
    assert [row["id"] for row in page.data["results"]] == [first.pk]
    assert [row["id"] for row in client.get(page.data["next"]).data["results"]] == [second.pk]


def test_the_schema_lists_the_action_paths(manager):
    paths = client_of(manager).get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/improvement-plans/{plan}/actions"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/improvement-plans/{plan}/actions/{id}"])
