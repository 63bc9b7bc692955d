"""A plan's workflow (proposed -> approved -> in progress -> completed -> verified, or cancelled) and the board.

Every move is a POST to /plans/<code>/status/<status>/: an allowed one moves the plan and records who, when, from
and to; a forbidden one answers 409 with the reason and changes nothing. Customers see the plans that concern their
services, read-only.
"""

import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone

from improvement import reviews
from improvement.choices import PLAN_TRANSITIONS, PlanStatus
from improvement.models import ImprovementPlan, PlanStatusChange
from tests.factories import AgreementFactory, ServiceFactory
from tests.improvement.factories import ActionFactory, PlanFactory, plan_in

pytestmark = pytest.mark.django_db

ALLOWED = [(old, step.to) for old, steps in PLAN_TRANSITIONS.items() for step in steps]
FORBIDDEN = [pair for pair in itertools.product(PlanStatus, PlanStatus) if pair not in ALLOWED]


def move(client, plan, status, **data):
    return client.post(f"/plans/{plan.code}/status/{status}/", data)


@pytest.fixture
def acme_service(agreement_a):
    return agreement_a.services.get()


@pytest.fixture
def globex_service(agreement_b):
    return agreement_b.services.get()


# --- the workflow --------------------------------------------------------------------------------------------------


def test_the_workflow_allows_exactly_these_moves():
    assert sorted(ALLOWED) == sorted(
        [
            ("proposed", "approved"),
            ("proposed", "cancelled"),
            ("approved", "in_progress"),
            ("approved", "cancelled"),
            ("in_progress", "completed"),
            ("in_progress", "cancelled"),
            ("completed", "verified"),
            ("completed", "in_progress"),
        ]
    )
    assert PLAN_TRANSITIONS[PlanStatus.VERIFIED] == PLAN_TRANSITIONS[PlanStatus.CANCELLED] == ()


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=lambda s: str(s))
def test_an_allowed_move_changes_the_status_and_records_who_when_from_and_to(client, manager, old, new):
    plan = plan_in(old)
    if new == PlanStatus.VERIFIED:
        reviews.review(plan)  # verifying needs a review on record
    client.force_login(manager)
    before = timezone.now()
    response = move(client, plan, new, note="  Agreed in the service review.  ")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.code}/"
    plan.refresh_from_db()
    assert plan.status == new
    change = PlanStatusChange.objects.get(plan=plan)
    assert (change.from_status, change.to_status, change.changed_by) == (old, new, manager)
    assert change.note == "Agreed in the service review."
    assert before <= change.changed_at <= timezone.now()


@pytest.mark.parametrize(("old", "new"), FORBIDDEN, ids=lambda s: str(s))
def test_a_forbidden_move_answers_409_with_the_reason_and_changes_nothing(client, manager, old, new):
    plan = plan_in(old)
    started, completed = plan.started_at, plan.completed_at
    client.force_login(manager)
    response = move(client, plan, new)
    assert response.status_code == 409
    assert f"A plan cannot go from {old.label} to {new.label}." in response.text
    plan.refresh_from_db()
    assert (plan.status, plan.started_at, plan.completed_at) == (old, started, completed)
    assert not PlanStatusChange.objects.exists()


def test_the_confirm_page_of_a_forbidden_move_shows_the_reason_instead_of_the_button(client, manager):
    plan = plan_in(PlanStatus.PROPOSED)
    client.force_login(manager)
    response = client.get(f"/plans/{plan.code}/status/completed/")
    assert response.status_code == 200
    assert "A plan cannot go from Proposed to Completed." in response.text
    assert 'id="confirm-transition"' not in response.text
    allowed = client.get(f"/plans/{plan.code}/status/approved/")
    assert 'id="confirm-transition"' in allowed.text
    assert f"Move {plan.code} to “Approved”?" in allowed.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_status_is_not_found(client, manager, method):
    plan = plan_in(PlanStatus.PROPOSED)
    client.force_login(manager)
    assert getattr(client, method)(f"/plans/{plan.code}/status/finished/").status_code == 404
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED


def test_verifying_needs_an_effect_review_on_record(client, manager):
    plan = plan_in(PlanStatus.COMPLETED)
    client.force_login(manager)
    refused = move(client, plan, "verified")
    assert refused.status_code == 409
    assert "A plan is verified only with an effect review on record." in refused.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED

    assert client.post(f"/plans/{plan.code}/review/").status_code == 302
    assert move(client, plan, "verified").status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.VERIFIED


def test_a_review_from_before_the_plan_was_reopened_does_not_verify_it(client, manager):
    plan = plan_in(PlanStatus.COMPLETED)
    reviews.review(plan)
    plan.transition_to(PlanStatus.IN_PROGRESS, manager, "The review said worse: more work.")
    plan.transition_to(PlanStatus.COMPLETED, manager)
    client.force_login(manager)
    refused = move(client, plan, "verified")
    assert refused.status_code == 409
    assert "A plan is verified only with an effect review on record." in refused.text
    client.post(f"/plans/{plan.code}/review/")
    assert move(client, plan, "verified").status_code == 302


def test_started_at_is_set_on_the_first_start_and_completed_at_on_each_completion(client, manager):
    plan = plan_in(PlanStatus.APPROVED)
    client.force_login(manager)
    move(client, plan, "in_progress")
    plan.refresh_from_db()
    first_start = plan.started_at
    assert first_start is not None
    assert plan.completed_at is None

    move(client, plan, "completed")
    plan.refresh_from_db()
    first_completion = plan.completed_at
    assert first_completion >= first_start

    move(client, plan, "in_progress")  # reopened: still started when it first started
    move(client, plan, "completed")
    plan.refresh_from_db()
    assert plan.started_at == first_start
    assert plan.completed_at > first_completion
    assert list(plan.status_changes.values_list("from_status", "to_status")) == [
        ("approved", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "in_progress"),
        ("in_progress", "completed"),
    ]


def test_a_move_made_from_an_out_of_date_copy_records_the_status_the_plan_really_had(manager):
    plan = plan_in(PlanStatus.APPROVED)
    stale = ImprovementPlan.objects.get(pk=plan.pk)
    plan.transition_to(PlanStatus.IN_PROGRESS, manager)
    stale.transition_to(PlanStatus.CANCELLED, manager)  # allowed from in progress too
    stale.refresh_from_db()
    assert stale.status == PlanStatus.CANCELLED
    assert stale.started_at == plan.started_at  # the start is not lost
    assert list(stale.status_changes.values_list("from_status", "to_status")) == [
        ("approved", "in_progress"),
        ("in_progress", "cancelled"),
    ]


def test_the_plan_page_offers_the_allowed_moves_and_shows_the_history(client, manager):
    plan = plan_in(PlanStatus.APPROVED)
    plan.transition_to(PlanStatus.IN_PROGRESS, manager, "Budget found.")
    client.force_login(manager)
    text = client.get(f"/plans/{plan.code}/").text
    assert f'href="/plans/{plan.code}/status/completed/"' in text
    assert f'href="/plans/{plan.code}/status/cancelled/"' in text
    assert f'href="/plans/{plan.code}/status/verified/"' not in text
    assert "Minsu Park: Approved → In progress (Budget found.)" in text


# --- the board -----------------------------------------------------------------------------------------------------


@pytest.fixture
def board_plans(customer_a, customer_b, acme_service, globex_service):
    return {
        "acme-proposed": PlanFactory(title="Acme proposed", customer=customer_a, services=[acme_service]),
        "acme-approved": plan_in(PlanStatus.APPROVED, title="Acme approved", services=[acme_service]),
        "acme-verified": plan_in(
            PlanStatus.VERIFIED, title="Acme verified", customer=customer_a, services=[acme_service]
        ),
        "acme-cancelled": plan_in(PlanStatus.CANCELLED, title="Acme cancelled", services=[acme_service]),
        "globex-running": plan_in(
            PlanStatus.IN_PROGRESS, title="Globex running", customer=customer_b, services=[globex_service]
        ),
    }


def board_columns(html):
    """{status: [plan codes]} of the board's columns, and the cancelled plans under "cancelled"."""
    columns = {}
    for status, body in re.findall(r'<div class="col-md" data-column="(\w+)">(.*?)\n  </div>', html, re.S):
        columns[status] = re.findall(r'data-plan="([\w-]+)"', body)
    cancelled = re.search(r"Cancelled: (.*?)</p>", html, re.S)
    columns["cancelled"] = re.findall(r'href="/plans/([\w-]+)/"', cancelled.group(1)) if cancelled else []
    return columns


def codes(board_plans, *names):
    return [board_plans[name].code for name in names]


def test_the_board_shows_plans_in_columns_by_status(client, manager, board_plans):
    client.force_login(manager)
    columns = board_columns(client.get("/plans/").text)
    assert columns == {
        "proposed": codes(board_plans, "acme-proposed"),
        "approved": codes(board_plans, "acme-approved"),
        "in_progress": codes(board_plans, "globex-running"),
        "completed": [],
        "verified": codes(board_plans, "acme-verified"),
        "cancelled": codes(board_plans, "acme-cancelled"),
    }


def test_the_board_filters_by_service(client, manager, board_plans, globex_service):
    client.force_login(manager)
    columns = board_columns(client.get(f"/plans/?service={globex_service.code}").text)
    assert sum(columns.values(), []) == codes(board_plans, "globex-running")


def test_the_board_filtered_by_a_customer_shows_the_plans_its_people_see(client, manager, alice, board_plans):
    client.force_login(manager)
    filtered = board_columns(client.get("/plans/?customer=acme").text)
    client.force_login(alice)
    own = board_columns(client.get("/plans/").text)
    assert filtered == own
    assert sorted(sum(own.values(), [])) == sorted(
        codes(board_plans, "acme-proposed", "acme-approved", "acme-verified", "acme-cancelled")
    )


def test_a_customer_does_not_find_a_plan_on_another_customers_service(client, alice, board_plans):
    client.force_login(alice)
    globex = board_plans["globex-running"]
    assert client.get(f"/plans/{globex.code}/").status_code == 404
    text = client.get("/plans/").text
    assert globex.code not in text
    assert "Globex running" not in text


def test_a_plan_for_another_customer_on_a_shared_service_is_not_shown_to_a_customer(
    client, alice, bob, customer_b, agreement_a
):
    shared = ServiceFactory(code="shared-mail", name="Shared mail")
    agreement_a.services.add(shared)
    AgreementFactory(customer=customer_b, services=[shared])
    globex_only = PlanFactory(title="Globex mailbox outages", customer=customer_b, services=[shared])
    everyone = PlanFactory(title="Mail for everyone", services=[shared])  # a plan for no one customer
    client.force_login(alice)
    assert client.get(f"/plans/{globex_only.code}/").status_code == 404
    assert "Globex mailbox outages" not in client.get("/plans/").text
    assert client.get(f"/plans/{everyone.code}/").status_code == 200
    client.force_login(bob)
    assert client.get(f"/plans/{globex_only.code}/").status_code == 200
    assert client.get(f"/plans/{everyone.code}/").status_code == 200


def test_a_customer_reads_a_plan_on_its_service_without_edit_buttons(client, alice, board_plans):
    plan = board_plans["acme-approved"]
    action = ActionFactory(plan=plan, description="Add a replica", due_date=dt.date(2026, 12, 1))
    client.force_login(alice)
    response = client.get(f"/plans/{plan.code}/")
    assert response.status_code == 200
    assert "Acme approved" in response.text
    assert "Add a replica" in response.text
    for marker in ('id="plan-actions"', 'id="add-action"', 'id="review-effect"', "/edit/", "/status/"):
        assert marker not in response.text
    assert 'class="btn btn-primary" href="/plans/new/"' not in client.get("/plans/").text
    for url in (
        f"/plans/{plan.code}/edit/",
        f"/plans/{plan.code}/status/in_progress/",
        f"/plans/{plan.code}/actions/new/",
        f"/plans/{plan.code}/actions/{action.pk}/edit/",
    ):
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_a_person_of_no_customer_sees_an_empty_board(client, nobody, board_plans):
    client.force_login(nobody)
    columns = board_columns(client.get("/plans/").text)
    assert sum(columns.values(), []) == []
    assert client.get(f"/plans/{board_plans['acme-proposed'].code}/").status_code == 404


def test_a_manager_edits_a_plan(client, manager, board_plans, acme_service):
    plan = board_plans["acme-proposed"]
    client.force_login(manager)
    response = client.post(
        f"/plans/{plan.code}/edit/",
        {
            "title": "Acme proposed, sharper",
            "services": [acme_service.pk],
            "problem": "Salary-day outages.",
            "baseline_attainment": "99.5",
            "desired_attainment": "99.9",
            "review_periods": "2",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.review_periods, plan.status) == ("Acme proposed, sharper", 2, PlanStatus.PROPOSED)
