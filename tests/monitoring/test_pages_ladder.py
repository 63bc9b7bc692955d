"""Every monitoring page climbs the permission ladder (see tests/ladder.py).

Indicators follow the standard ladder: customer A reads the indicators of its services, customer B does not find
them. Data sources, probes and CSV uploads are the service managers' tools: customers get 403 on their lists and
create pages and 404 on the detail pages (their ``.for_user()`` is empty for anyone without the view permission).
API tokens are each person's own.
"""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from monitoring.models import ApiToken, CsvUpload, DataSource, HttpProbe
from tests.ladder import Rung, climb
from tests.monitoring.factories import api_token_for, data_source_with_token

LOGIN_URL = resolve_url(settings.LOGIN_URL)


@pytest.fixture
def estate(acme_indicator, manager):
    """A's indicator, a data source and a probe writing to it, and an upload of samples waiting for confirmation."""
    data_source_with_token(indicators=[acme_indicator], code="acme-feed")
    HttpProbe.objects.create(
        name="Acme home", code="acme-home", url="https://acme.example/", latency_indicator=acme_indicator
    )
    upload = CsvUpload.objects.create(
        indicator=acme_indicator,
        uploaded_by=manager,
        filename="latency.csv",
        content="t,value\n2026-03-02T09:00:00Z,120\n",
        sample_count=1,
    )
    return upload


PAGES = [
    Rung("/indicators/", scoped=False),
    Rung("/indicators/acme-latency/"),
    Rung("/indicators/acme-latency/?range=24h"),
    Rung("/indicators/acme-latency/?range=forever"),  # a range not offered: the default one, not an error
    Rung("/indicators/acme-latency/edit/", write=True),
    Rung("/indicators/acme-latency/edit/", write=True, method="post"),
    Rung("/indicators/new/", write=True, scoped=False),
    Rung("/indicators/new/", write=True, scoped=False, method="post"),
    Rung("/indicators/acme-latency/upload/", write=True),
    Rung("/indicators/acme-latency/upload/", write=True, method="post"),
    # Everyone has API tokens of their own: the list and its create form answer every logged-in person.
    Rung("/account/api-tokens/", scoped=False),
    Rung("/account/api-tokens/", scoped=False, method="post"),
]


@pytest.mark.parametrize("rung", PAGES, ids=lambda rung: f"{rung.method.upper()} {rung.url}")
def test_indicator_and_token_pages_climb_the_permission_ladder(client, rung, estate, alice, bob, manager):
    # A manager's POST with an empty body is a form shown again (200).
    climb(client, rung, owner=alice, outsider=bob, manager=manager)


# Exceptions to the standard ladder: manager-only pages. Every customer, A's included, gets the same answer: 403
# where there is no row to look up (lists, create pages), 404 where the URL names a row they cannot see.
MANAGER_ONLY = [
    ("get", "/data-sources/", {}, 403, 200),
    ("get", "/data-sources/new/", {}, 403, 200),
    ("post", "/data-sources/new/", {}, 403, 200),
    ("get", "/data-sources/acme-feed/", {}, 404, 200),
    ("get", "/data-sources/acme-feed/edit/", {}, 404, 200),
    ("post", "/data-sources/acme-feed/edit/", {}, 404, 200),
    ("post", "/data-sources/acme-feed/token/", {"action": "rotate"}, 404, 201),
    ("get", "/probes/", {}, 403, 200),
    ("get", "/probes/new/", {}, 403, 200),
    ("post", "/probes/new/", {}, 403, 200),
    ("get", "/probes/acme-home/edit/", {}, 404, 200),
    ("post", "/probes/acme-home/edit/", {}, 404, 200),
    ("get", "/uploads/{upload}/", {}, 404, 200),
    ("post", "/uploads/{upload}/confirm/", {"action": "discard"}, 404, 302),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "customer_status", "manager_status"),
    MANAGER_ONLY,
    ids=[f"{method.upper()} {url}" for method, url, *_ in MANAGER_ONLY],
)
def test_manager_only_page_answers_every_customer_alike(
    client, method, url, data, customer_status, manager_status, estate, alice, bob, nobody, manager
):
    url = url.format(upload=estate.pk)
    call = getattr(client, method)

    response = call(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)

    for customer in (alice, bob, nobody):
        client.force_login(customer)
        assert call(url, data).status_code == customer_status, customer.username

    client.force_login(manager)
    assert call(url, data).status_code == manager_status


def test_customers_requests_change_no_data_source_probe_or_upload(client, estate, alice):
    source = DataSource.objects.get(code="acme-feed")
    client.force_login(alice)

    client.post("/data-sources/acme-feed/edit/", {"name": "Renamed", "indicators": []})
    client.post("/data-sources/acme-feed/token/", {"action": "revoke"})
    client.post("/probes/acme-home/edit/", {"name": "Renamed"})
    client.post(f"/uploads/{estate.pk}/confirm/", {"action": "store"})

    assert DataSource.objects.filter(pk=source.pk, name=source.name, token_hash=source.token_hash).get().is_active
    assert HttpProbe.objects.get(code="acme-home").name == "Acme home"
    estate.refresh_from_db()
    assert estate.status == "preview"


def test_token_and_confirm_endpoints_answer_only_post(client, estate, manager):
    client.force_login(manager)

    assert client.get("/data-sources/acme-feed/token/").status_code == 405
    assert client.get(f"/uploads/{estate.pk}/confirm/").status_code == 405
    assert DataSource.objects.get(code="acme-feed").is_active


def test_an_unknown_upload_is_not_found_even_for_a_manager(client, estate, manager):
    client.force_login(manager)

    assert client.get(f"/uploads/{estate.pk + 1000}/").status_code == 404
    assert client.post(f"/uploads/{estate.pk + 1000}/confirm/", {"action": "store"}).status_code == 404


# Indicator visibility beyond the ladder.


def test_customer_list_shows_indicators_of_own_services_only(client, acme_indicator, agreement_b, alice, bob):
    client.force_login(alice)
    assert "acme-latency" in client.get("/indicators/").text

    client.force_login(bob)
    response = client.get("/indicators/")
    assert response.status_code == 200
    assert "acme-latency" not in response.text


def test_person_without_customer_sees_no_indicators(client, acme_indicator, nobody):
    client.force_login(nobody)

    assert client.get("/indicators/acme-latency/").status_code == 404
    assert "acme-latency" not in client.get("/indicators/").text


def test_customer_sees_no_edit_or_upload_buttons_on_an_indicator(client, acme_indicator, alice):
    client.force_login(alice)

    response = client.get("/indicators/acme-latency/")

    assert response.status_code == 200
    assert "/indicators/acme-latency/edit/" not in response.text
    assert "/indicators/acme-latency/upload/" not in response.text


# API tokens: a person's own, and nobody else's.


def test_a_person_revokes_their_own_api_token(client, alice):
    api_token, _token = api_token_for(alice)
    client.force_login(alice)

    response = client.post(f"/account/api-tokens/{api_token.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/account/api-tokens/"
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None


def test_nobody_else_can_revoke_a_persons_api_token(client, alice, bob, manager, nobody):
    # Not the standard ladder: a token belongs to one person, so even a manager does not find another's (404).
    api_token, _token = api_token_for(alice)
    url = f"/account/api-tokens/{api_token.pk}/revoke/"

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    for other in (bob, manager, nobody):
        client.force_login(other)
        assert client.post(url).status_code == 404, other.username

    api_token.refresh_from_db()
    assert api_token.revoked_at is None


def test_a_revoked_api_token_cannot_be_revoked_again(client, alice):
    api_token, _token = api_token_for(alice)
    api_token.revoke()
    client.force_login(alice)

    assert client.post(f"/account/api-tokens/{api_token.pk}/revoke/").status_code == 404


def test_the_api_token_list_shows_only_the_persons_own_tokens(client, alice, bob):
    api_token_for(alice, name="alice's report")
    api_token_for(bob, name="bob's report")
    client.force_login(alice)

    response = client.get("/account/api-tokens/")

    assert "alice&#x27;s report" in response.text
    assert "bob&#x27;s report" not in response.text


def test_a_new_api_token_is_shown_once_and_stored_as_a_hash(client, alice):
    client.force_login(alice)

    response = client.post("/account/api-tokens/", {"name": "monthly report"})

    assert response.status_code == 201
    api_token = ApiToken.objects.get(user=alice, name="monthly report")
    token = response.context["token"]
    assert token.startswith("slmpt_")
    assert token in response.text
    assert token not in client.get("/account/api-tokens/").text
    assert ApiToken.objects.authenticate(token) == api_token
