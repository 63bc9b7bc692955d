"""Dashboards in the browser: the customer reads their compliance, charts and report; the manager sees what is at
risk first; another organisation's URL answers 404."""

import datetime as dt

import pytest

from agreements.choices import AgreementStatus
from monitoring.evaluation import evaluate_targets
from tests.browser.conftest import log_in
from tests.factories import AgreementFactory
from tests.monitoring.evaluation_helpers import kst, measured_target, record_probe_minutes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Evaluated 3 Nov 2026 00:00 KST (the browser shows the stored snapshots; the wall clock does not matter).
AT = kst(2026, 11, 3)


@pytest.fixture
def estate(customer_a, customer_b):
    """Customer A: one SLA with a healthy target and one at risk (40 of 43.2 budget minutes spent, after a
    breached October). Customer B: an SLA of its own."""
    acme = AgreementFactory(
        code="acme-web", title="Acme web banking", customer=customer_a, valid_from=dt.date(2026, 10, 1)
    )
    healthy = measured_target(agreement=acme, code="api", name="API answers")
    shaky = measured_target(agreement=acme, code="web", name="Web banking up")
    record_probe_minutes(healthy, kst(2026, 10, 1), 2 * 1440)
    record_probe_minutes(healthy, kst(2026, 11, 1), 1440)
    record_probe_minutes(shaky, kst(2026, 10, 1), 1000, bad=range(10))  # October: 990 of 1,000 = 99 %
    record_probe_minutes(shaky, kst(2026, 11, 1), 1440, bad=range(40))  # November: 1,400 of 1,440
    globex = AgreementFactory(code="globex-ops", customer=customer_b, valid_from=dt.date(2026, 10, 1))
    other = measured_target(agreement=globex, code="ops", name="Ops")
    record_probe_minutes(other, kst(2026, 11, 1), 60)
    for agreement in (acme, globex):
        agreement.status = AgreementStatus.ACTIVE
        agreement.save()
    evaluate_targets([healthy.pk, shaky.pk, other.pk], AT)
    return acme


def figure_of(page, chart_id):
    """The traces plotly.js drew in the chart element (not the JSON we sent: what the library holds)."""
    page.wait_for_selector(f"#{chart_id}[data-rendered]")
    return page.evaluate(f"document.getElementById('{chart_id}').data.map(t => ({{name: t.name, y: Array.from(t.y)}}))")


def test_customer_reads_dashboard_charts_and_report_and_cannot_open_another_organisation(new_page, estate, alice):
    page = log_in(new_page(), "alice")

    assert page.locator("h1").inner_text() == "Acme Bank: service levels"
    row = page.locator("#row-acme-web-web")
    assert "At risk" in row.inner_text()
    assert "97.222 %" in row.inner_text()  # 1,400 of 1,440 minutes
    assert "3.2 min of 43.2 min left" in row.inner_text()
    traces = {trace["name"]: trace["y"] for trace in figure_of(page, "trend-acme-web")}
    assert traces["Web banking up"] == [99.0, 97.222]
    assert traces["API answers"] == [100.0, 100.0]
    assert "globex-ops" not in page.content()

    page.get_by_role("link", name="Web banking up").click()
    page.wait_for_url("**/agreements/acme-web/targets/web/")
    bars = figure_of(page, "attainment-history")
    assert bars[0]["y"] == [99.0, 97.222]
    breaches = page.locator("#breaches").inner_text()
    assert "2026-10" in breaches
    assert "Period ended under the objective" in breaches

    page.goto("/agreements/acme-web/report/?period=2026-10")
    assert "Service level report, 2026-10" in page.locator("h1").inner_text()
    with page.expect_download() as download_info:
        page.click("#download-csv")
    download = download_info.value
    assert download.suggested_filename == "acme-web-2026-10.csv"
    with open(download.path(), encoding="utf-8") as downloaded:
        lines = downloaded.read().splitlines()
    assert lines[0].startswith("agreement,customer,report_period,month,target")
    assert any(line.startswith("acme-web,Acme Bank,2026-10,2026-10,web,") and ",99," in line for line in lines)

    response = page.goto("/agreements/globex-ops/")
    assert response.status == 404
    assert page.goto("/agreements/globex-ops/report/").status == 404


def test_manager_sees_the_at_risk_target_at_the_top_of_the_overview(new_page, estate, manager):
    page = log_in(new_page(), "manager")

    first = page.locator("#overview-targets tbody tr").first
    assert first.get_attribute("data-status") == "at_risk"
    assert "Web banking up" in first.inner_text()
    assert page.locator("[data-count=at_risk]").inner_text() == "1"
    heatmap = page.evaluate("document.getElementById('heatmap').data[0]")
    service = estate.targets.get(code="web").indicator_link.indicator.service.name
    row = heatmap["text"][heatmap["y"].index(service)]
    # The worst monthly attainment of the service: October 99 % (990 of 1,000), November 97.222 %.
    assert row[heatmap["x"].index("2026-10")] == "99.000"
    assert row[heatmap["x"].index("2026-11")] == "97.222"
