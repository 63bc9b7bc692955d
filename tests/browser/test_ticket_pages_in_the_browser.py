"""Ticket SLAs in the browser, under the Content-Security-Policy: a manager sets up a ticket indicator (the form shows
the chosen kind's fields, "Add priority" adds a goal row), and a customer reads a ticket's timeline chart.

The live server reads the wall clock, so the ticket is opened relative to it."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import Indicator, Ticket, TicketGoal
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_content_security_policy import PageWatch
from tests.factories import ServiceFactory
from tests.monitoring.evaluation_helpers import active_agreement
from tests.monitoring.ticket_helpers import TicketCast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_up_a_ticket_indicator_with_four_priorities(new_page, manager, customer_a):
    service = ServiceFactory(code="service-desk", name="Service desk")
    active_agreement(customer=customer_a, services=[service])
    watch = PageWatch(log_in(new_page(), "manager"))
    page = watch.page

    watch.visit("/indicators/new/", "#ticket-fields")
    page.select_option("#id_kind", "ratio")
    assert page.locator("#ticket-fields").is_hidden()
    assert page.locator("#sample-fields").is_visible()
    page.select_option("#id_kind", "ticket")
    assert page.locator("#ticket-fields").is_visible()
    assert page.locator("#sample-fields").is_hidden()

    page.select_option("#id_service", label="Service desk")
    page.fill("#id_code", "acme-desk-resolution")
    page.fill("#id_name", "Acme tickets resolved")
    page.select_option("#id_customer", label="Acme Bank")
    page.check("#id_ticket_metric_1")  # time to resolve
    page.check("input[name=pause_categories][value=waiting_customer]")
    page.fill("#id_warning_points", "50, 80")
    page.get_by_role("button", name="Add priority").click()
    assert page.locator("#goal-rows tbody tr").count() == 4
    for index, (priority, goal) in enumerate([("P1", "4:00"), ("P2", "8:00"), ("P3", "27:00"), ("P4", "40:00")]):
        page.fill(f"#id_goals-{index}-priority", priority)
        page.fill(f"#id_goals-{index}-goal", goal)
    screenshot(page, "ticket-indicator-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/indicators/acme-desk-resolution/")

    indicator = Indicator.objects.get(code="acme-desk-resolution")
    assert (indicator.customer, indicator.ticket_metric, indicator.warning_points) == (
        customer_a,
        "resolution",
        [50, 80],
    )
    assert sorted(TicketGoal.objects.filter(indicator=indicator).values_list("priority", "minutes")) == [
        ("P1", 240),
        ("P2", 480),
        ("P3", 1620),
        ("P4", 2400),
    ]
    assert page.locator("#goals-in-force tbody tr").count() == 4
    watch.assert_clean("the ticket indicator's page")


def test_a_customer_reads_a_tickets_timeline(new_page, alice, customer_a):
    cast = TicketCast(agreement=active_agreement(customer=customer_a), pause=())
    now = timezone.now().replace(microsecond=0)
    cast.send([cast.event("INC-1", "created", now - dt.timedelta(days=3), title="Printer offline")], now=now)
    ticket = Ticket.objects.get(external_id="INC-1")
    watch = PageWatch(log_in(new_page(viewport={"width": 390, "height": 844}), "alice"))
    page = watch.page

    watch.visit(f"/tickets/{ticket.pk}/", f"#timeline-{cast.resolution.code} .scatterlayer .trace")
    assert page.locator(f"[data-timeline={cast.resolution.code}] tbody tr").count() >= 2
    screenshot(page, "ticket-timeline-phone")
    watch.visit("/tickets/", "#tickets")
    assert page.locator("#tickets tbody tr").count() == 1
