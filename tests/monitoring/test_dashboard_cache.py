"""The dashboards' cache: what only evaluations change is kept until the next one, and nothing else goes stale.

Each test draws a page (filling the cache), changes something, and draws it again in the same cache: a new
evaluation shows its numbers, an edit shows at once, a language gets its own rendering, and people who see different
rows never share a cached listing. Rendered at NOW (16 Nov 2026 12:00 KST, see dashboard_helpers).
"""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.choices import AgreementStatus
from monitoring.evaluation import evaluate_targets
from monitoring.readout import cache
from monitoring.readout import overview as read_ahead
from monitoring.readout.cache import listing_scope
from tests.factories import UserFactory
from tests.monitoring.dashboard_helpers import (
    NOW,
    agreement_since,
    frozen_at_now,
    list_items,
    monthly_target,
    table_rows,
)
from tests.monitoring.evaluation_helpers import kst, record_counts
from tests.monitoring.test_dashboards import counts, listed, overview

pytestmark = pytest.mark.django_db
DASHBOARD = "/customers/acme/dashboard/"


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


@pytest.fixture
def requests_target(customer_a):
    """Acme's portal SLA with one occurrences target, 99,960 of 100,000 requests good in November (met)."""
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-portal", title="Acme portal")
    target = monthly_target(agreement, {"2026-11": (99_960, 100_000)}, code="requests", name="Requests")
    evaluate_targets([target.pk], NOW)
    return target


def dashboard_rows(client, user, **headers):
    client.force_login(user)
    response = client.get(DASHBOARD, **headers)
    assert response.status_code == 200
    return table_rows(response.text, 'data-targets="acme-portal"')


def test_the_dashboard_shows_a_new_evaluations_numbers(client, alice, requests_target):
    assert dashboard_rows(client, alice) == [
        ["Requests", "On track", "99.960 %", "99.9 %", "60 of 100 bad events left", "2026-11"]
    ]

    # 200 more requests, all bad, and a new evaluation: 99,960 of 100,200 good is 99.760 %; 240 bad of 100.2 allowed.
    record_counts(requests_target, {kst(2026, 11, 16, 11): (0, 200)})
    assert dashboard_rows(client, alice)[0][1] == "On track"  # no evaluation yet: the cached section stands
    evaluate_targets([requests_target.pk], NOW)

    assert dashboard_rows(client, alice) == [
        ["Requests", "Breached", "99.760 %", "99.9 %", "139.8 bad events over the 100.2 allowed", "2026-11"]
    ]


def test_an_edited_target_or_agreement_shows_at_once(client, alice, requests_target):
    dashboard_rows(client, alice)

    requests_target.name = "API requests"
    requests_target.save()
    assert dashboard_rows(client, alice)[0][0] == "API requests"

    requests_target.agreement.title = "Acme web portal"
    requests_target.agreement.save()
    client.force_login(alice)
    assert "Acme web portal" in client.get(DASHBOARD).text


def test_each_language_has_its_own_rendering(client, alice, requests_target):
    assert dashboard_rows(client, alice)[0][1] == "On track"
    assert dashboard_rows(client, alice, HTTP_ACCEPT_LANGUAGE="ko")[0][1] == "정상 진행"
    assert dashboard_rows(client, alice, HTTP_ACCEPT_LANGUAGE="en")[0][1] == "On track"


def test_the_overview_follows_evaluations_and_edits(client, manager, requests_target):
    assert listed(overview(client, manager)) == [("on_track", "acme-portal", "Requests")]

    record_counts(requests_target, {kst(2026, 11, 16, 11): (0, 200)})
    evaluate_targets([requests_target.pk], NOW)
    page = overview(client, manager)
    assert listed(page) == [("breached", "acme-portal", "Requests")]
    assert counts(page)["breached"] == 1

    requests_target.name = "API requests"
    requests_target.save()
    assert listed(overview(client, manager)) == [("breached", "acme-portal", "API requests")]


def test_a_terminated_agreement_leaves_the_overview_at_once(client, manager, requests_target, customer_b):
    globex = agreement_since("2026-11", customer=customer_b, code="globex-ops")
    ops = monthly_target(globex, {"2026-11": (98, 100)}, code="ops", name="Operations")
    evaluate_targets([ops.pk], NOW)
    assert listed(overview(client, manager)) == [
        ("breached", "globex-ops", "Operations"),
        ("on_track", "acme-portal", "Requests"),
    ]
    assert list_items(overview(client, manager), "recent-breaches") != []

    globex.status = AgreementStatus.TERMINATED
    globex.save()

    page = overview(client, manager)
    assert listed(page) == [("on_track", "acme-portal", "Requests")]
    assert "globex-ops" not in page


def snapshot_reader():
    """Someone who may open the overview (it reads snapshots and breaches) but may not see any agreement."""
    auditor = UserFactory(username="auditor")
    auditor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="monitoring", codename__in=["view_compliancesnapshot", "view_breach"]
        )
    )
    return auditor


def test_people_who_see_different_rows_never_share_a_cached_overview(client, manager, requests_target):
    assert listed(overview(client, manager)) == [("on_track", "acme-portal", "Requests")]

    auditor = snapshot_reader()  # lists nothing
    page = overview(client, auditor)
    assert "No evaluated targets match." in page
    assert "acme-portal" not in page


def test_an_overview_listing_is_cached_under_its_cleaned_filters_only(manager, customer_a):
    plain = listing_scope(manager, {})
    assert listing_scope(manager, {"q": "", "customer": None}) == plain  # empty filters shape nothing
    filtered = listing_scope(manager, {"customer": customer_a, "q": "x" * 5000})
    assert filtered != plain
    assert len(filtered) == len(plain) < 40  # a long search does not lengthen the key
    assert listing_scope(manager, {"q": "x" * 5000, "customer": customer_a}) == filtered


def test_a_worker_reads_the_overview_ahead_once_an_evaluation_has_committed(
    client, manager, requests_target, monkeypatch, django_capture_on_commit_callbacks
):
    from monitoring import tasks

    queued = []
    monkeypatch.setattr(tasks.warm_overview, "delay", queued.append)
    record_counts(requests_target, {kst(2026, 11, 16, 11): (0, 200)})
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_targets([requests_target.pk], NOW)
    assert queued == [cache.generation()]  # the new generation, once the evaluation's writes are committed

    # An older generation's task, or a second one for the same generation, reads nothing.
    assert read_ahead.warm(cache.generation() - 1) is False
    assert read_ahead.warm(cache.generation()) is True
    assert read_ahead.warm(cache.generation()) is False

    # The manager's first request finds the listing, the counts and the heatmap read: no ranking, no aggregate.
    client.force_login(manager)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/overview/").text
    assert listed(page) == [("breached", "acme-portal", "Requests")]
    assert counts(page)["breached"] == 1
    assert 'id="heatmap"' in page
    read = [query["sql"].upper() for query in captured.captured_queries]
    assert not [sql for sql in read if "MIN(" in sql]  # the heatmap's aggregate
    ranked = [sql for sql in read if "CASE WHEN" in sql]  # the listing's order: only the page's rows, by key
    assert ranked
    assert all('"MONITORING_COMPLIANCESNAPSHOT"."ID" IN (' in sql for sql in ranked)


def test_the_overview_read_ahead_is_never_served_to_someone_who_sees_other_rows(client, manager, requests_target):
    assert read_ahead.warm(cache.generation()) is True
    auditor = snapshot_reader()
    page = overview(client, auditor)
    assert "No evaluated targets match." in page
    assert "acme-portal" not in page
    assert listed(overview(client, manager)) == [("on_track", "acme-portal", "Requests")]


def test_no_service_manager_no_read_ahead(requests_target):
    assert read_ahead.warm(cache.generation()) is False
