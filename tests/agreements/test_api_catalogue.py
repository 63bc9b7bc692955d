"""``/api/v1/customers`` and ``/api/v1/services``: the ladder, filters, ordering, cursor pages, the forms' refusals
and the rows other rows still need."""

import pytest

from agreements.choices import Criticality, ServiceStatus
from agreements.models import Customer, Service
from tests.agreements.api_checks import every_page, results, schema_paths, signed_in
from tests.api_ladder import Call, climb
from tests.factories import AgreementFactory, CustomerFactory, ServiceFactory

NEW_CUSTOMER = {
    "code": "initech",
    "name": "Initech",
    "contact_name": "Bill Lumbergh",
    "contact_email": "bill@initech.example",
    "language": "en",
    "email_domains": "initech.example",
}


@pytest.fixture
def cast(alice, bob, manager):
    return {"owner": alice, "outsider": bob, "manager": manager}


# Customers


def test_customers_the_ladder_for_list_and_detail(customer_a, customer_b, cast):
    listed = climb(Call("get", "/api/v1/customers", scoped=False), **cast)
    assert results(listed) == ["acme", "globex"]
    assert results(signed_in(cast["owner"]).get("/api/v1/customers")) == ["acme"]
    assert results(signed_in(cast["outsider"]).get("/api/v1/customers")) == ["globex"]
    detail = climb(Call("get", "/api/v1/customers/acme"), **cast)
    assert detail.json()["name"] == "Acme Bank"


def test_customers_the_ladder_for_create_and_update(customer_a, cast):
    created = climb(Call("post", "/api/v1/customers", NEW_CUSTOMER, scoped=False), **cast)
    assert created.json() == {
        **NEW_CUSTOMER,
        "contact_phone": "",
        "notes": "",
        "created_at": created.json()["created_at"],
    }
    assert Customer.objects.filter(code="initech").count() == 1

    patched = climb(Call("patch", "/api/v1/customers/acme", {"contact_phone": "02-555-0100"}), **cast)
    assert patched.json()["contact_phone"] == "02-555-0100"
    assert patched.json()["name"] == "Acme Bank"  # what PATCH leaves out keeps its value

    put = climb(Call("put", "/api/v1/customers/acme", {"code": "acme", "name": "Acme Bank Korea"}), **cast)
    assert (put.json()["name"], put.json()["contact_phone"]) == ("Acme Bank Korea", "")  # PUT empties the rest


def test_no_page_deletes_a_customer_and_neither_does_the_api(customer_a, manager):
    # Its people's memberships would go with it, unseen; admins remove customers in Django admin.
    response = signed_in(manager).delete("/api/v1/customers/acme")
    assert response.status_code == 405
    assert Customer.objects.filter(code="acme").exists()


def test_customers_filter_order_and_page(customer_a, customer_b, manager):
    CustomerFactory(code="hanbit", name="Hanbit Bank")
    client = signed_in(manager)
    assert results(client.get("/api/v1/customers?q=bank")) == ["acme", "hanbit"]
    assert results(client.get("/api/v1/customers?ordering=-name")) == ["hanbit", "globex", "acme"]
    assert every_page(client, "/api/v1/customers?ordering=name") == [["acme"], ["globex"], ["hanbit"]]


def test_a_field_the_form_does_not_have_is_refused_and_nothing_is_stored(manager):
    response = signed_in(manager).post("/api/v1/customers", {**NEW_CUSTOMER, "nickname": "Ini"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"nickname": ["There is no such field."]}
    assert not Customer.objects.filter(code="initech").exists()


def test_a_code_cannot_change_once_created(customer_a, manager):
    response = signed_in(manager).patch("/api/v1/customers/acme", {"code": "acme-2", "name": "X"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": ["The code cannot change once created."]}
    customer_a.refresh_from_db()
    assert (customer_a.code, customer_a.name) == ("acme", "Acme Bank")


def test_the_forms_own_rules_refuse_with_the_pages_message(manager):
    body = {**NEW_CUSTOMER, "email_domains": "initech.example, @bad"}
    response = signed_in(manager).post("/api/v1/customers", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"email_domains": ["Not an e-mail domain: @bad (write example.com, without @)."]}
    assert not Customer.objects.exists()


def test_an_etag_answers_304_and_a_stale_if_match_412(customer_a, manager):
    client = signed_in(manager)
    tag = client.get("/api/v1/customers/acme")["ETag"]
    assert client.get("/api/v1/customers/acme", HTTP_IF_NONE_MATCH=tag).status_code == 304
    client.patch("/api/v1/customers/acme", {"notes": "moved"}, format="json", HTTP_IF_MATCH=tag)
    stale = client.patch("/api/v1/customers/acme", {"notes": "again"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert Customer.objects.get(code="acme").notes == "moved"


# Services


def test_services_the_ladder(agreement_a, cast):
    service = agreement_a.services.get()
    ServiceFactory(code="spare", name="Spare")
    listed = climb(Call("get", "/api/v1/services", scoped=False), **cast)
    assert results(listed) == sorted([service.code, "spare"])
    assert results(signed_in(cast["owner"]).get("/api/v1/services")) == [service.code]
    assert results(signed_in(cast["outsider"]).get("/api/v1/services")) == []
    climb(Call("get", f"/api/v1/services/{service.code}"), **cast)

    body = {"code": "payments", "name": "Payments", "owner": "manager", "criticality": 1, "status": "live"}
    created = climb(Call("post", "/api/v1/services", body, scoped=False), **cast)
    assert created.json()["owner"] == "manager"
    assert Service.objects.get(code="payments").criticality == Criticality.MISSION_CRITICAL

    patched = climb(Call("patch", f"/api/v1/services/{service.code}", {"status": "retired"}), **cast)
    assert patched.json()["status"] == "retired"


def test_no_page_deletes_a_service_and_neither_does_the_api(agreement_a, manager):
    service = agreement_a.services.get()
    agreement_a.services.clear()  # even one that no agreement names: plans, desks and ratings would go with it
    response = signed_in(manager).delete(f"/api/v1/services/{service.code}")
    assert response.status_code == 405
    assert Service.objects.filter(code=service.code).exists()


def test_services_filter_order_and_page(manager):
    ServiceFactory(code="a-core", name="Core banking", criticality=Criticality.MISSION_CRITICAL)
    ServiceFactory(code="b-mail", name="Mail", criticality=Criticality.ADMINISTRATIVE, status=ServiceStatus.RETIRED)
    ServiceFactory(code="c-portal", name="Portal", criticality=Criticality.BUSINESS_CRITICAL)
    client = signed_in(manager)
    assert results(client.get("/api/v1/services?status=retired")) == ["b-mail"]
    assert results(client.get("/api/v1/services?criticality=1")) == ["a-core"]
    assert results(client.get("/api/v1/services?ordering=-criticality")) == ["b-mail", "c-portal", "a-core"]
    assert every_page(client, "/api/v1/services") == [["a-core"], ["b-mail"], ["c-portal"]]


def test_a_service_owner_is_named_by_login_and_an_unknown_one_refused(manager):
    body = {"code": "payments", "name": "Payments", "owner": "nobody-here", "criticality": 2, "status": "live"}
    response = signed_in(manager).post("/api/v1/services", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"owner": ["Select a valid choice. That choice is not one of the available choices."]}
    assert not Service.objects.exists()


def test_the_schema_lists_the_catalogue(manager):
    paths = schema_paths(manager)
    assert {"/api/v1/customers", "/api/v1/customers/{code}", "/api/v1/services", "/api/v1/services/{code}"} <= set(
        paths
    )
    assert set(paths["/api/v1/customers/{code}"]) >= {"get", "put", "patch"}
    assert "delete" not in paths["/api/v1/customers/{code}"]


def test_an_agreement_of_another_customer_does_not_show_its_services(agreement_a, bob):
    AgreementFactory(customer=bob.customer_membership.customer, services=[ServiceFactory(code="theirs")])
    assert results(signed_in(bob).get("/api/v1/services")) == ["theirs"]


def test_refusals_speak_the_language_of_the_request(agreement_a, manager):
    client = signed_in(manager)
    unknown = client.post(
        "/api/v1/customers", {**NEW_CUSTOMER, "nickname": "Ini"}, format="json", HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert unknown.json() == {"nickname": ["그런 필드가 없습니다."]}
