"""The ticket list and the ticket page: who sees which tickets, the filters, the order (worst first), each clock in
words, the timeline of a ticket's clocks, and a fixed number of queries whatever the number of tickets.

The scene is read at NOW, Monday 7 Dec 2026 14:00 in Seoul (office hours Mon-Fri 09:00-18:00; resolution goals P1 4 h,
P2 8 h, P3 27 h; first response P1 30 min, P2 1 h, P3 4 h; waiting for the customer pauses both clocks)."""

import json
import re
from html import unescape

import pytest

from monitoring.models import Ticket
from tests.ladder import Rung, climb
from tests.monitoring.evaluation_helpers import active_agreement, kst
from tests.monitoring.ticket_helpers import TicketCast

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 14)
FRIDAY = kst(2026, 12, 4)
MONDAY = kst(2026, 12, 7)

# Worst first: the breached (still open first), then at risk (due soonest first, then paused), then in flight (due
# soonest first, then paused), then the rest newest first.
WORST_FIRST = [
    "BR-OPEN",
    "BR-DONE",
    "RISK-SOON",
    "RISK",
    "PAUSED-RISK",
    "FLIGHT",
    "PAUSED",
    "CANCELLED",
    "MET",
    "OLD-MET",
]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def at(day, hour, minute=0):
    return day.replace(hour=hour, minute=minute)


def acme_tickets(cast):
    """The scene's tickets of Acme, one of each kind of place a clock can be in at NOW."""
    e = cast.event
    cast.send(
        [
            # P1 opened this morning and never answered: both clocks breached while the ticket is open.
            e("BR-OPEN", "created", at(MONDAY, 9), title="Payments rejected"),
            # P1 resolved on Friday after 5 h: breached at 13:00 on Friday.
            e("BR-DONE", "created", at(FRIDAY, 9), title="Login page down"),
            e("BR-DONE", "first_response", at(FRIDAY, 9, 10)),
            e("BR-DONE", "resolved", at(FRIDAY, 14)),
            # P2 answered at once, half its 8 h used by 13:00 / 13:30: at risk, due 17:00 / 17:30.
            e("RISK-SOON", "created", at(MONDAY, 9), priority="P2", title="Reports slow"),
            e("RISK-SOON", "first_response", at(MONDAY, 9, 5)),
            e("RISK", "created", at(MONDAY, 9, 30), priority="P2", title="Export fails"),
            e("RISK", "first_response", at(MONDAY, 9, 40)),
            # P2 waiting for the customer since Friday 15:00 with 5 h of its 8 h used: paused, at risk.
            e("PAUSED-RISK", "created", at(FRIDAY, 10), priority="P2", title="Printer offline"),
            e("PAUSED-RISK", "first_response", at(FRIDAY, 10, 5)),
            e("PAUSED-RISK", "state_changed", at(FRIDAY, 15), state="Waiting for customer"),
            # P3 opened an hour ago: in flight, nowhere near its warning points.
            e("FLIGHT", "created", at(MONDAY, 13), priority="P3", title="New account"),
            e("FLIGHT", "first_response", at(MONDAY, 13, 10)),
            # P2 waiting for the customer after 1 h: paused.
            e("PAUSED", "created", at(MONDAY, 10), priority="P2", title="Password reset"),
            e("PAUSED", "first_response", at(MONDAY, 10, 5)),
            e("PAUSED", "state_changed", at(MONDAY, 11), state="Waiting for customer"),
            e("CANCELLED", "created", at(MONDAY, 11), priority="P3", title="Duplicate"),
            e("CANCELLED", "cancelled", at(MONDAY, 11, 30)),
            e("MET", "created", kst(2026, 12, 3, 10), priority="P3", title="Label misprinted"),
            e("MET", "first_response", kst(2026, 12, 3, 10, 30)),
            e("MET", "resolved", kst(2026, 12, 3, 12, 10)),
            e("OLD-MET", "created", kst(2026, 12, 1, 10), priority="P3", title="VPN drops"),
            e("OLD-MET", "first_response", kst(2026, 12, 1, 10, 20)),
            e("OLD-MET", "resolved", kst(2026, 12, 1, 11)),
        ],
        now=NOW,
    )


@pytest.fixture
def acme(customer_a):
    cast = TicketCast(agreement=active_agreement(customer=customer_a, code="acme-sla"))
    acme_tickets(cast)
    return cast


@pytest.fixture
def globex(customer_b):
    cast = TicketCast(agreement=active_agreement(customer=customer_b, code="globex-sla"))
    cast.send(
        [
            cast.event("GLOBEX-1", "created", at(MONDAY, 12), priority="P3", title="Forklift app"),
            cast.event("GLOBEX-1", "first_response", at(MONDAY, 12, 10)),
        ],
        now=NOW,
    )
    return cast


def listed(client, query=""):
    response = client.get(f"/tickets/{query}")
    assert response.status_code == 200
    return re.findall(r'<tr id="ticket-\d+" data-ticket="([^"]+)"', response.text)


def clock_words(response, ticket):
    """{column: [words]} of one ticket's row, as the wide table shows it."""
    row = re.search(rf'data-ticket="{ticket}">(.*?)</tr>', response.text, re.S).group(1)
    cells = re.findall(r'<td class="d-none d-md-table-cell small clock-cell">(.*?)</td>', row, re.S)
    words = [re.findall(r'class="clock-words"[^>]*>([^<]*)<', cell) for cell in cells]
    return [[unescape(word) for word in cell] for cell in words]


def test_the_list_is_worst_first(client, manager, acme, globex):
    client.force_login(manager)

    # Globex's P3 ticket opened at 12:00 falls due before Acme's opened at 13:00.
    assert listed(client) == ["BR-OPEN", "BR-DONE", "RISK-SOON", "RISK", "PAUSED-RISK", "GLOBEX-1", "FLIGHT"] + [
        "PAUSED",
        "CANCELLED",
        "MET",
        "OLD-MET",
    ]


def test_a_customer_sees_their_own_tickets_only(client, alice, bob, acme, globex):
    client.force_login(alice)
    assert listed(client) == WORST_FIRST
    assert listed(client, "?customer=globex") == WORST_FIRST  # no customer filter for a customer user
    client.force_login(bob)
    assert listed(client) == ["GLOBEX-1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?clock=at_risk", ["RISK-SOON", "RISK", "PAUSED-RISK"]),
        ("?clock=paused", ["PAUSED-RISK", "PAUSED"]),
        ("?clock=in_flight", ["RISK-SOON", "RISK", "PAUSED-RISK", "GLOBEX-1", "FLIGHT", "PAUSED"]),
        ("?clock=breached", ["BR-OPEN", "BR-DONE"]),
        ("?clock=breached&metric=first_response", ["BR-OPEN"]),
        ("?clock=met&metric=resolution", ["MET", "OLD-MET"]),
        ("?priority=P3", ["GLOBEX-1", "FLIGHT", "CANCELLED", "MET", "OLD-MET"]),
        ("?category=waiting_customer", ["PAUSED-RISK", "PAUSED"]),
        ("?category=resolved", ["BR-DONE", "MET", "OLD-MET"]),
        ("?q=printer", ["PAUSED-RISK"]),
        ("?agreement=acme-sla", WORST_FIRST),
        ("?agreement=globex-sla", ["GLOBEX-1"]),
        ("?customer=globex", ["GLOBEX-1"]),
    ],
)
def test_the_filters(client, manager, acme, globex, query, expected):
    client.force_login(manager)

    assert listed(client, query) == expected


def test_with_one_clock_chosen_the_order_and_the_columns_are_that_clocks(client, manager, acme):
    client.force_login(manager)

    response = client.get("/tickets/?metric=first_response")

    # Only the first-response clocks count: BR-OPEN's is breached, all others are met or cancelled (newest first).
    order = re.findall(r'data-ticket="([^"]+)"', response.text)
    assert order == ["BR-OPEN", "FLIGHT", "CANCELLED", "PAUSED", "RISK", "RISK-SOON", "PAUSED-RISK", "BR-DONE"] + [
        "MET",
        "OLD-MET",
    ]
    assert re.findall(r'<th scope="col" class="d-none d-md-table-cell">([^<]+)</th>', response.text)[-1:] == [
        "First response"
    ]
    assert len(clock_words(response, "BR-OPEN")) == 1


def test_each_clock_says_where_it_stands_in_words(client, manager, acme):
    client.force_login(manager)

    response = client.get("/tickets/")

    assert clock_words(response, "BR-OPEN") == [["breached 4 h 30 min ago"], ["breached 1 h ago"]]
    assert clock_words(response, "RISK-SOON") == [["met in 5 min"], ["due in 3 h business time"]]
    assert clock_words(response, "PAUSED") == [["met in 5 min"], ["paused (waiting for the customer)"]]
    assert clock_words(response, "MET") == [["met in 30 min"], ["met in 2 h 10 min"]]
    assert clock_words(response, "CANCELLED")[1] == [""]  # its badge says it: "Cancelled"
    assert 'class="badge clock-cancelled' in re.search(r'data-ticket="CANCELLED".*?</tr>', response.text, re.S).group(0)
    risky = re.search(r'data-ticket="RISK".*?</tr>', response.text, re.S).group(0)
    assert "clock-at-risk" in risky
    assert "clock-at-risk" not in re.search(r'data-ticket="FLIGHT".*?</tr>', response.text, re.S).group(0)


def test_a_due_time_over_the_weekend_counts_business_time_only(client, manager, acme, time_machine):
    time_machine.move_to(kst(2026, 12, 4, 17), tick=False)  # Friday 17:00
    acme.send([acme.event("WEEKEND", "created", kst(2026, 12, 4, 16, 30), priority="P2")], now=kst(2026, 12, 4, 17))
    client.force_login(manager)

    response = client.get("/tickets/?q=WEEKEND")

    # 30 min used of 8 h: 7 h 30 min left, of which 1 h on Friday: due Monday 15:30, "7 h 30 min" away.
    assert clock_words(response, "WEEKEND")[1] == ["due in 7 h 30 min business time"]


def test_the_list_has_50_tickets_a_page(client, manager, acme):
    acme.send([acme.event(f"BULK-{n:03d}", "created", at(MONDAY, 13, 30), priority="P3") for n in range(45)], now=NOW)
    client.force_login(manager)

    first, second = listed(client), listed(client, "?page=2")

    assert (len(first), len(second)) == (50, 5)
    assert set(first) | set(second) == set(WORST_FIRST) | {f"BULK-{n:03d}" for n in range(45)}


def test_the_ladder_of_the_ticket_pages(client, alice, bob, manager, acme):
    ticket = Ticket.objects.get(external_id="BR-OPEN")
    climb(client, Rung("/tickets/", scoped=False), owner=alice, outsider=bob, manager=manager)
    climb(client, Rung(f"/tickets/{ticket.pk}/"), owner=alice, outsider=bob, manager=manager)


def test_links_to_the_list_from_the_dashboard_the_agreement_and_the_target(client, alice, acme):
    target = acme.target(code="tickets-resolved")
    client.force_login(alice)

    dashboard = client.get("/customers/acme/dashboard/").text
    agreement = client.get("/agreements/acme-sla/").text
    target_page = client.get(f"/agreements/acme-sla/targets/{target.code}/").text

    assert 'href="/tickets/?customer=acme" id="dashboard-tickets"' in dashboard
    assert 'href="/tickets/?agreement=acme-sla"' in agreement
    service = acme.service.code
    assert f'href="/tickets/?customer=acme&amp;service={service}&amp;metric=resolution"' in agreement
    assert (
        f'href="/tickets/?customer=acme&amp;service={service}&amp;metric=resolution&amp;clock=at_risk"' in target_page
    )


def test_no_tickets_link_where_no_tickets_are_counted(client, alice, agreement_a):
    client.force_login(alice)

    assert "dashboard-tickets" not in client.get("/customers/acme/dashboard/").text
    assert "/tickets/?agreement=" not in client.get("/agreements/acme-sla/").text


# The ticket page.


def page_text(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def timeline(response, indicator):
    body = re.search(rf'data-timeline="{indicator.code}">.*?<tbody>(.*?)</tbody>', response.text, re.S).group(1)
    body = re.sub(r'<span class="d-md-none[^"]*">[^<]*</span>', "", body)  # the time again, for phones
    rows = re.findall(r"<tr([^>]*)>(.*?)</tr>", body, re.S)
    return [
        (
            re.search(r'data-mark="(\w*)"', attributes).group(1),
            "table-secondary" in attributes,
            [
                " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ],
        )
        for attributes, row in rows
    ]


def test_the_ticket_page_has_its_header_each_clocks_summary_and_its_timeline(client, alice, acme):
    ticket = Ticket.objects.get(external_id="PAUSED-RISK")
    client.force_login(alice)

    response = client.get(f"/tickets/{ticket.pk}/")

    text = page_text(response)
    assert "PAUSED-RISK Printer offline" in text
    assert "priority P2 · Waiting for customer" in text
    assert "Goal 8 h of business time (priority P2) Business time used 5 h (62.5 % of the goal)" in text
    assert "Due not while paused: 3 h of business time left" in text
    assert timeline(response, acme.resolution) == [
        ("", False, ["2026-12-04 10:00", "Created P2", "0 s", "0 s", "0 s"]),
        ("", False, ["2026-12-04 10:05", "First response", "5 min", "5 min", "5 min"]),
        ("warning", False, ["2026-12-04 14:00", "Warning point 50 % of the goal", "3 h 55 min", "3 h 55 min", "4 h"]),
        ("", False, ["2026-12-04 15:00", "State changed Waiting for customer", "1 h", "1 h", "5 h"]),
        ("now", False, ["2026-12-07 14:00", "Now paused before: Waiting for the customer", "0 s", "2 d 23 h", "5 h"]),
    ]
    figure = json.loads(
        re.search(rf'id="timeline-{acme.resolution.code}-figure"[^>]*>(.*?)</script>', response.text, re.S).group(1)
    )
    goal = next(trace for trace in figure["data"] if trace["name"].startswith("Goal"))
    assert goal["y"] == [8, 8]
    assert [shape["x0"] for shape in figure["layout"]["shapes"] if shape["type"] == "rect"] == ["2026-12-04 15:00:00"]


def test_the_ticket_page_marks_where_the_goal_fell(client, manager, acme):
    ticket = Ticket.objects.get(external_id="BR-OPEN")
    client.force_login(manager)

    response = client.get(f"/tickets/{ticket.pk}/")

    steps = timeline(response, acme.resolution)
    assert [(mark, cells[0][-5:], cells[1]) for mark, _paused, cells in steps] == [
        ("", "09:00", "Created P1"),
        ("warning", "11:00", "Warning point 50 % of the goal"),
        ("warning", "12:00", "Warning point 75 % of the goal"),
        ("breached", "13:00", "Breached over the goal of 4 h"),
        ("now", "14:00", "Now"),
    ]
    assert "Breached 7 Dec 2026, 13:00 KST" in page_text(response)


def test_a_running_clocks_due_instant_is_a_step_ahead(client, manager, acme):
    ticket = Ticket.objects.get(external_id="RISK-SOON")
    client.force_login(manager)

    response = client.get(f"/tickets/{ticket.pk}/")

    last = timeline(response, acme.resolution)[-1]
    assert (last[0], last[2][:2], last[2][4]) == (
        "due",
        ["2026-12-07 17:00", "Goal reached due, if nothing pauses it ahead"],
        "8 h",
    )
    assert "Due 7 Dec 2026, 17:00 KST if nothing pauses it" in page_text(response)


def test_another_customers_ticket_is_not_found(client, bob, acme):
    client.force_login(bob)

    assert client.get(f"/tickets/{Ticket.objects.get(external_id='MET').pk}/").status_code == 404
