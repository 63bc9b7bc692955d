"""Every improvement page climbs the permission ladder (see tests/ladder.py): anonymous -> login page, customer B
-> 404 on anything of customer A, customer A -> 200 on reads and 403 on writes, a service manager -> allowed.

The plan is for customer A on the service of A's agreement, with one action.
"""

import pytest

from improvement.choices import PlanStatus
from tests.improvement.factories import ActionFactory, plan_in
from tests.ladder import Rung, climb

pytestmark = pytest.mark.django_db
CODE = "sip-acme01"


@pytest.fixture
def estate(agreement_a, customer_a):
    plan = plan_in(PlanStatus.PROPOSED, code=CODE, customer=customer_a, services=list(agreement_a.services.all()))
    return ActionFactory(plan=plan, pk=4242)


PLAN = f"/plans/{CODE}"
PAGES = [
    Rung("/plans/", scoped=False),
    Rung("/plans/new/", write=True, scoped=False),
    Rung("/plans/new/", write=True, scoped=False, method="post"),
    Rung(f"{PLAN}/"),
    Rung(f"{PLAN}/edit/", write=True),
    Rung(f"{PLAN}/edit/", write=True, method="post"),
    Rung(f"{PLAN}/status/approved/", write=True),
    Rung(f"{PLAN}/status/approved/", write=True, method="post"),
    Rung(f"{PLAN}/actions/new/", write=True),
    Rung(f"{PLAN}/actions/new/", write=True, method="post"),
    Rung(f"{PLAN}/actions/4242/edit/", write=True),
    Rung(f"{PLAN}/actions/4242/edit/", write=True, method="post"),
    # The review is recorded by POST only; a GET answers 405 to anyone logged in (see below).
    Rung(f"{PLAN}/review/", write=True, method="post"),
    # The pack is a customer's own read: customer A reads it, customer B does not find it.
    Rung("/customers/acme/review-pack/?period=2026-11"),
    Rung("/customers/acme/review-pack.csv?period=2026-11"),
]

# A manager's POST with an empty body is a form shown again with its errors (200); the move is made (302), and the
# review of a plan that is not completed is refused with a message on the plan page (302).
MANAGER_STATUS = {
    (f"{PLAN}/status/approved/", "post"): 302,
    (f"{PLAN}/review/", "post"): 302,
}


@pytest.mark.parametrize("rung", PAGES, ids=lambda rung: f"{rung.method.upper()} {rung.url}")
def test_permission_ladder(client, rung, estate, alice, bob, manager):
    climb(
        client,
        rung,
        owner=alice,
        outsider=bob,
        manager=manager,
        allowed_status=MANAGER_STATUS.get((rung.url, rung.method), 200),
    )


def test_the_review_url_answers_get_with_405_once_logged_in(client, estate, alice, manager):
    for person in (alice, manager):
        client.force_login(person)
        assert client.get(f"{PLAN}/review/").status_code == 405


def test_a_person_of_no_customer_finds_no_plan_and_no_pack(client, estate, nobody):
    client.force_login(nobody)
    for url in (f"{PLAN}/", "/customers/acme/review-pack/", "/customers/acme/review-pack.csv"):
        assert client.get(url).status_code == 404
    assert client.get(f"{PLAN}/edit/").status_code == 404  # not found before the permission is asked
    assert client.get("/plans/new/").status_code == 403  # no row to look up: the permission answers
    assert client.get("/plans/").status_code == 200


def test_an_action_of_another_plan_is_not_found_under_this_one(client, estate, manager, agreement_a):
    other = plan_in(PlanStatus.PROPOSED, services=list(agreement_a.services.all()))
    client.force_login(manager)
    assert client.get(f"/plans/{other.code}/actions/4242/edit/").status_code == 404
