"""Customer and service pages: create, edit, and the codes that must stay unique and unreserved."""

import pytest

from agreements.choices import Criticality, ServiceStatus
from agreements.models import Customer, Service
from tests.agreements.page_checks import field_error, page_text, saves_nothing


def customer_data(**fields):
    return {
        "name": "Initech",
        "code": "initech",
        "contact_name": "Bill Lumbergh",
        "contact_email": "bill@initech.example",
        "contact_phone": "+82 2 555 0100",
        "language": "ko",
        "notes": "",
        **fields,
    }


def service_data(**fields):
    return {
        "name": "Card payments",
        "code": "card-payments",
        "description": "Card authorisation and settlement.",
        "owner": "",
        "criticality": str(Criticality.MISSION_CRITICAL),
        "status": ServiceStatus.LIVE,
        **fields,
    }


def test_manager_creates_customer(manager_client):
    response = manager_client.post("/customers/new/", customer_data(), follow=True)

    assert response.redirect_chain == [("/customers/initech/", 302)]
    customer = Customer.objects.get(code="initech")
    assert (customer.name, customer.contact_email, customer.language) == ("Initech", "bill@initech.example", "ko")
    text = page_text(response)
    assert "Initech saved." in text
    assert "Bill Lumbergh" in text


def test_manager_edits_customer_but_not_its_code(manager_client, customer_a):
    response = manager_client.post("/customers/acme/edit/", customer_data(name="Acme Bank Korea", code="acme-kr"))

    assert response.status_code == 302
    assert response["Location"] == "/customers/acme/"
    customer_a.refresh_from_db()
    assert (customer_a.name, customer_a.code) == ("Acme Bank Korea", "acme")


def test_customer_code_already_taken_is_refused(manager_client, customer_a):
    with saves_nothing():
        response = manager_client.post("/customers/new/", customer_data(code="acme", name="Acme Again"))

    assert response.status_code == 200
    assert field_error(response, "id_code") == "Customer with this Code already exists."
    assert Customer.objects.get(code="acme").name == "Acme Bank"


@pytest.mark.parametrize("code", ["new", "edit", "status"])
def test_reserved_customer_code_is_refused(manager_client, code):
    with saves_nothing():
        response = manager_client.post("/customers/new/", customer_data(code=code))

    assert field_error(response, "id_code") == f"“{code}” is reserved; choose another code."


def test_customer_with_invalid_email_is_refused(manager_client):
    with saves_nothing():
        response = manager_client.post("/customers/new/", customer_data(contact_email="bill-at-initech"))

    assert field_error(response, "id_contact_email") == "Enter a valid email address."


def test_refused_customer_edit_changes_nothing(manager_client, customer_a):
    with saves_nothing():
        response = manager_client.post("/customers/acme/edit/", customer_data(name=""))

    assert field_error(response, "id_name") == "This field is required."
    customer_a.refresh_from_db()
    assert customer_a.name == "Acme Bank"


def test_manager_creates_service(manager_client, manager):
    response = manager_client.post("/services/new/", service_data(owner=str(manager.pk)), follow=True)

    assert response.redirect_chain == [("/services/card-payments/", 302)]
    service = Service.objects.get(code="card-payments")
    assert (service.criticality, service.status, service.owner) == (1, "live", manager)
    text = page_text(response)
    assert "Card payments saved." in text
    assert "Tier 1 – mission critical" in text


def test_manager_edits_service_but_not_its_code(manager_client, service):
    data = service_data(name="Internet banking", code="renamed", status=ServiceStatus.RETIRED)

    response = manager_client.post("/services/online-banking/edit/", data)

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.code, service.status) == ("Internet banking", "online-banking", "retired")


def test_service_code_already_taken_is_refused(manager_client, service):
    with saves_nothing():
        response = manager_client.post("/services/new/", service_data(code="online-banking"))

    assert response.status_code == 200
    assert field_error(response, "id_code") == "Service with this Code already exists."


@pytest.mark.parametrize(("field", "value"), [("criticality", "5"), ("status", "paused")])
def test_service_with_unknown_choice_is_refused(manager_client, field, value):
    with saves_nothing():
        response = manager_client.post("/services/new/", service_data(**{field: value}))

    assert field_error(response, f"id_{field}") == (
        f"Select a valid choice. {value} is not one of the available choices."
    )


def test_reserved_service_code_is_refused(manager_client):
    with saves_nothing():
        response = manager_client.post("/services/new/", service_data(code="edit"))

    assert field_error(response, "id_code") == "“edit” is reserved; choose another code."


def test_customer_detail_lists_its_agreements_and_people(manager_client, agreement_a, agreement_b, alice):
    text = page_text(manager_client.get("/customers/acme/"))

    assert "acme-sla – Acme online banking" in text
    assert "globex-sla" not in text
    assert "alice" in text


def test_service_detail_lists_only_agreements_the_viewer_may_see(client, agreement_a, agreement_b, alice):
    shared = agreement_a.services.get()
    agreement_b.services.add(shared)
    client.force_login(alice)

    text = page_text(client.get(shared.get_absolute_url()))

    assert "acme-sla" in text
    assert "globex-sla" not in text
