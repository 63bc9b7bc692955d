"""Upcoming maintenance on a customer's dashboard, in Chromium on a laptop and on a phone, in English and Korean: the
list shows the organisation's coming maintenance with what runs now marked, fits the window without scrolling
sideways, and leads to the calendar feed page, whose link the customer makes and a calendar program then reads.

Windows are placed relative to the clock the live server reads (the test process's ``timezone.now()``).
"""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from agreements.choices import AgreementStatus, MaintenanceStatus
from agreements.models import MaintenanceWindow
from tests.browser.conftest import log_in, overflow, screenshot
from tests.factories import AgreementFactory, ServiceFactory, TargetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def estate(customer_a, customer_b):
    now = timezone.now().replace(second=0, microsecond=0)
    banking = ServiceFactory(code="internet-banking", name="Internet banking")
    warehouse = ServiceFactory(code="warehouse", name="Warehouse")
    acme = AgreementFactory(code="acme-web", title="Acme web banking", customer=customer_a, services=[banking])
    globex = AgreementFactory(code="globex-ops", customer=customer_b, services=[warehouse])
    for agreement in (acme, globex):
        TargetFactory(agreement=agreement, code="availability", name="Availability")
        agreement.status = AgreementStatus.ACTIVE
        agreement.save()

    def window(service, start, title, status=MaintenanceStatus.APPROVED, **fields):
        row = MaintenanceWindow.objects.create(
            service=service,
            title=title,
            description="Online banking answers with a maintenance page.",
            starts_at=start,
            ends_at=start + 2 * HOUR,
            **fields,
        )
        MaintenanceWindow.objects.filter(pk=row.pk).update(status=status)
        return row

    return {
        "running": window(banking, now - HOUR, "Certificate renewal on the web front ends"),
        "coming": window(banking, now + 5 * DAY, "Core banking database upgrade"),
        "planned": window(banking, now + 12 * DAY, "Network change", status=MaintenanceStatus.PLANNED),
        "hidden": window(banking, now + 2 * DAY, "Kept from customers", customer_visible=False),
        "globex": window(warehouse, now + DAY, "Globex's own"),
    }


@pytest.mark.parametrize(("width", "locale"), [(1366, "en-US"), (390, "en-US"), (1366, "ko-KR"), (390, "ko-KR")])
def test_the_customer_sees_upcoming_maintenance_on_the_dashboard(new_page, estate, alice, width, locale):
    page = new_page(locale=locale, viewport={"width": width, "height": 900})
    log_in(page, "alice")  # the dashboard is a customer's start page

    listing = page.locator("#upcoming-maintenance")
    rows = listing.locator("li")
    assert rows.count() == 3
    assert rows.nth(0).locator(".maintenance-now").is_visible()
    assert rows.nth(0).locator(".maintenance-title").inner_text() == "Certificate renewal on the web front ends"
    assert rows.nth(1).locator(".maintenance-title").inner_text() == "Core banking database upgrade"
    assert rows.nth(2).locator(".maintenance-title").inner_text() == "Network change"
    assert rows.nth(1).locator(".maintenance-now").count() == 0
    text = listing.inner_text()
    assert "Kept from customers" not in text
    assert "Globex's own" not in text
    assert ("Upcoming maintenance" if locale == "en-US" else "예정된 유지보수") in text
    assert "KST" in text
    assert overflow(page) == {"scroll": 0, "over": []}
    screenshot(page, f"dashboard-maintenance-{width}-{locale}")

    href = rows.nth(1).locator(".maintenance-title").get_attribute("href")
    assert href == f"/maintenance/{estate['coming'].pk}/"


@pytest.mark.parametrize(("width", "locale"), [(1366, "en-US"), (390, "en-US"), (1366, "ko-KR"), (390, "ko-KR")])
def test_the_customer_makes_a_calendar_link_from_the_dashboard_and_a_calendar_reads_it(
    new_page, estate, alice, width, locale
):
    page = new_page(locale=locale, viewport={"width": width, "height": 900})
    log_in(page, "alice")

    page.click("#maintenance-feed-link")
    page.wait_for_url("**/maintenance/feed/")
    assert page.locator("#subscribe-how").inner_text().count("\n") >= 5  # Outlook, Google Calendar, Thunderbird
    page.click("#make-feed-link")
    link = page.locator("#feed-link").input_value()
    assert link.endswith(".ics")
    assert page.locator("#feed-webcal").get_attribute("href") == "webcal://" + link.split("://", 1)[1]
    assert overflow(page) == {"scroll": 0, "over": []}
    screenshot(page, f"calendar-feed-made-{width}-{locale}")

    calendar_program = new_page()  # a context of its own: no session, the link alone
    response = calendar_program.request.get(link)
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.body())
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    assert len(summaries) == 3
    assert all("Internet banking" in summary for summary in summaries)

    page.goto("/maintenance/feed/")
    assert page.locator("#feed-status").is_visible()
    screenshot(page, f"calendar-feed-{width}-{locale}")
    page.click("#revoke-feed-link")
    page.wait_for_selector("#make-feed-link")
    assert calendar_program.request.get(link).status == 404
