"""The ticket list and the ticket page read in a fixed number of queries, whatever the number of tickets, clocks,
customers and events (a request's own reads included: session, user, permissions, membership).

Each test measures a page on a small scene (one customer, 3 tickets of 2 events), then adds a larger one (a second
customer, 70 more tickets over two services, tickets of 12 events) and measures the same page again. The counts must
be equal, and under these ceilings:

    ticket list (manager) 15 · ticket list (customer user) 15 · ticket list filtered by agreement and clock 16 ·
    ticket page 13

(measured on SQLite: 14, 14, 15 and 12; the ceilings leave one query of room). The list's own: the count, the page
of tickets, their clocks with their indicators, and the calendars' working hours and holidays; its filter form's
choices: agreements, customers, services and the priorities tickets have.

"""

import datetime as dt

import pytest

from monitoring.models import Ticket
from tests.factories import ServiceFactory
from tests.monitoring.evaluation_helpers import active_agreement, kst
from tests.monitoring.ticket_helpers import TicketCast

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 14)
CEILINGS = {"list": 15, "customer_list": 15, "filtered": 16, "ticket": 13}
PAGES = {
    "list": ("manager", "/tickets/"),
    "customer_list": ("alice", "/tickets/"),
    "filtered": ("manager", "/tickets/?agreement=acme-sla&clock=in_flight&metric=resolution&priority=P2"),
    "ticket": ("alice", "/tickets/{pk}/"),
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def send_tickets(cast, prefix, count, events_each):
    """``count`` tickets of the cast's customer, each with ``events_each`` events (created, then state changes ending
    with waiting for the customer: each ticket paused a few minutes after it opened)."""
    batch = []
    for number in range(count):
        opened = kst(2026, 12, 1, 9) + dt.timedelta(hours=number % 40)
        name = f"{prefix}-{number}"
        batch.append(cast.event(name, "created", opened, priority=("P1", "P2", "P3")[number % 3], title=name))
        for step in range(1, events_each):
            state = ("Waiting for customer", "In progress")[(events_each - 1 - step) % 2]
            batch.append(cast.event(name, "state_changed", opened + dt.timedelta(minutes=step), state=state))
    cast.send(batch, now=NOW)


def count(client, user, url, assert_max_num_queries, ceiling):
    client.force_login(user)
    with assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PAGES)
def test_the_ticket_pages_read_as_many_queries_for_many_tickets_as_for_few(
    client, page, customer_a, customer_b, alice, manager, django_assert_max_num_queries
):
    acme = TicketCast(agreement=active_agreement(customer=customer_a, code="acme-sla"))
    send_tickets(acme, "SMALL", 3, 2)
    who, url = PAGES[page]
    user = {"alice": alice, "manager": manager}[who]
    pk = Ticket.objects.get(external_id="SMALL-0").pk
    small = count(client, user, url.format(pk=pk), django_assert_max_num_queries, CEILINGS[page])

    globex = TicketCast(agreement=active_agreement(customer=customer_b, code="globex-sla"))
    send_tickets(globex, "OTHER", 30, 3)
    second = TicketCast(agreement=active_agreement(customer=customer_a, services=[ServiceFactory()]))
    send_tickets(second, "MORE", 40, 3)
    send_tickets(acme, "LONG", 1, 12)
    pk = Ticket.objects.get(external_id="LONG-0").pk
    large = count(client, user, url.format(pk=pk), django_assert_max_num_queries, CEILINGS[page])

    assert large == small


def test_the_large_scene_is_what_the_pages_show(client, customer_a, customer_b, manager):
    acme = TicketCast(agreement=active_agreement(customer=customer_a, code="acme-sla"))
    send_tickets(acme, "SMALL", 3, 2)
    send_tickets(TicketCast(agreement=active_agreement(customer=customer_b)), "OTHER", 30, 3)
    send_tickets(
        TicketCast(agreement=active_agreement(customer=customer_a, services=[ServiceFactory()])), "MORE", 40, 3
    )
    send_tickets(acme, "LONG", 1, 12)
    client.force_login(manager)

    listing = client.get("/tickets/").text
    ticket = client.get(f"/tickets/{Ticket.objects.get(external_id='LONG-0').pk}/").text

    assert listing.count('<tr id="ticket-') == 50
    assert listing.count('class="clock-words"') >= 2 * 50 * 2  # both clocks of every row, in both layouts
    assert ticket.count('class="timeline-step') >= 2 * 12
