"""Tickets over the API (/api/v1/tickets), to read, with their clocks: a customer user reads their own tickets only
(another's answers 404, and the customer filter is not theirs to use); each clock says where it stands (running,
paused, breached, met), when it is due or breached, and the business time on it; the ticket list's filters.

Read at NOW, Monday 7 Dec 2026 14:00 in Seoul (office hours Mon-Fri 09:00-18:00; resolution goals P1 4 h, P2 8 h,
P3 27 h; first response P1 30 min, P2 1 h, P3 4 h; waiting for the customer pauses both clocks)."""

import datetime as dt
import re

import pytest
from rest_framework.test import APIClient

from monitoring.models import Ticket
from tests.api_ladder import Call, climb
from tests.monitoring.evaluation_helpers import active_agreement, kst
from tests.monitoring.ticket_helpers import TicketCast

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 14)
MONDAY = kst(2026, 12, 7)
THURSDAY = kst(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def at(day, hour, minute=0):
    return day.replace(hour=hour, minute=minute)


@pytest.fixture
def acme(customer_a):
    cast = TicketCast(agreement=active_agreement(customer=customer_a, code="acme-sla"))
    e = cast.event
    cast.send(
        [
            # P1 opened this morning and never answered: both clocks breached.
            e("BR-OPEN", "created", at(MONDAY, 9), title="Payments rejected"),
            # P3 answered after 30 min and resolved after 2 h 10 min of business time: both met.
            e("MET", "created", at(THURSDAY, 10), priority="P3", title="Label misprinted"),
            e("MET", "first_response", at(THURSDAY, 10, 30)),
            e("MET", "resolved", at(THURSDAY, 12, 10)),
            # P2 answered at once, waiting for the customer since 11:00: resolution paused after 1 h.
            e("PAUSED", "created", at(MONDAY, 10), priority="P2", title="Password reset"),
            e("PAUSED", "first_response", at(MONDAY, 10, 5)),
            e("PAUSED", "state_changed", at(MONDAY, 11), state="Waiting for customer"),
            # P2 opened at 13:00 and answered: resolution running, due Tuesday 12:00 (8 business hours).
            e("RUN", "created", at(MONDAY, 13), priority="P2", title="Export fails"),
            e("RUN", "first_response", at(MONDAY, 13, 5)),
        ],
        now=NOW,
    )
    return cast


@pytest.fixture
def globex(customer_b):
    cast = TicketCast(agreement=active_agreement(customer=customer_b, code="globex-sla"))
    cast.send([cast.event("GLOBEX-1", "created", at(MONDAY, 12), priority="P3", title="Forklift app")], now=NOW)
    return cast


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_login(manager)
    return client


def pk(name):
    return Ticket.objects.get(external_id=name).pk


def names(response):
    assert response.status_code == 200, response.data
    return [row["ticket"] for row in response.data["results"]]


def clocks(read):
    return {clock["metric"]: clock for clock in read["clocks"]}


def test_tickets_climb_the_ladder_and_a_customer_reads_only_their_own(acme, globex, alice, bob, manager):
    climb(Call("get", "/api/v1/tickets", scoped=False), owner=alice, outsider=bob, manager=manager)
    read = climb(Call("get", f"/api/v1/tickets/{pk('MET')}"), owner=alice, outsider=bob, manager=manager)

    assert (read.data["customer"], read.data["service"], read.data["priority"]) == ("acme", acme.service.code, "P3")
    assert (read.data["category"], read.data["desk"], read.data["title"]) == (
        "resolved",
        acme.source.code,
        "Label misprinted",
    )
    client = APIClient()
    client.force_login(alice)
    assert set(names(client.get("/api/v1/tickets"))) == {"BR-OPEN", "MET", "PAUSED", "RUN"}
    assert names(client.get("/api/v1/tickets?customer=globex")) == names(client.get("/api/v1/tickets"))
    client.force_login(bob)
    assert names(client.get("/api/v1/tickets")) == ["GLOBEX-1"]


def test_tickets_are_read_only(api, acme):
    assert api.post("/api/v1/tickets", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/tickets/{pk('MET')}").status_code == 405
    assert Ticket.objects.count() == 4


def test_met_clocks_say_the_business_time_they_took(api, acme):
    read = clocks(api.get(f"/api/v1/tickets/{pk('MET')}").data)

    resolution, response = read["resolution"], read["first_response"]
    assert (resolution["state"], resolution["good"], resolution["at_risk"]) == ("met", True, False)
    assert (resolution["goal_minutes"], resolution["business_seconds"]) == (27 * 60, 2 * 3600 + 10 * 60)
    assert dt.datetime.fromisoformat(resolution["stopped_at"]) == at(THURSDAY, 12, 10)
    assert (response["state"], response["goal_minutes"], response["business_seconds"]) == ("met", 4 * 60, 30 * 60)
    assert resolution["indicator"] == acme.resolution.code


def test_breached_paused_and_running_clocks(api, acme):
    breached = clocks(api.get(f"/api/v1/tickets/{pk('BR-OPEN')}").data)
    paused = clocks(api.get(f"/api/v1/tickets/{pk('PAUSED')}").data)["resolution"]
    running = clocks(api.get(f"/api/v1/tickets/{pk('RUN')}").data)["resolution"]

    assert breached["resolution"]["state"] == "breached"
    assert dt.datetime.fromisoformat(breached["resolution"]["breached_at"]) == at(MONDAY, 13)
    assert dt.datetime.fromisoformat(breached["first_response"]["breached_at"]) == at(MONDAY, 9, 30)
    assert breached["resolution"]["good"] is False
    assert (paused["state"], paused["business_seconds"]) == ("paused", 3600)
    assert (running["state"], running["good"], running["at_risk"]) == ("running", None, False)
    assert dt.datetime.fromisoformat(running["due_at"]) == kst(2026, 12, 8, 12)


def test_tickets_filter_by_priority_state_customer_and_clock(api, acme, globex):
    assert set(names(api.get("/api/v1/tickets?priority=P2"))) == {"PAUSED", "RUN"}
    assert names(api.get("/api/v1/tickets?category=resolved")) == ["MET"]
    assert names(api.get("/api/v1/tickets", {"state": "Waiting for customer"})) == ["PAUSED"]
    assert names(api.get("/api/v1/tickets?customer=globex")) == ["GLOBEX-1"]
    assert names(api.get("/api/v1/tickets?clock=breached")) == ["BR-OPEN"]
    assert names(api.get("/api/v1/tickets?agreement=acme-sla&clock=paused")) == ["PAUSED"]
    assert api.get("/api/v1/tickets?priority=P9").status_code == 400


def test_reading_the_schema_leaves_the_priority_filter_its_choices(api, client, manager, acme):
    """The schema reads the filter classes; the priorities offered are still each person's own afterwards."""
    assert api.get("/api/schema/?format=json").status_code == 200

    assert set(names(api.get("/api/v1/tickets?priority=P2"))) == {"PAUSED", "RUN"}
    client.force_login(manager)
    page = client.get("/tickets/?priority=P2")
    assert set(re.findall(r'data-ticket="([^"]+)"', page.text)) == {"PAUSED", "RUN"}


def test_tickets_sort_and_page_by_cursor(api, acme):
    assert names(api.get("/api/v1/tickets")) == ["RUN", "PAUSED", "BR-OPEN", "MET"]
    assert names(api.get("/api/v1/tickets?ordering=external_id")) == ["BR-OPEN", "MET", "PAUSED", "RUN"]
    first = api.get("/api/v1/tickets?page_size=3")
    assert names(first) == ["RUN", "PAUSED", "BR-OPEN"]
    assert names(api.get(first.data["next"])) == ["MET"]


def test_the_schema_lists_the_ticket_endpoints_with_their_clocks(api):
    schema = api.get("/api/schema/?format=json").json()

    assert "get" in schema["paths"]["/api/v1/tickets"]
    assert "get" in schema["paths"]["/api/v1/tickets/{id}"]
    clock = schema["components"]["schemas"]["TicketClock"]["properties"]
    assert {"state", "due_at", "breached_at", "business_seconds", "goal_minutes", "at_risk"} <= set(clock)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/tickets"]["get"]["parameters"]}
    assert {"priority", "category", "state", "customer", "clock", "ordering", "cursor"} <= parameters
