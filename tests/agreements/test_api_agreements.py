"""``/api/v1/agreements``: written through the agreement page's form with its targets posted back as they are, and
``…/<code>/transition`` running the page's status steps."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from agreements.choices import AgreementKind, AgreementStatus
from agreements.models import Agreement, Underpinning
from tests.agreements.api_checks import every_page, results, schema_paths, signed_in
from tests.api_ladder import Call, climb
from tests.factories import AgreementFactory, ServiceFactory, TargetFactory
from tests.monitoring.factories import api_token_for


@pytest.fixture
def cast(alice, bob, manager):
    return {"owner": alice, "outsider": bob, "manager": manager}


@pytest.fixture
def banking(db):
    return ServiceFactory(code="online-banking", name="Online banking")


def new_agreement(**fields):
    return {
        "kind": "sla",
        "code": "acme-mobile-sla",
        "title": "Acme mobile banking",
        "customer": "acme",
        "services": ["online-banking"],
        "owner": "manager",
        "valid_from": "2026-01-01",
        "valid_to": "2027-01-01",
        "monthly_fee": "2500000.00",
        "currency": "KRW",
        **fields,
    }


def test_the_ladder_for_list_and_detail(agreement_a, agreement_b, cast):
    listed = climb(Call("get", "/api/v1/agreements", scoped=False), **cast)
    assert results(listed) == ["acme-sla", "globex-sla"]
    assert results(signed_in(cast["owner"]).get("/api/v1/agreements")) == ["acme-sla"]
    assert results(signed_in(cast["outsider"]).get("/api/v1/agreements")) == ["globex-sla"]
    detail = climb(Call("get", "/api/v1/agreements/acme-sla"), **cast).json()
    assert (detail["customer"], detail["status"], detail["targets"]) == ("acme", "active", ["availability"])
    assert detail["services"] == [agreement_a.services.get().code]


def test_an_agreement_is_created_through_the_pages_form(customer_a, banking, cast):
    created = climb(Call("post", "/api/v1/agreements", new_agreement(), scoped=False), **cast).json()
    assert created["status"] == "draft"
    assert (created["customer"], created["services"], created["owner"]) == ("acme", ["online-banking"], "manager")
    assert (created["monthly_fee"], created["review_cycle"], created["targets"]) == ("2500000.00", "none", [])
    agreement = Agreement.objects.get(code="acme-mobile-sla")
    assert agreement.valid_to == dt.date(2027, 1, 1)
    assert Agreement.objects.count() == 1


def test_an_agreement_is_changed_and_the_history_names_the_api_user(agreement_a, banking, cast):
    patched = climb(Call("patch", "/api/v1/agreements/acme-sla", {"title": "Acme banking, all channels"}), **cast)
    assert patched.json()["title"] == "Acme banking, all channels"
    assert patched.json()["targets"] == ["availability"]  # the targets posted back unchanged
    body = new_agreement(code="acme-sla", title="Acme banking", services=["online-banking"], valid_to=None)
    put = climb(Call("put", "/api/v1/agreements/acme-sla", body), **cast).json()
    assert (put["title"], put["valid_to"], put["services"]) == ("Acme banking", None, ["online-banking"])

    _, token = api_token_for(cast["manager"])
    scripted = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (
        scripted.patch("/api/v1/agreements/acme-sla", {"next_review": "2026-06-30"}, format="json").status_code == 200
    )
    latest = agreement_a.history.first()
    assert (latest.next_review, latest.history_user) == (dt.date(2026, 6, 30), cast["manager"])


def test_agreements_are_not_deleted_over_the_api(agreement_a, manager):
    assert signed_in(manager).delete("/api/v1/agreements/acme-sla").status_code == 405
    assert Agreement.objects.filter(code="acme-sla").exists()


def test_the_pages_rules_refuse_with_its_messages_and_nothing_is_stored(customer_a, banking, manager):
    body = new_agreement(valid_to="2025-12-31", customer="no-such-customer", services=["online-banking", "nope"])
    response = signed_in(manager).post("/api/v1/agreements", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "customer": ["Select a valid choice. That choice is not one of the available choices."],
        "services": ["Select a valid choice. nope is not one of the available choices."],
        "valid_to": ["The end date must be after the start date."],
    }
    assert not Agreement.objects.exists()


def test_an_unknown_field_and_a_changed_code_are_refused(agreement_a, manager):
    client = signed_in(manager)
    response = client.patch("/api/v1/agreements/acme-sla", {"code": "acme-sla-2", "status": "draft"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": ["The code cannot change once created."],
        "status": ["There is no such field."],  # a status changes through its steps only
    }
    assert Agreement.objects.get().status == AgreementStatus.ACTIVE


def test_an_expired_agreement_no_longer_changes(agreement_a, manager):
    Agreement.objects.filter(pk=agreement_a.pk).update(status=AgreementStatus.EXPIRED)
    response = signed_in(manager).patch("/api/v1/agreements/acme-sla", {"title": "Late change"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": ["An expired or terminated agreement cannot be edited."]}
    assert Agreement.objects.get().title == "Acme online banking"


def test_a_change_of_kind_is_checked_against_its_targets_links(agreement_a, manager):
    ola = AgreementFactory(code="ops-ola", kind=AgreementKind.OLA, customer=agreement_a.customer)
    platform = TargetFactory(agreement=ola, code="platform-up", name="Platform up")
    Underpinning.objects.create(target=agreement_a.targets.get(), underpinning=platform)
    response = signed_in(manager).patch("/api/v1/agreements/acme-sla", {"kind": "uc"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "targets": {
            "availability": {"rests_on": ["A target of an underpinning contract (UC) rests on no other target."]}
        }
    }
    assert Agreement.objects.get(code="acme-sla").kind == AgreementKind.SLA


# Status steps


def test_the_ladder_for_a_step_and_its_history(customer_a, cast):
    draft = AgreementFactory(code="acme-draft", customer=customer_a)
    TargetFactory(agreement=draft, code="availability")
    step = Call("post", "/api/v1/agreements/acme-draft/transition", {"status": "active"})
    answer = climb(step, **cast, allowed_status=200)
    assert answer.json()["status"] == "active"
    latest = draft.history.first()
    assert (latest.status, latest.history_user) == (AgreementStatus.ACTIVE, cast["manager"])


def test_a_step_the_workflow_refuses_is_a_conflict_with_its_reasons(customer_a, agreement_a, manager):
    client = signed_in(manager)
    AgreementFactory(code="acme-empty", customer=customer_a, services=[])
    refused = client.post("/api/v1/agreements/acme-empty/transition", {"status": "active"}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": [
            "An agreement needs at least one service level target before it is activated.",
            "An agreement needs at least one service before it is activated.",
        ]
    }
    backwards = client.post("/api/v1/agreements/acme-sla/transition", {"status": "draft"}, format="json")
    assert backwards.status_code == 409
    assert backwards.json() == {"detail": ["An agreement cannot go from Active to Draft."]}
    unknown = client.post("/api/v1/agreements/acme-sla/transition", {"status": "paused"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json() == {"status": ["Choose one of: draft, active, expired, terminated."]}
    assert list(Agreement.objects.order_by("code").values_list("status", flat=True)) == ["draft", "active"]


def test_terminating_ends_its_changes(agreement_a, manager):
    client = signed_in(manager)
    assert client.post("/api/v1/agreements/acme-sla/transition", {"status": "terminated"}, format="json").json()[
        "status"
    ] == ("terminated")
    assert client.patch("/api/v1/agreements/acme-sla", {"title": "X"}, format="json").status_code == 409


# Lists


@pytest.fixture
def several(customer_a, customer_b, banking):
    AgreementFactory(code="a-acme-sla", customer=customer_a, services=[banking], valid_from=dt.date(2026, 3, 1))
    AgreementFactory(code="b-acme-ola", customer=customer_a, kind=AgreementKind.OLA, valid_from=dt.date(2026, 1, 1))
    active = AgreementFactory(code="c-globex-sla", customer=customer_b, valid_from=dt.date(2026, 2, 1))
    Agreement.objects.filter(pk=active.pk).update(status=AgreementStatus.ACTIVE)


def test_filters_the_pages_filter_set(several, manager):
    client = signed_in(manager)
    assert results(client.get("/api/v1/agreements?customer=acme")) == ["a-acme-sla", "b-acme-ola"]
    assert results(client.get("/api/v1/agreements?kind=ola")) == ["b-acme-ola"]
    assert results(client.get("/api/v1/agreements?status=active")) == ["c-globex-sla"]
    assert results(client.get("/api/v1/agreements?service=online-banking")) == ["a-acme-sla"]
    assert results(client.get("/api/v1/agreements?q=globex")) == ["c-globex-sla"]


def test_ordering_and_cursor_pages(several, manager):
    client = signed_in(manager)
    assert results(client.get("/api/v1/agreements?ordering=-valid_from")) == [
        "a-acme-sla",
        "c-globex-sla",
        "b-acme-ola",
    ]
    assert every_page(client, "/api/v1/agreements") == [["a-acme-sla"], ["b-acme-ola"], ["c-globex-sla"]]


def test_a_customer_filter_offers_only_their_own_organisation(several, alice):
    response = signed_in(alice).get("/api/v1/agreements?customer=globex")
    assert response.status_code == 400  # not one of the choices they are offered
    assert results(signed_in(alice).get("/api/v1/agreements?customer=acme")) == ["a-acme-sla", "b-acme-ola"]


def test_the_schema_lists_the_agreements(manager):
    paths = schema_paths(manager)
    assert {"/api/v1/agreements", "/api/v1/agreements/{code}", "/api/v1/agreements/{code}/transition"} <= set(paths)
    assert "delete" not in paths["/api/v1/agreements/{code}"]
    assert "409" in paths["/api/v1/agreements/{code}/transition"]["post"]["responses"]
