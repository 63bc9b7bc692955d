"""The ticket list's cached parts (its count, each page's ticket ids, the rendered rows, the filter form): a page read
again in the same minute reads no ticket, clock or rank and shows the same; a ticket written shows at once; the next
minute reads afresh; another customer's list is filed apart.

Read at NOW, Monday 7 Dec 2026 14:00 in Seoul (office hours Mon-Fri 09:00-18:00; resolution P1 4 h)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.monitoring.evaluation_helpers import active_agreement, kst
from tests.monitoring.ticket_helpers import TicketCast

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 14)
TICKET_TABLES = ("monitoring_ticket", "monitoring_ticketclock", "monitoring_ticketrank")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def listed(response):
    """The external ids of the listed tickets, in order, and the count in the heading."""
    html = response.content.decode()
    count = re.search(r"(\d+) tickets?</span>", html).group(1)
    return re.findall(r'data-ticket="([^"]+)"', html), int(count)


def ticket_reads(client, url):
    """(the response, how many of its queries read tickets, clocks or ranks)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, sum(any(table in query["sql"] for table in TICKET_TABLES) for query in captured)


def test_a_list_read_again_in_the_minute_reads_no_ticket_and_shows_the_same(client, customer_a, alice, frozen):
    cast = TicketCast(agreement=active_agreement(customer=customer_a))
    cast.ticket("FIRST", kst(2026, 12, 7, 9), now=NOW)
    cast.ticket("SECOND", kst(2026, 12, 7, 11), now=NOW)
    client.force_login(alice)
    first, reads = ticket_reads(client, "/tickets/")
    assert reads >= 3  # the count, the page of ranks, the tickets and their clocks
    frozen.move_to(NOW + dt.timedelta(seconds=40), tick=False)
    again, reads_again = ticket_reads(client, "/tickets/")
    assert reads_again == 0
    assert listed(again) == listed(first) == (["FIRST", "SECOND"], 2)
    assert "breached 1 h ago" in again.content.decode()  # FIRST: P1 due 13:00, as read at 14:00


def test_a_ticket_written_shows_at_once(client, customer_a, alice, frozen):
    cast = TicketCast(agreement=active_agreement(customer=customer_a))
    cast.ticket("FIRST", kst(2026, 12, 7, 9), now=NOW)
    client.force_login(alice)
    assert listed(client.get("/tickets/")) == (["FIRST"], 1)
    cast.ticket("LATER", kst(2026, 12, 7, 8), now=NOW)  # breached at 12:00, before FIRST's 13:00: listed after it
    cast.send([cast.event("FIRST", "resolved", kst(2026, 12, 7, 13, 30))], now=NOW)
    response = client.get("/tickets/")
    assert listed(response) == (["LATER", "FIRST"], 2)
    assert "resolved" in response.content.decode().lower()


def test_the_next_minute_reads_afresh(client, customer_a, alice, frozen):
    cast = TicketCast(agreement=active_agreement(customer=customer_a))
    cast.ticket("SOON", kst(2026, 12, 7, 10, 30), priority="P1", now=NOW)  # due 14:30
    client.force_login(alice)
    assert "due in 30 min business time" in client.get("/tickets/").content.decode()
    frozen.move_to(NOW + dt.timedelta(minutes=1), tick=False)
    response, reads = ticket_reads(client, "/tickets/")
    assert reads >= 3
    assert "due in 29 min business time" in response.content.decode()


def test_each_customer_and_filter_has_its_own_entry(client, customer_a, customer_b, alice, bob, manager, frozen):
    acme = TicketCast(agreement=active_agreement(customer=customer_a, code="acme-sla"))
    acme.ticket("ACME-1", kst(2026, 12, 7, 9), now=NOW)
    globex = TicketCast(agreement=active_agreement(customer=customer_b, code="globex-sla"))
    globex.ticket("GLOBEX-1", kst(2026, 12, 7, 9), now=NOW)
    globex.ticket("GLOBEX-2", kst(2026, 12, 7, 10), now=NOW)
    client.force_login(alice)
    assert listed(client.get("/tickets/")) == (["ACME-1"], 1)
    client.force_login(bob)
    mine, count = listed(client.get("/tickets/"))
    assert (sorted(mine), count) == (["GLOBEX-1", "GLOBEX-2"], 2)
    client.force_login(manager)
    every, count = listed(client.get("/tickets/"))
    assert (sorted(every), count) == (["ACME-1", "GLOBEX-1", "GLOBEX-2"], 3)
    assert listed(client.get(f"/tickets/?customer={customer_a.code}")) == (["ACME-1"], 1)
    globex_only, count = listed(client.get(f"/tickets/?customer={customer_b.code}"))
    assert (sorted(globex_only), count) == (["GLOBEX-1", "GLOBEX-2"], 2)
