"""A ticket target: chosen on the agreement page (a ticket indicator of the agreement's customer, counted by
occurrences, with an optional minimum of tickets a period), and its target page in tickets: the budget in late
tickets, the clocks in flight and at risk now, and a period under the minimum reported but not judged."""

import datetime as dt
import re
from html import unescape

import pytest

from agreements.models import ServiceLevelTarget
from monitoring.evaluation import evaluate_targets
from monitoring.models import ComplianceSnapshot, TargetIndicator
from tests.agreements.forms_data import edit_post, target
from tests.monitoring.evaluation_helpers import active_agreement, kst
from tests.monitoring.ticket_helpers import TicketCast

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 14)  # Monday


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def cast(customer_a):
    return TicketCast(agreement=active_agreement(customer=customer_a, code="acme-sla"))


def page_text(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


# The agreement page.


def test_a_ticket_target_is_set_up_on_the_agreement_page(client, manager, cast):
    client.force_login(manager)
    row = target("tickets", name="Tickets resolved", objective="90", indicator=str(cast.resolution.pk))
    row["minimum_events"] = "10"

    response = client.post("/agreements/acme-sla/edit/", edit_post(cast.agreement, [row]))

    assert response.status_code == 302
    saved = ServiceLevelTarget.objects.get(agreement=cast.agreement, code="tickets")
    assert saved.minimum_events == 10
    assert TargetIndicator.objects.get(target=saved).indicator == cast.resolution


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"budgeting_method": "timeslices"},
            "indicator",
            "A ticket indicator counts tickets, not time: its target takes the occurrences method.",
        ),
        (
            {"budgeting_method": "timeslices", "indicator": "", "minimum_events": "5"},
            "minimum_events",
            "Only a target that counts events (occurrences) has a minimum per period.",
        ),
    ],
    ids=["ticket indicator by timeslices", "minimum of a time-based target"],
)
def test_a_ticket_target_that_does_not_count_tickets_is_refused(client, manager, cast, change, field, message):
    client.force_login(manager)
    row = {**target("tickets", objective="90", indicator=str(cast.resolution.pk)), **change}

    response = client.post("/agreements/acme-sla/edit/", edit_post(cast.agreement, [row]))

    assert response.status_code == 200
    assert response.context["targets"].forms[0].errors[field] == [message]
    assert not ServiceLevelTarget.objects.filter(agreement=cast.agreement).exists()


def test_another_customers_ticket_indicator_is_refused(client, manager, cast, customer_b):
    other = TicketCast(agreement=active_agreement(customer=customer_b))
    client.force_login(manager)
    row = target("tickets", objective="90", indicator=str(other.resolution.pk))

    response = client.post("/agreements/acme-sla/edit/", edit_post(cast.agreement, [row]))

    assert response.status_code == 200
    assert response.context["targets"].forms[0].errors["indicator"] == [
        f"{other.resolution.name} counts the tickets of {customer_b.name}, not of this agreement's customer."
    ]
    assert not ServiceLevelTarget.objects.filter(agreement=cast.agreement).exists()


def test_the_target_form_offers_the_minimum_per_period(client, manager, cast):
    client.force_login(manager)

    response = client.get("/agreements/acme-sla/edit/")

    assert 'name="targets-__prefix__-minimum_events"' in response.text


# The target page.


def december_tickets(cast, met, late, open_ones=0):
    """``met`` P1 tickets resolved within an hour and ``late`` resolved after 5 h, on 1-4 December; ``open_ones``
    opened this Monday morning (at risk by 14:00: P1's 50 % point is two business hours in)."""
    events = []
    for number in range(met + late):
        opened = kst(2026, 12, 1 + number % 4, 9)
        name = f"T-{number}"
        events.append(cast.event(name, "created", opened))
        events.append(cast.event(name, "first_response", opened + dt.timedelta(minutes=5)))
        events.append(cast.event(name, "resolved", opened + dt.timedelta(hours=1 if number < met else 5)))
    for number in range(open_ones):
        name = f"OPEN-{number}"
        events.append(cast.event(name, "created", kst(2026, 12, 7, 11, number), priority="P2"))
        events.append(cast.event(name, "first_response", kst(2026, 12, 7, 11, 30)))
    cast.send(events, now=NOW)


def test_the_target_page_counts_its_budget_in_late_tickets_and_its_tickets_in_flight(client, alice, cast):
    december_tickets(cast, met=19, late=1, open_ones=3)
    target = cast.target(objective="90")
    evaluate_targets([target.pk], NOW)
    client.force_login(alice)

    response = client.get(f"/agreements/acme-sla/targets/{target.code}/")

    text = page_text(response)
    snapshot = ComplianceSnapshot.objects.get(target=target, is_current=True)
    assert (snapshot.good, snapshot.total) == (19, 20)
    assert "1 of 2 late tickets left" in text
    assert "Time to resolve 3 tickets in flight now 0 at risk" in text  # P2: 50 % is 4 business hours in
    assert "Fewer than" not in text


def test_a_target_under_its_minimum_says_so_and_is_not_judged(client, alice, cast):
    december_tickets(cast, met=2, late=2)
    target = cast.target(objective="90", minimum_events=5)
    evaluate_targets([target.pk], NOW)
    client.force_login(alice)

    response = client.get(f"/agreements/acme-sla/targets/{target.code}/")

    text = page_text(response)
    assert "Fewer than 5 tickets in a period: reported, not judged." in text
    assert "Not judged 4 tickets, under the minimum" in text
    assert "1.6 late tickets over the 0.4 allowed" in text  # 2 late of 4, 10 % of 4 allowed
    assert ComplianceSnapshot.objects.get(target=target, is_current=True).status == "on_track"


def test_the_agreement_page_and_the_dashboard_name_the_budget_of_a_ticket_target_in_tickets(client, alice, cast):
    december_tickets(cast, met=19, late=1)
    target = cast.target(objective="90")
    evaluate_targets([target.pk], NOW)
    client.force_login(alice)

    assert "1 of 2 late tickets still allowed" in page_text(client.get("/agreements/acme-sla/"))
    dashboard = page_text(client.get("/customers/acme/dashboard/"))
    assert f"{target.name} On track 95.000 % 90 % 1 of 2 late tickets left" in dashboard


def test_an_overspent_ticket_budget_reads_as_tickets_over_the_allowed_on_the_agreement_page(client, alice, cast):
    december_tickets(cast, met=2, late=2)
    target = cast.target(objective="90")
    evaluate_targets([target.pk], NOW)
    client.force_login(alice)

    text = page_text(client.get("/agreements/acme-sla/"))

    assert "1.6 late tickets over the 0.4 allowed" in text
    assert "still allowed" not in text
