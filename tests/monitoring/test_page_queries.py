"""The pages people land on read in a fixed number of queries, at most 15, with the caches cold and warm.

The customer dashboard (GET / as a customer user) and the manager's overview (GET / and page 2 of /overview/) are
measured on a small estate (2 customers, one agreement each, 2 measured targets over 3 months) and again after a
larger one is added (8 more customers, 5 measured targets over 14 months, and everything else the estate builder of
test_dashboard_queries lays down: breaches, alerts, maintenance, tickets). Each page is measured with an empty cache
(the first request after an evaluation) and again with the cache the first request filled. The counts include the
request's own reads (session, user, permissions, membership).
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.readout import dashboards
from monitoring.views import dashboards as dashboard_views
from tests.factories import CustomerFactory
from tests.monitoring.dashboard_helpers import chart_table, frozen_at_now
from tests.monitoring.test_dashboard_queries import build_estate

pytestmark = pytest.mark.django_db

CEILING = 15
PAGES = {
    "customer dashboard": ("alice", "/"),
    "overview": ("manager", "/"),
    "overview page 2": ("manager", "/overview/?page=2"),
}


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


@pytest.fixture(autouse=True)
def short_pages(monkeypatch):
    # Three targets a page, so that the small estate has a page 2 too.
    monkeypatch.setattr(dashboard_views, "OVERVIEW_PAGE_SIZE", 3)


def counts(client, user, url):
    """(queries of a request with an empty cache, queries of the same request again)."""
    client.force_login(user)
    cache.clear()
    measured, queries = [], []
    for _attempt in ("cold", "warm"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        measured.append(len(captured))
        queries += [f"{_attempt}: {query['sql'][:300]}" for query in captured.captured_queries]
    return tuple(measured), "\n".join(queries)


@pytest.mark.parametrize("page", PAGES)
def test_the_page_reads_at_most_15_queries_cold_and_warm_whatever_the_estate(
    client, page, customer_a, customer_b, alice, manager
):
    who, url = PAGES[page]
    user = {"alice": alice, "manager": manager}[who]
    build_estate("small", [customer_a, customer_b], manager, agreements=2, targets=2, periods=3)
    small, _queries = counts(client, user, url)
    more = [customer_a, customer_b, *(CustomerFactory(code=f"more-{n}") for n in range(6))]
    build_estate("large", more, manager, agreements=8, targets=5, periods=14)
    large, queries = counts(client, user, url)

    assert large == small, queries
    assert max(large) <= CEILING, queries


def test_the_larger_estate_is_on_the_pages(client, customer_a, customer_b, alice, manager, monkeypatch):
    monkeypatch.setattr(dashboards, "HEATMAP_ROWS", 3)
    more = [customer_a, customer_b, *(CustomerFactory(code=f"more-{n}") for n in range(6))]
    build_estate("large", more, manager, agreements=8, targets=5, periods=14)
    client.force_login(alice)
    dashboard = client.get("/").text
    client.force_login(manager)
    first, second = client.get("/").text, client.get("/overview/?page=2").text

    assert dashboard.count('<section class="card mb-4"') == 1  # Acme's one of the eight
    assert first.count("<tr data-status=") == 3
    assert second.count("<tr data-status=") == 3
    assert "Page 2 of " in second
    # The heatmap shows the three services that left the least budget, of the eight, and says so.
    assert len(chart_table(first, "heatmap")) == 3
    assert "5 more services, which left more of their error budgets, are not shown" in first
    assert first.split("<tr data-status=")[1:] != second.split("<tr data-status=")[1:]


def test_the_overview_pages_its_cached_listing_like_a_paginator(client, customer_a, customer_b, manager):
    build_estate("large", [customer_a, customer_b], manager, agreements=4, targets=2, periods=3)
    client.force_login(manager)

    def rows(query):
        html = client.get(f"/overview/{query}").text
        return [row.split(">", 1)[0] for row in html.split("<tr data-status=")[1:]], html

    first, html = rows("")
    assert len(first) == 3
    assert "Page 1 of 4" in html
    assert rows("?page=abc")[0] == first  # not a number: the first page
    last, html = rows("?page=99")  # past the end: the last page
    assert len(last) == 3
    assert "Page 4 of 4" in html
    assert rows("?page=4")[0] == last
    # The status filter lists only its rows, from the same cached listing; the counts still show every status.
    breached, html = rows("?status=breached")
    assert breached
    assert set(breached) == {'"breached"'}
    counts = {status: int(number) for status, number in re.findall(r'data-count="(\w+)">(\d+)<', html)}
    assert sum(counts.values()) == 12
    assert f"Page 1 of {-(-counts['breached'] // 3)}" in html
