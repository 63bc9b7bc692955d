"""A Prometheus source in the browser: a manager connects one with a bearer token (the field comes back empty, the
token never shown), adds a ratio query, and reads the source's state, in English and in Korean."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import PrometheusSource
from tests.browser.conftest import log_in, overflow, screenshot
from tests.monitoring.factories import IndicatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_connects_prometheus_and_reads_its_state(new_page, manager):
    IndicatorFactory(code="checkout-success", name="Checkout success")
    page = log_in(new_page(viewport={"width": 1366, "height": 900}), "manager")

    page.goto("/prometheus/new/")
    page.fill("#id_name", "Main Prometheus")
    page.fill("#id_code", "main-prom")
    page.fill("#id_base_url", "https://prometheus.example.com")
    page.select_option("#id_auth", "bearer")
    page.fill("#id_secret", "glsa_browser_token")
    screenshot(page, "prometheus-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/prometheus/main-prom/")
    assert PrometheusSource.objects.get(code="main-prom").secret() == "glsa_browser_token"

    page.goto("/prometheus/main-prom/queries/new/")
    page.select_option("#id_indicator", label="Checkout success")
    page.fill("#id_good_query", 'sum(increase(http_requests_total{code!~"5.."}[1m]))')
    page.fill("#id_total_query", "sum(increase(http_requests_total[1m]))")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/prometheus/main-prom/")
    source = PrometheusSource.objects.get(code="main-prom")
    now = timezone.now()
    source.queries.update(pulled_until=now - dt.timedelta(minutes=3, seconds=5))
    unreadable = (
        "The secret of Prometheus source main-prom cannot be decrypted with SLM_FIELD_ENCRYPTION_KEY (or SECRET_KEY "
        "when it is empty) nor with any key of SLM_FIELD_ENCRYPTION_OLD_KEYS: it was encrypted with another key."
    )
    PrometheusSource.objects.filter(pk=source.pk).update(
        last_pull_at=now,
        last_error=f"checkout-success: Prometheus did not answer within 10 s\n{unreadable}",
        last_error_at=now,
    )

    page.reload()
    assert page.locator("#behind").inner_text() == "3 minutes"
    error = page.locator("#last-error")
    assert error.inner_text().splitlines()[0] == "checkout-success: Prometheus did not answer within 10 s"
    assert error.evaluate("e => e.scrollWidth <= e.clientWidth")  # the long line wraps within the column
    assert "glsa_browser_token" not in page.content()
    screenshot(page, "prometheus-detail-en")
    page.goto("/prometheus/main-prom/edit/")
    assert page.input_value("#id_secret") == ""

    korean = log_in(new_page(locale="ko-KR", viewport={"width": 1366, "height": 900}), "manager")
    korean.goto("/prometheus/main-prom/")
    assert korean.locator("#behind").inner_text() == "3분"
    assert korean.get_by_role("heading", name="과거 데이터 가져오기").is_visible()
    assert korean.locator("#last-error").evaluate("e => e.scrollWidth <= e.clientWidth")
    screenshot(korean, "prometheus-detail-ko")
    korean.goto("/prometheus/")
    assert overflow(korean) == {"scroll": 0, "over": []}
    screenshot(korean, "prometheus-list-ko")
