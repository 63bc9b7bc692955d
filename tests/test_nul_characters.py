"""A NUL character in a query string or a posted form is a client error (400), on every database: PostgreSQL would
refuse it in a lookup, and the request would end as a server error."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["customer=%00", "service=a%00b", "%00=1", "q=x&owner=%00"])
def test_a_nul_in_the_query_string_is_refused(client, manager, query):
    client.force_login(manager)
    response = client.get(f"/plans/?{query}")
    assert response.status_code == 400
    assert "NUL character" in response.text


def test_a_nul_in_a_posted_form_is_refused_and_nothing_changes(client, manager, customer_a):
    client.force_login(manager)
    response = client.post(f"/customers/{customer_a.code}/edit/", {"code": customer_a.code, "name": "Acme\x00Bank"})
    assert response.status_code == 400
    customer_a.refresh_from_db()
    assert customer_a.name == "Acme Bank"


def test_the_api_answers_a_nul_in_its_query_string_in_json(client, manager, agreement_a):
    client.force_login(manager)
    response = client.get("/api/v1/agreements/acme-sla/compliance?period=%00")
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]


def test_a_page_without_one_is_served(client, manager):
    client.force_login(manager)
    assert client.get("/plans/?q=ordinary").status_code == 200
