"""The requirements API (/api/v1/requirements): the pages' rules over JSON. A customer user reads and states their own
organisation's requirements (the customer is theirs, never chosen); a service manager reads, states and changes every
one, decides on it (a rejection needs a reason, agreeing may add a draft target) and links the targets that meet it."""

import pytest
from rest_framework.test import APIClient

from agreements.models import ServiceLevelTarget
from requirements_analysis.choices import RequirementStatus
from requirements_analysis.models import ServiceLevelRequirement
from tests.api_ladder import Call, climb
from tests.factories import AgreementFactory, ServiceFactory, TargetFactory
from tests.monitoring.factories import api_token_for
from tests.requirements_analysis.factories import RequirementFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/requirements"


@pytest.fixture
def banking(agreement_a):
    service = ServiceFactory(code="internet-banking", name="Internet banking")
    agreement_a.services.add(service)
    return service


@pytest.fixture
def requirement(customer_a, banking):
    return RequirementFactory(customer=customer_a, service=banking, statement="Up on salary day", importance=5)


def client_of(user):
    client = APIClient()
    client.force_login(user)
    return client


def url(requirement, tail=""):
    return f"{LIST}/{requirement.code}{tail}"


def new_requirement(**fields):
    return {
        "service": "internet-banking",
        "statement": "Transfers confirmed within two seconds",
        "category": "performance",
        "importance": 4,
        "performance": 2,
        "source": "survey",
        "desired_level": "95 % of transfers within 2 s",
        **fields,
    }


# --- the ladder ------------------------------------------------------------------------------------------------------


def test_list_and_detail_ladder(alice, bob, manager, requirement, customer_b):
    RequirementFactory(customer=customer_b, statement="Globex's own")
    listed = climb(Call("get", LIST, scoped=False), owner=alice, outsider=bob, manager=manager)
    assert [row["statement"] for row in listed.data["results"]] == ["Globex's own", "Up on salary day"]
    assert [row["code"] for row in client_of(alice).get(LIST).data["results"]] == [requirement.code]
    assert [row["statement"] for row in client_of(bob).get(LIST).data["results"]] == ["Globex's own"]

    detail = climb(Call("get", url(requirement)), owner=alice, outsider=bob, manager=manager)
    assert detail.data["customer"] == "acme"
    assert detail.data["service"] == "internet-banking"
    assert detail.data["status"] == "proposed"
    assert detail["ETag"]


def test_update_ladder_and_history_user(alice, bob, manager, requirement):
    body = {"statement": "Up all of salary day, 07:00 to 24:00", "importance": 4}
    response = climb(Call("patch", url(requirement), body), owner=alice, outsider=bob, manager=manager)
    assert response.data["statement"] == "Up all of salary day, 07:00 to 24:00"
    requirement.refresh_from_db()
    assert (requirement.statement, requirement.importance) == ("Up all of salary day, 07:00 to 24:00", 4)
    assert requirement.history.first().history_user == manager


def test_a_change_through_a_personal_token_is_recorded_as_its_person(manager, requirement):
    _row, token = api_token_for(manager)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.patch(url(requirement), {"desired_level": "99.95 % in business hours"}, format="json")
    assert response.status_code == 200
    assert requirement.history.first().history_user == manager
    assert token not in response.content.decode()


def test_no_page_deletes_a_requirement_and_neither_does_the_api(alice, manager, requirement):
    assert APIClient().delete(url(requirement)).status_code == 401
    assert client_of(alice).delete(url(requirement)).status_code == 405
    assert client_of(manager).delete(url(requirement)).status_code == 405
    assert ServiceLevelRequirement.objects.filter(pk=requirement.pk).exists()


# --- who states a requirement ----------------------------------------------------------------------------------------


def test_a_customer_user_states_one_for_their_own_organisation(alice, banking, customer_a):
    assert APIClient().post(LIST, new_requirement(), format="json").status_code == 401
    response = client_of(alice).post(LIST, new_requirement(), format="json")
    assert response.status_code == 201, response.data
    stored = ServiceLevelRequirement.objects.get(code=response.data["code"])
    assert (stored.customer, stored.submitted_by, stored.status) == (customer_a, alice, RequirementStatus.PROPOSED)
    assert response.data["submitted_by"] == "alice"
    assert stored.history.first().history_user == alice


def test_a_customer_user_does_not_choose_the_customer(alice, banking, customer_b):
    response = client_of(alice).post(LIST, new_requirement(customer="globex"), format="json")
    assert response.status_code == 400
    assert response.data == {"customer": ["There is no such field."]}
    assert not ServiceLevelRequirement.objects.exists()


def test_a_customer_user_states_none_on_another_organisations_service(bob, banking):
    response = client_of(bob).post(LIST, new_requirement(), format="json")
    assert response.status_code == 400
    assert "service" in response.data
    assert not ServiceLevelRequirement.objects.exists()


def test_someone_of_no_organisation_and_no_role_states_none(nobody, banking):
    assert client_of(nobody).post(LIST, new_requirement(), format="json").status_code == 403
    assert not ServiceLevelRequirement.objects.exists()


def test_a_manager_chooses_the_customer(manager, banking, customer_a):
    missing = client_of(manager).post(LIST, new_requirement(), format="json")
    assert missing.status_code == 400
    assert list(missing.data) == ["customer"]
    response = client_of(manager).post(LIST, new_requirement(customer="acme"), format="json")
    assert response.status_code == 201
    assert ServiceLevelRequirement.objects.get().customer == customer_a


def test_a_value_the_page_refuses_is_refused_with_its_message(alice, banking):
    response = client_of(alice).post(LIST, new_requirement(importance=6, category="speed"), format="json")
    assert response.status_code == 400
    assert response.data["importance"] == ["Ensure this value is less than or equal to 5."]
    assert response.data["category"] == ["Select a valid choice. speed is not one of the available choices."]
    assert not ServiceLevelRequirement.objects.exists()


def test_a_customer_user_changes_no_requirement_even_their_own(alice, requirement):
    response = client_of(alice).patch(url(requirement), {"statement": "Mine, changed"}, format="json")
    assert response.status_code == 403
    requirement.refresh_from_db()
    assert requirement.statement == "Up on salary day"


# --- decisions -------------------------------------------------------------------------------------------------------


def test_decision_ladder(alice, bob, manager, requirement):
    response = climb(
        Call("post", url(requirement, "/transition"), {"status": "analysed"}),
        owner=alice,
        outsider=bob,
        manager=manager,
        allowed_status=200,
    )
    assert response.data["status"] == "analysed"
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.ANALYSED
    assert requirement.history.first().history_user == manager


def test_a_rejection_needs_a_reason_as_on_its_page(manager, requirement):
    client = client_of(manager)
    refused = client.post(url(requirement, "/transition"), {"status": "rejected", "reason": "  "}, format="json")
    assert refused.status_code == 400
    assert refused.data == {"reason": ["Say why: a rejected or deferred requirement needs a reason."]}
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.PROPOSED

    made = client.post(url(requirement, "/transition"), {"status": "rejected", "reason": "Out of scope"}, format="json")
    assert made.status_code == 200
    assert (made.data["status"], made.data["status_reason"]) == ("rejected", "Out of scope")


def test_a_step_the_workflow_does_not_allow_answers_409_before_asking_for_a_reason(manager, requirement):
    requirement.transition_to(RequirementStatus.REJECTED, reason="No")
    response = client_of(manager).post(url(requirement, "/transition"), {"status": "deferred"}, format="json")
    assert response.status_code == 409
    assert response.data == {"detail": ["A requirement cannot go from Rejected to Deferred."]}
    response = client_of(manager).post(url(requirement, "/transition"), {"status": "closed"}, format="json")
    assert response.status_code == 400
    assert "status" in response.data


def test_agreeing_may_add_a_draft_target_as_the_page_does(manager, requirement, agreement_a):
    requirement.desired_level = "99.95 % on salary day"
    requirement.save()
    requirement.transition_to(RequirementStatus.ANALYSED)
    response = client_of(manager).post(
        url(requirement, "/transition"), {"status": "agreed", "create_target_on": "acme-sla"}, format="json"
    )
    assert response.status_code == 200, response.data
    draft = ServiceLevelTarget.objects.get(agreement=agreement_a, code="availability-2")
    assert str(draft.objective) == "99.950"
    assert draft.name == "Up on salary day"
    assert response.data["targets"] == ["acme-sla/availability-2"]


def test_a_draft_target_goes_to_none_of_another_customers_agreements(manager, requirement, agreement_b):
    requirement.transition_to(RequirementStatus.ANALYSED)
    targets_before = ServiceLevelTarget.objects.count()
    response = client_of(manager).post(
        url(requirement, "/transition"), {"status": "agreed", "create_target_on": "globex-sla"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["create_target_on"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    requirement.refresh_from_db()
    assert requirement.status == RequirementStatus.ANALYSED
    assert ServiceLevelTarget.objects.count() == targets_before


def test_only_agreeing_takes_a_draft_target(manager, requirement):
    response = client_of(manager).post(
        url(requirement, "/transition"), {"status": "analysed", "create_target_on": "acme-sla"}, format="json"
    )
    assert response.status_code == 400
    assert response.data == {"create_target_on": ["There is no such field."]}


# --- linked targets --------------------------------------------------------------------------------------------------


def test_a_manager_links_the_targets_that_meet_it_by_agreement_and_code(manager, requirement, agreement_a):
    second = AgreementFactory(code="acme-ola", customer=agreement_a.customer)
    TargetFactory(agreement=second, code="availability", name="Availability (OLA)")
    response = client_of(manager).patch(
        url(requirement), {"targets": ["acme-ola/availability", "acme-sla/availability"]}, format="json"
    )
    assert response.status_code == 200, response.data
    assert sorted(response.data["targets"]) == ["acme-ola/availability", "acme-sla/availability"]
    assert requirement.targets.count() == 2


def test_an_unknown_or_another_customers_target_is_refused_and_nothing_changes(manager, requirement, agreement_b):
    body = {"statement": "Changed", "targets": ["acme-sla/availability", "globex-sla/availability", "acme-sla/none"]}
    response = client_of(manager).patch(url(requirement), body, format="json")
    assert response.status_code == 400
    assert response.data == {
        "targets": [
            "No such target for you here: globex-sla/availability. Name a target as agreement/target, by their codes.",
            "No such target for you here: acme-sla/none. Name a target as agreement/target, by their codes.",
        ]
    }
    requirement.refresh_from_db()
    assert requirement.statement == "Up on salary day"
    assert not requirement.targets.exists()


def test_targets_are_linked_after_the_requirement_is_stated(manager, banking):
    response = client_of(manager).post(
        LIST, new_requirement(customer="acme", targets=["acme-sla/availability"]), format="json"
    )
    assert response.status_code == 400
    assert response.data == {"targets": ["There is no such field."]}


# --- the list --------------------------------------------------------------------------------------------------------


def test_the_pages_filters_narrow_the_list_and_it_sorts(manager, requirement, customer_a, customer_b, banking):
    low = RequirementFactory(customer=customer_a, service=banking, importance=1, statement="Nicer colours")
    low.transition_to(RequirementStatus.ANALYSED)
    RequirementFactory(customer=customer_b, importance=3, statement="Globex's own")
    client = client_of(manager)
    assert [row["code"] for row in client.get(LIST, {"status": "analysed"}).data["results"]] == [low.code]
    assert {row["customer"] for row in client.get(LIST, {"customer": "globex"}).data["results"]} == {"globex"}
    assert [row["code"] for row in client.get(LIST, {"q": "salary"}).data["results"]] == [requirement.code]
    ordered = client.get(LIST, {"ordering": "-importance"}).data["results"]
    assert [row["importance"] for row in ordered] == [5, 3, 1]
    assert client.get(LIST, {"status": "nonsense"}).status_code == 400


def test_the_list_pages_by_cursor(manager, customer_a, banking):
    made = [RequirementFactory(customer=customer_a, service=banking) for _ in range(3)]
    client = client_of(manager)
    first = client.get(LIST, {"page_size": 1})
    assert [row["code"] for row in first.data["results"]] == [made[2].code]
    assert first.data["next"]
    second = client.get(first.data["next"])
    assert [row["code"] for row in second.data["results"]] == [made[1].code]


def test_the_schema_lists_the_requirement_paths(manager):
    paths = client_of(manager).get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/requirements"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/requirements/{code}"])
    assert "delete" not in paths["/api/v1/requirements/{code}"]
    step = paths["/api/v1/requirements/{code}/transition"]["post"]
    assert "409" in step["responses"]
    assert "RequirementStatusEnum" in client_of(manager).get("/api/schema/?format=json").json()["components"]["schemas"]
