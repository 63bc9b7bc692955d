"""Pages cached whole: the customer dashboard and the overview are kept as drawn until the next evaluation, any edit
of what they show (however it is written), or (the dashboard, with its maintenance and ticket figures) the next
minute. A request that finds its page reads only the session and the person. Rendered at NOW (16 Nov 2026 12:00
KST, see dashboard_helpers)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.choices import MaintenanceStatus
from agreements.models import Agreement, Customer, MaintenanceWindow, ServiceLevelTarget
from monitoring.evaluation import evaluate_targets
from tests.factories import ManagerFactory
from tests.monitoring.dashboard_helpers import NOW, agreement_since, frozen_at_now, monthly_target, table_rows
from tests.monitoring.evaluation_helpers import kst, record_counts
from tests.monitoring.test_dashboards import listed

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


@pytest.fixture
def requests_target(customer_a):
    """Acme's portal SLA with one occurrences target, 99,960 of 100,000 requests good in November (on track)."""
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-portal", title="Acme portal")
    target = monthly_target(agreement, {"2026-11": (99_960, 100_000)}, code="requests", name="Requests")
    evaluate_targets([target.pk], NOW)
    return target


def tables_read(client, path):
    """(the page, the tables named after FROM in each query the request ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.text, [query["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for query in queries]


def target_rows(page):
    return table_rows(page, 'data-targets="acme-portal"')


def test_a_dashboard_found_in_the_cache_reads_only_the_session_and_the_person(client, alice, requests_target):
    client.force_login(alice)
    drawn, read = tables_read(client, "/")
    assert len(read) > 2

    again, read = tables_read(client, "/")

    assert read == ["django_session", "auth_user"]
    assert (
        target_rows(again)
        == target_rows(drawn)
        == [["Requests", "On track", "99.960 %", "99.9 %", "60 of 100 bad events left", "2026-11"]]
    )
    assert "Acme Bank: service levels" in again  # the title, from the person's customer


def test_edits_written_without_signals_show_at_once(client, alice, requests_target):
    client.force_login(alice)
    client.get("/")

    Agreement.objects.filter(pk=requests_target.agreement_id).update(title="Acme web portal")
    assert "Acme web portal" in client.get("/").text
    ServiceLevelTarget.objects.filter(pk=requests_target.pk).update(name="API requests")
    assert target_rows(client.get("/").text)[0][0] == "API requests"
    Customer.objects.filter(code="acme").update(name="Acme Savings Bank")
    assert "Acme Savings Bank: service levels" in client.get("/").text


def test_the_dashboard_shows_a_new_evaluation_and_nothing_before_it(client, alice, requests_target):
    client.force_login(alice)
    client.get("/")

    record_counts(requests_target, {kst(2026, 11, 16, 11): (0, 200)})  # measurements are not edits
    assert target_rows(client.get("/").text)[0][1] == "On track"
    evaluate_targets([requests_target.pk], NOW)
    assert target_rows(client.get("/").text)[0][1] == "Breached"


def test_the_dashboard_is_drawn_afresh_each_minute(client, alice, requests_target, time_machine):
    service = requests_target.agreement.services.first()
    window = MaintenanceWindow.objects.create(
        service=service, title="Certificate renewal", starts_at=NOW + MINUTE, ends_at=NOW + 60 * MINUTE
    )
    MaintenanceWindow.objects.filter(pk=window.pk).update(status=MaintenanceStatus.APPROVED)
    client.force_login(alice)
    assert "maintenance-now" not in client.get("/").text

    time_machine.move_to(NOW + MINUTE, tick=False)  # no edit, no evaluation: only the clock moved
    assert "maintenance-now" in client.get("/").text


def test_a_permission_taken_shows_on_the_next_request(client, alice, customer_b, requests_target):
    client.force_login(alice)
    assert client.get("/customers/acme/dashboard/").status_code == 200

    alice.customer_membership.delete()

    assert client.get("/customers/acme/dashboard/").status_code == 404


@pytest.fixture
def estate(customer_a, customer_b, requests_target):
    agreement = agreement_since("2026-11", customer=customer_b, code="globex-ops", title="Globex operations")
    target = monthly_target(agreement, {"2026-11": (90, 100)}, code="dispatch", name="Dispatch")
    evaluate_targets([target.pk], NOW)
    return requests_target, target


def test_an_overview_found_in_the_cache_reads_only_the_session_and_the_person(client, manager, estate):
    client.force_login(manager)
    drawn, _read = tables_read(client, "/overview/")

    again, read = tables_read(client, "/overview/")

    assert read == ["django_session", "auth_user"]
    assert (
        listed(again)
        == listed(drawn)
        == [("breached", "globex-ops", "Dispatch"), ("on_track", "acme-portal", "Requests")]
    )


def test_each_filter_and_each_reader_has_their_own_overview(client, manager, estate):
    client.force_login(manager)
    assert len(listed(client.get("/overview/").text)) == 2
    assert listed(client.get("/overview/?customer=globex").text) == [("breached", "globex-ops", "Dispatch")]

    Agreement.objects.filter(code="acme-portal").update(owner=manager, valid_to=dt.date(2026, 12, 1))
    assert 'text-bg-primary">yours<' in client.get("/overview/").text  # ending soon, and the manager's own
    other = ManagerFactory(username="other-manager")
    client.force_login(other)
    page = client.get("/overview/").text
    assert "acme-portal" in page
    assert 'text-bg-primary">yours<' not in page
