"""The Prometheus source pages: manager-only (every customer gets 403 on lists and create pages, 404 on a source's
pages), a viewer without the change permission gets 403 on writes; the secret is written once, stored encrypted and
never shown; a query is checked against its indicator's kind; a backfill is queued for a valid range only."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.shortcuts import resolve_url
from django.utils import timezone

from monitoring.models import PrometheusQuery, PrometheusSource
from tests.factories import UserFactory
from tests.monitoring.factories import IndicatorFactory

LOGIN_URL = resolve_url(settings.LOGIN_URL)


@pytest.fixture
def source(db, requests_indicator):
    source = PrometheusSource.objects.create(name="Main", code="main", base_url="http://prometheus.example:9090")
    PrometheusQuery.objects.create(
        source=source, indicator=requests_indicator, good_query="sum(good)", total_query="sum(total)"
    )
    return source


@pytest.fixture
def viewer(db):
    """Staff who may look at Prometheus sources but change nothing."""
    user = UserFactory(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_prometheussource"))
    return user


PAGES = [
    ("get", "/prometheus/", {}, 403, 200, 200),
    ("get", "/prometheus/new/", {}, 403, 403, 200),
    ("post", "/prometheus/new/", {}, 403, 403, 200),
    ("get", "/prometheus/main/", {}, 404, 200, 200),
    ("get", "/prometheus/main/edit/", {}, 404, 403, 200),
    ("post", "/prometheus/main/edit/", {}, 404, 403, 200),
    ("get", "/prometheus/main/queries/new/", {}, 404, 403, 200),
    ("post", "/prometheus/main/queries/new/", {}, 404, 403, 200),
    ("get", "/prometheus/main/queries/{query}/edit/", {}, 404, 403, 200),
    ("post", "/prometheus/main/queries/{query}/edit/", {}, 404, 403, 200),
    ("post", "/prometheus/main/backfill/", {}, 404, 403, 400),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "customer_status", "viewer_status", "manager_status"),
    PAGES,
    ids=[f"{method.upper()} {url}" for method, url, *_ in PAGES],
)
def test_prometheus_pages_climb_the_ladder(
    client, method, url, data, customer_status, viewer_status, manager_status, source, alice, bob, viewer, manager
):
    url = url.format(query=source.queries.get().pk)
    call = getattr(client, method)

    response = call(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    for customer in (alice, bob):
        client.force_login(customer)
        assert call(url, data).status_code == customer_status, customer.username
    client.force_login(viewer)
    assert call(url, data).status_code == viewer_status
    client.force_login(manager)
    assert call(url, data).status_code == manager_status
    assert client.get("/prometheus/missing/").status_code == 404


def test_the_secret_is_stored_encrypted_and_never_shown_again(client, manager):
    client.force_login(manager)
    fields = {"name": "Main", "code": "main", "base_url": "https://prom.example", "auth": "bearer"}
    fields |= {"timeout_seconds": "5", "is_active": "on"}

    refused = client.post("/prometheus/new/", fields)
    assert refused.status_code == 200
    assert "This authentication needs a token or password, or an environment variable." in refused.text
    assert not PrometheusSource.objects.exists()

    response = client.post("/prometheus/new/", fields | {"secret": "glsa_T0ken"})
    assert response.status_code == 302
    source = PrometheusSource.objects.get()
    assert source.secret() == "glsa_T0ken"
    assert "glsa_T0ken" not in str(PrometheusSource.objects.values().get())
    for page in (
        "/prometheus/",
        "/prometheus/main/",
        "/prometheus/main/edit/",
        f"/admin/monitoring/prometheussource/{source.pk}/change/",
    ):
        if page.startswith("/admin/"):
            manager.is_staff = manager.is_superuser = True
            manager.save()
        text = client.get(page).text
        assert "glsa_T0ken" not in text, page
        assert source.secret_encrypted not in text, page

    # Saved again without a secret: the one saved is kept; with one: replaced; without authentication: removed.
    client.post("/prometheus/main/edit/", fields | {"name": "Main Prometheus"})
    source.refresh_from_db()
    assert (source.name, source.secret()) == ("Main Prometheus", "glsa_T0ken")
    client.post("/prometheus/main/edit/", fields | {"secret": "new"})
    source.refresh_from_db()
    assert source.secret() == "new"
    client.post("/prometheus/main/edit/", fields | {"auth": "none"})
    source.refresh_from_db()
    assert (source.auth, source.secret_encrypted) == ("none", "")


def test_a_query_must_fit_its_indicators_kind(client, manager, source, acme_indicator):
    client.force_login(manager)
    ratio = IndicatorFactory(code="api-success")

    refused = client.post("/prometheus/main/queries/new/", {"indicator": ratio.pk, "good_query": "sum(good)"})
    assert refused.status_code == 200
    assert "A ratio indicator needs a total events query." in refused.text
    refused = client.post("/prometheus/main/queries/new/", {"indicator": acme_indicator.pk, "good_query": "x"})
    assert "A threshold indicator needs a value query." in refused.text
    assert source.queries.count() == 1

    client.post("/prometheus/main/queries/new/", {"indicator": acme_indicator.pk, "value_query": "max(latency_ms)"})
    query = PrometheusQuery.objects.get(indicator=acme_indicator)
    assert (query.source, query.value_query, query.good_query) == (source, "max(latency_ms)", "")
    # An indicator fed by a query is not offered again.
    page = client.get("/prometheus/main/queries/new/").text
    assert f'value="{acme_indicator.pk}"' not in page
    assert f'value="{ratio.pk}"' in page


def test_a_backfill_is_queued_for_a_valid_range_only(
    client, manager, source, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("monitoring.tasks.backfill_prometheus.delay", lambda *args: queued.append(args))
    client.force_login(manager)
    now = timezone.localtime().replace(second=0, microsecond=0)
    start, end = now - dt.timedelta(days=2), now - dt.timedelta(days=1)

    backwards = client.post(
        "/prometheus/main/backfill/", {"start": end.strftime("%Y-%m-%dT%H:%M"), "end": start.strftime("%Y-%m-%dT%H:%M")}
    )
    assert backwards.status_code == 400
    assert "The end must be after the start." in backwards.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/prometheus/main/backfill/",
            {"start": start.strftime("%Y-%m-%dT%H:%M"), "end": end.strftime("%Y-%m-%dT%H:%M")},
        )
    assert response.status_code == 302
    assert queued == [(source.pk, start.isoformat(), end.isoformat())]


def test_the_source_page_shows_its_state(client, manager, source):
    now = timezone.now()
    source.queries.update(pulled_until=now - dt.timedelta(minutes=7, seconds=10))
    PrometheusSource.objects.filter(pk=source.pk).update(
        last_pull_at=now, last_error="checkout-requests: Prometheus did not answer within 10 s", last_error_at=now
    )
    client.force_login(manager)
    page = client.get("/prometheus/main/").text
    assert '<dd class="col-sm-9" id="behind">7 minutes</dd>' in page
    assert "<td>7 minutes</td>" in client.get("/prometheus/").text
    assert "checkout-requests: Prometheus did not answer within 10 s" in page
    assert "sum(good)" in page
