"""The improvement plans API (/api/v1/improvement-plans): the plan form over JSON (breaches, targets as
"agreement/target" and requirements linked as the form links them, its refusals with its messages), the plan's
workflow (each step recorded with the API's person and note; verified only with an effect review), effect reviews
recorded and read as the plan's page shows them, and closed plans that change no more."""

import pytest
from rest_framework.test import APIClient

from improvement.choices import PlanStatus, Verdict
from improvement.models import EffectReview, ImprovementPlan, PlanStatusChange
from tests.api_ladder import Call, climb
from tests.factories import ServiceFactory
from tests.improvement.factories import (
    PlanFactory,
    RequirementFactory,
    breach_in,
    closed_month,
    coordinator_of,
    plan_in,
)
from tests.monitoring.evaluation_helpers import kst
from tests.monitoring.factories import api_token_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/improvement-plans"


def client_of(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def banking(agreement_a):
    service = ServiceFactory(code="internet-banking", name="Internet banking")
    agreement_a.services.add(service)
    return service


@pytest.fixture
def target(agreement_a):
    return agreement_a.targets.get(code="availability")


@pytest.fixture
def plan(customer_a, banking, target):
    return PlanFactory(code="sip-acme", title="Salary day", customer=customer_a, services=[banking], targets=[target])


def url(plan, tail=""):
    return f"{LIST}/{plan.code}{tail}"


def new_plan(**fields):
    return {
        "title": "Bring availability back over 99.9 %",
        "customer": "acme",
        "services": ["internet-banking"],
        "problem": "Salary day outages",
        "review_periods": 3,
        **fields,
    }


# --- the ladder ------------------------------------------------------------------------------------------------------


def test_list_and_detail_ladder(alice, bob, manager, plan, customer_b):
    PlanFactory(code="sip-globex", customer=customer_b)
    listed = climb(Call("get", LIST, scoped=False), owner=alice, outsider=bob, manager=manager)
    assert sorted(row["code"] for row in listed.data["results"]) == ["sip-acme", "sip-globex"]
    assert [row["code"] for row in client_of(alice).get(LIST).data["results"]] == ["sip-acme"]
    assert [row["code"] for row in client_of(bob).get(LIST).data["results"]] == ["sip-globex"]
    detail = climb(Call("get", url(plan)), owner=alice, outsider=bob, manager=manager)
    assert detail.data["targets"] == ["acme-sla/availability"]
    assert (detail.data["status_changes"], detail.data["effect_review"]) == ([], None)


def test_create_ladder_links_what_the_form_links_and_the_starter_owns_it(alice, bob, manager, banking, target):
    breach = breach_in(target, "2026-10", "0.995")
    requirement = RequirementFactory(customer=target.agreement.customer, service=banking)
    body = new_plan(
        breaches=[breach.pk],
        targets=["acme-sla/availability"],
        goal_target="acme-sla/availability",
        requirements=[requirement.code],
        baseline_attainment="99.5",
        desired_attainment="99.9",
    )
    response = climb(Call("post", LIST, body, scoped=False), owner=alice, outsider=bob, manager=manager)
    plan = ImprovementPlan.objects.get()
    assert response.data["code"] == plan.code
    assert list(plan.breaches.all()) == [breach]
    assert list(plan.requirements.all()) == [requirement]
    assert (plan.goal_target, list(plan.targets.all())) == (target, [target])
    assert (plan.owner, plan.status) == (manager, PlanStatus.PROPOSED)
    assert (response.data["breaches"], response.data["requirements"]) == ([breach.pk], [requirement.code])


def test_someone_allowed_to_start_plans_starts_one_for_their_organisation(customer_a, banking):
    carol = coordinator_of(customer_a)
    response = client_of(carol).post(LIST, new_plan(), format="json")
    assert response.status_code == 201, response.data
    assert response.data["owner"] is None  # she is no service manager: the page leaves the owner empty too


def test_update_ladder(alice, bob, manager, plan):
    response = climb(
        Call("patch", url(plan), {"title": "Salary day, all day"}), owner=alice, outsider=bob, manager=manager
    )
    assert response.data["title"] == "Salary day, all day"
    plan.refresh_from_db()
    assert plan.title == "Salary day, all day"


def test_no_page_deletes_a_plan_and_neither_does_the_api(manager, plan):
    assert APIClient().delete(url(plan)).status_code == 401
    assert client_of(manager).delete(url(plan)).status_code == 405
    assert ImprovementPlan.objects.filter(pk=plan.pk).exists()


# --- the form's rules ------------------------------------------------------------------------------------------------


def test_a_goal_under_the_baseline_is_refused_with_the_forms_message(manager, banking):
    body = new_plan(baseline_attainment="99.5", desired_attainment="99.0")
    response = client_of(manager).post(LIST, body, format="json")
    assert response.status_code == 400
    assert response.data == {"desired_attainment": ["The goal must be above the baseline."]}
    assert not ImprovementPlan.objects.exists()


def test_another_customers_breach_is_refused(manager, banking, agreement_b):
    theirs = breach_in(agreement_b.targets.get(), "2026-10", "0.99")
    response = client_of(manager).post(LIST, new_plan(breaches=[theirs.pk]), format="json")
    assert response.status_code == 400
    assert response.data["breaches"][0].startswith("Not Acme Bank's: globex-sla · Availability · 2026-10.")
    assert not ImprovementPlan.objects.exists()


def test_a_breach_an_open_plan_addresses_asks_for_another_plan_on_purpose(manager, plan, target, banking):
    breach = breach_in(target, "2026-10", "0.995")
    plan.breaches.add(breach)
    refused = client_of(manager).post(LIST, new_plan(breaches=[breach.pk]), format="json")
    assert refused.status_code == 400
    assert refused.data == {
        "another_plan": ["A plan is already open for this: go on with it, or tick the box to start another one."]
    }
    made = client_of(manager).post(LIST, new_plan(breaches=[breach.pk], another_plan=True), format="json")
    assert made.status_code == 201
    assert ImprovementPlan.objects.count() == 2


def test_an_unknown_target_is_refused_under_its_field(manager, banking):
    response = client_of(manager).post(LIST, new_plan(goal_target="acme-sla/latency"), format="json")
    assert response.status_code == 400
    assert response.data == {
        "goal_target": [
            "No such target for you here: acme-sla/latency. Name a target as agreement/target, by their codes."
        ]
    }
    assert not ImprovementPlan.objects.exists()


# --- the workflow ----------------------------------------------------------------------------------------------------


def test_transition_ladder_records_the_person_and_the_note(alice, bob, manager, plan):
    response = climb(
        Call("post", url(plan, "/transition"), {"status": "approved", "note": "Budget agreed"}),
        owner=alice,
        outsider=bob,
        manager=manager,
        allowed_status=200,
    )
    assert response.data["status"] == "approved"
    change = PlanStatusChange.objects.get(plan=plan)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "proposed",
        "approved",
        manager,
        "Budget agreed",
    )
    assert response.data["status_changes"][0]["changed_by"] == "manager"


def test_a_step_made_with_a_token_is_recorded_as_its_person(manager, plan):
    _row, token = api_token_for(manager)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post(url(plan, "/transition"), {"status": "approved"}, format="json").status_code == 200
    assert PlanStatusChange.objects.get(plan=plan).changed_by == manager


def test_a_plan_is_verified_only_with_an_effect_review(manager, target, customer_a):
    plan = plan_in(PlanStatus.COMPLETED, customer=customer_a, targets=[target])
    client = client_of(manager)
    refused = client.post(url(plan, "/transition"), {"status": "verified"}, format="json")
    assert refused.status_code == 409
    assert refused.data == {"detail": ["A plan is verified only with an effect review on record."]}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert client.post(url(plan, "/review")).status_code == 201
    assert client.post(url(plan, "/transition"), {"status": "verified"}, format="json").data["status"] == "verified"


def test_a_step_the_table_does_not_have_and_a_bad_note_are_refused(manager, plan):
    skipped = client_of(manager).post(url(plan, "/transition"), {"status": "completed"}, format="json")
    assert skipped.status_code == 409
    assert skipped.data == {"detail": ["A plan cannot go from Proposed to Completed."]}
    bad_note = client_of(manager).post(url(plan, "/transition"), {"status": "approved", "note": [1]}, format="json")
    assert bad_note.status_code == 400
    assert list(bad_note.data) == ["note"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED
    assert not PlanStatusChange.objects.exists()


# --- effect reviews --------------------------------------------------------------------------------------------------


@pytest.fixture
def completed(customer_a, target):
    """Completed between May and July 2026; availability breached twice before it, never after."""
    plan = plan_in(
        PlanStatus.COMPLETED,
        code="sip-done",
        customer=customer_a,
        targets=[target],
        started_at=kst(2026, 5, 1),
        completed_at=kst(2026, 7, 10),
    )
    for label, attainment in zip(
        ("2026-02", "2026-03", "2026-04", "2026-08", "2026-09", "2026-10"),
        ("0.9980", "0.9995", "0.9985", "0.9995", "0.9996", "0.9994"),
        strict=True,
    ):
        closed_month(target, label, attainment)
    return plan


def test_review_ladder_and_the_figures_of_the_plans_page(alice, bob, manager, completed):
    response = climb(Call("post", url(completed, "/review")), owner=alice, outsider=bob, manager=manager)
    stored = EffectReview.objects.get(plan=completed)
    assert (stored.verdict, stored.reviewed_by) == (Verdict.IMPROVED, manager)
    assert response.data["verdict"] == "improved"
    (row,) = response.data["targets"]
    assert dict(row) | {"before": None, "after": None} == stored.rows[0] | {"before": None, "after": None}
    assert (row["mean_before"], row["mean_after"], row["breaches_before"], row["breaches_after"]) == (
        "99.867",
        "99.95",
        2,
        0,
    )
    assert [(p["label"], p["attainment"], p["breached"]) for p in row["before"]] == [
        ("2026-02", "99.8", True),
        ("2026-03", "99.95", False),
        ("2026-04", "99.85", True),
    ]
    read = climb(Call("get", url(completed, "/review")), owner=alice, outsider=bob, manager=manager)
    assert read.data == response.data
    assert client_of(alice).get(url(completed)).data["effect_review"]["verdict"] == "improved"


def test_a_plan_not_completed_is_not_reviewed(manager, plan):
    assert client_of(manager).get(url(plan, "/review")).status_code == 404
    response = client_of(manager).post(url(plan, "/review"))
    assert response.status_code == 409
    assert response.data == {"detail": ["Only a completed plan can be reviewed."]}
    assert not EffectReview.objects.exists()


# --- closed plans ----------------------------------------------------------------------------------------------------


def test_a_closed_plan_changes_no_more(manager, customer_a, target):
    verified = plan_in(PlanStatus.VERIFIED, code="sip-verified", title="Kept", customer=customer_a, targets=[target])
    client = client_of(manager)
    closed = [
        "sip-verified is “Verified”: the plan is closed, so it is no longer edited, given actions or reviewed. "
        "Nothing was changed."
    ]
    edit = client.patch(url(verified), {"title": "Changed"}, format="json")
    assert (edit.status_code, edit.data) == (409, {"detail": closed})
    review = client.post(url(verified, "/review"))
    assert (review.status_code, review.data) == (409, {"detail": closed})
    step = client.post(url(verified, "/transition"), {"status": "in_progress"}, format="json")
    assert step.status_code == 409
    verified.refresh_from_db()
    assert (verified.title, verified.status) == ("Kept", PlanStatus.VERIFIED)
    assert not EffectReview.objects.exists()


# --- the list --------------------------------------------------------------------------------------------------------


def test_the_boards_filters_narrow_the_list_and_it_sorts(manager, plan, customer_b, banking):
    other = PlanFactory(code="sip-other", customer=customer_b, owner=manager)
    shared = PlanFactory(code="sip-shared", services=[banking])  # for no one customer, on Acme's service
    shared.transition_to(PlanStatus.APPROVED, manager)
    client = client_of(manager)
    assert sorted(row["code"] for row in client.get(LIST, {"customer": "acme"}).data["results"]) == [
        "sip-acme",
        "sip-shared",
    ]
    assert [row["code"] for row in client.get(LIST, {"status": "approved"}).data["results"]] == ["sip-shared"]
    assert [row["code"] for row in client.get(LIST, {"owner": "manager"}).data["results"]] == [other.code]
    assert [row["code"] for row in client.get(LIST, {"service": "internet-banking"}).data["results"]] == [
        "sip-shared",
        "sip-acme",
    ]
    assert [row["code"] for row in client.get(LIST, {"ordering": "created_at"}).data["results"]] == [
        "sip-acme",
        "sip-other",
        "sip-shared",
    ]
    first = client.get(LIST, {"page_size": 1})
    assert [row["code"] for row in first.data["results"]] == ["sip-shared"]
    assert [row["code"] for row in client.get(first.data["next"]).data["results"]] == ["sip-other"]


def test_the_schema_lists_the_plan_paths(manager):
    paths = client_of(manager).get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/improvement-plans"])
    assert {"get", "put", "patch"} == set(paths["/api/v1/improvement-plans/{code}"]) - {"parameters"}
    assert set(paths["/api/v1/improvement-plans/{code}/review"]) == {"get", "post"}
    assert "409" in paths["/api/v1/improvement-plans/{code}/review"]["post"]["responses"]
    assert "409" in paths["/api/v1/improvement-plans/{code}/transition"]["post"]["responses"]


def test_refusals_speak_the_language_of_the_request(manager, banking):
    client = client_of(manager)
    response = client.post(LIST, new_plan(goal_target="acme-sla/latency"), format="json", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    assert response.data["goal_target"] == [
        "여기서 선택할 수 있는 목표가 아닙니다: acme-sla/latency. 목표는 협약 코드/목표 코드 형식으로 지정하세요."
    ]
