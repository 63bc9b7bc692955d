"""The customer dashboard's list of upcoming maintenance: the windows of the customer's services that customers see,
their occurrences running now or starting in the next 30 days, soonest first, with links to each window and to the
calendar feed; read in one query, however many windows there are.

Windows are placed relative to the clock the page reads (``timezone.now()``).
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from agreements.choices import AgreementStatus, MaintenanceStatus, Recurrence
from agreements.models import MaintenanceWindow
from tests.factories import AgreementFactory, ServiceFactory, TargetFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
DASHBOARD = "/customers/acme/dashboard/"


@pytest.fixture
def now():
    return timezone.now().replace(second=0, microsecond=0)


def active_sla(customer, code, service):
    agreement = AgreementFactory(code=code, customer=customer, services=[service], status=AgreementStatus.DRAFT)
    TargetFactory(agreement=agreement, code="availability")
    agreement.status = AgreementStatus.ACTIVE
    agreement.save()
    return agreement


@pytest.fixture
def services(customer_a, customer_b):
    banking = ServiceFactory(code="internet-banking", name="Internet banking")
    cards = ServiceFactory(code="cards", name="Card payments")
    warehouse = ServiceFactory(code="warehouse", name="Warehouse")
    active_sla(customer_a, "acme-banking", banking)
    active_sla(customer_a, "acme-cards", cards)
    active_sla(customer_b, "globex-sla", warehouse)
    return {"banking": banking, "cards": cards, "warehouse": warehouse}


def window(service, start, duration=2 * HOUR, status=MaintenanceStatus.APPROVED, **fields):
    row = MaintenanceWindow.objects.create(
        service=service, title=fields.pop("title"), starts_at=start, ends_at=start + duration, **fields
    )
    MaintenanceWindow.objects.filter(pk=row.pk).update(status=status)  # the steps are tested elsewhere
    return row


def listed(page):
    """[(the "now" mark or "", service: title)] of the list, in its order."""
    section = page.split('id="upcoming-maintenance"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<li [^>]*>(.*?)</li>", section, re.S)
    result = []
    for row in rows:
        service = re.search(r'class="[^"]*maintenance-service">([^<]*)</span>', row)[1]
        title = re.search(r'class="maintenance-title"[^>]*>([^<]*)</a>', row)[1]
        result.append(("now" if "maintenance-now" in row else "", f"{service} {title}"))
    return result


def test_the_list_shows_the_customers_coming_maintenance_soonest_first_and_marks_what_runs_now(
    client, alice, services, now
):
    banking, cards, warehouse = services["banking"], services["cards"], services["warehouse"]
    running = window(banking, now - HOUR, title="Certificate renewal")
    window(cards, now + 5 * DAY, title="Card switch upgrade")
    window(banking, now + 10 * DAY, status=MaintenanceStatus.PLANNED, title="Database upgrade")
    window(banking, now + 31 * DAY, title="Too far ahead")
    window(banking, now + 3 * DAY, status=MaintenanceStatus.CANCELLED, title="Called off")
    window(banking, now - 3 * HOUR, status=MaintenanceStatus.COMPLETED, title="Done")
    window(banking, now + 2 * DAY, title="Kept from customers", customer_visible=False)
    window(warehouse, now + DAY, title="Globex's")
    client.force_login(alice)

    page = client.get(DASHBOARD).text

    assert listed(page) == [
        ("now", "Internet banking: Certificate renewal"),
        ("", "Card payments: Card switch upgrade"),
        ("", "Internet banking: Database upgrade"),
    ]
    assert f'href="/maintenance/{running.pk}/"' in page
    assert 'id="maintenance-feed-link"' in page
    assert 'href="/maintenance/feed/"' in page
    local = timezone.localtime(running.starts_at)
    assert f"{local:%H:%M} KST" in page  # in the portal's zone, the zone named


def test_a_weekly_window_shows_each_occurrence_of_the_next_30_days(client, alice, services, now):
    window(
        services["banking"],
        now + DAY,
        title="Patching",
        recurrence=Recurrence.WEEKLY,
        repeat_until=timezone.localdate(now + 60 * DAY),
    )
    client.force_login(alice)

    rows = listed(client.get(DASHBOARD).text)

    assert rows == [("", "Internet banking: Patching")] * 5  # days 1, 8, 15, 22 and 29


def test_a_service_manager_sees_the_customers_list_as_the_customer_does(client, manager, services, now):
    window(services["banking"], now + DAY, title="Visible")
    window(services["banking"], now + 2 * DAY, title="Kept from customers", customer_visible=False)
    window(services["warehouse"], now + DAY, title="Globex's")
    client.force_login(manager)

    assert listed(client.get(DASHBOARD).text) == [("", "Internet banking: Visible")]


def test_nothing_planned_says_so(client, alice, services):
    client.force_login(alice)

    page = client.get(DASHBOARD).text

    assert "No maintenance of your services is planned for the next 30 days." in page
    assert 'id="maintenance-feed-link"' in page


def test_the_list_is_read_in_one_query_however_many_windows(
    client, alice, services, now, django_assert_max_num_queries
):
    client.force_login(alice)
    window(services["banking"], now + DAY, title="One")
    cache.clear()
    with django_assert_max_num_queries(100) as few:
        client.get(DASHBOARD)
    for number in range(2, 12):
        window(services["cards" if number % 2 else "banking"], now + number * DAY, title=f"Window {number}")
    window(
        services["banking"],
        now + 20 * DAY,
        title="Weekly",
        recurrence=Recurrence.WEEKLY,
        repeat_until=timezone.localdate(now + 400 * DAY),
    )
    cache.clear()
    with django_assert_max_num_queries(len(few)) as many:
        page = client.get(DASHBOARD).text

    assert len(many) == len(few)
    assert len(listed(page)) == 1 + 10 + 2  # the weekly one on days 20 and 27
