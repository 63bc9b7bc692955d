"""Every agreements page climbs the permission ladder (see tests/ladder.py)."""

import pytest

from tests.factories import BusinessCalendarFactory, ServiceFactory, TargetFactory
from tests.ladder import Rung, climb


@pytest.fixture
def estate(agreement_a):
    """Customer A's agreement, a service only it uses, and a calendar only its target uses."""
    service = ServiceFactory(code="acme-only")
    agreement_a.services.add(service)
    calendar = BusinessCalendarFactory(code="acme-hours")
    TargetFactory(agreement=agreement_a, code="desk", service_hours=calendar)
    return agreement_a


PAGES = [
    Rung("/", scoped=False),
    Rung("/agreements/", scoped=False),
    Rung("/agreements/acme-sla/"),
    Rung("/agreements/acme-sla/edit/", write=True),
    Rung("/agreements/acme-sla/edit/", write=True, method="post"),
    Rung("/agreements/acme-sla/status/expired/", write=True),
    Rung("/agreements/acme-sla/status/expired/", write=True, method="post"),
    Rung("/agreements/new/", write=True, scoped=False),
    Rung("/agreements/new/", write=True, scoped=False, method="post"),
    Rung("/customers/", scoped=False),
    Rung("/customers/acme/"),
    Rung("/customers/acme/edit/", write=True),
    Rung("/customers/acme/edit/", write=True, method="post"),
    Rung("/customers/new/", write=True, scoped=False),
    Rung("/services/", scoped=False),
    Rung("/services/acme-only/"),
    Rung("/services/acme-only/edit/", write=True),
    Rung("/services/new/", write=True, scoped=False),
    Rung("/calendars/", scoped=False),
    Rung("/calendars/acme-hours/"),
    Rung("/calendars/acme-hours/edit/", write=True),
    Rung("/calendars/acme-hours/edit/", write=True, method="post"),
    Rung("/calendars/new/", write=True, scoped=False),
    Rung("/accounts/password/", scoped=False),
]

# A manager's POST with an empty body is a form with errors (200), or a refused transition (409).
MANAGER_STATUS = {("/agreements/acme-sla/status/expired/", "post"): 302}


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


def test_person_without_customer_sees_no_agreements(client, estate, nobody):
    client.force_login(nobody)
    assert client.get("/agreements/acme-sla/").status_code == 404
    response = client.get("/agreements/")
    assert response.status_code == 200
    assert "acme-sla" not in response.text


def test_customer_list_shows_only_own_agreements(client, agreement_a, agreement_b, alice):
    client.force_login(alice)
    response = client.get("/agreements/")
    assert "acme-sla" in response.text
    assert "globex-sla" not in response.text


def test_manager_list_shows_every_agreement(client, agreement_a, agreement_b, manager):
    client.force_login(manager)
    response = client.get("/agreements/")
    assert "acme-sla" in response.text
    assert "globex-sla" in response.text
