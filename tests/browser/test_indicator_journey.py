"""An indicator in the browser: the manager reads it over 7 days and over 24 hours (its values against the
threshold), under the Content-Security-Policy, then uploads a CSV file, reads what storing it will do and stores it.

The live server reads the wall clock, so the samples are written relative to it: the last two hours, one a minute.
"""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.intake.ingest import record_samples
from tests.browser.conftest import log_in
from tests.browser.test_content_security_policy import PageWatch
from tests.monitoring.conftest import acme_indicator, acme_service  # noqa: F401 - the fixtures: A's latency indicator
from tests.monitoring.factories import iso

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def latency(acme_indicator):  # noqa: F811
    """120 minutes of latency (good when <= 300 ms) up to a minute ago, 400 ms in three of them."""
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=121)
    samples = [
        {"t": iso(start + dt.timedelta(minutes=i)), "value": 400 if i in (10, 11, 50) else 120 + i} for i in range(120)
    ]
    record_samples(acme_indicator, samples)
    return start


def traces(page, chart_id):
    """The traces plotly.js holds for the chart: names and values, as drawn."""
    page.wait_for_selector(f"#{chart_id}[data-rendered]", state="attached")
    script = f"document.getElementById('{chart_id}').data.map(t => ({{name: t.name, y: Array.from(t.y)}}))"
    return {trace["name"]: trace["y"] for trace in page.evaluate(script)}


def test_manager_reads_an_indicator_over_two_ranges_and_stores_an_upload_after_its_summary(new_page, latency, manager):
    watch = PageWatch(log_in(new_page(), "manager"))
    page = watch.page

    watch.visit("/indicators/acme-latency/", "#good-share .barlayer .trace")
    assert page.locator("#history-summary").inner_text().startswith("97.500 % of the samples good: 117 good, 3 bad.")
    drawn = traces(page, "good-share")
    assert (sum(drawn["Good"]), sum(drawn["Bad"])) == (117, 3)
    assert page.locator("#values-note").is_visible()

    page.get_by_role("link", name="24 hours").click()
    page.wait_for_url("**/indicators/acme-latency/?range=24h")
    page.wait_for_selector("#measured-values .scatterlayer .trace", state="attached")
    values = traces(page, "measured-values")
    assert values["Good when value ≤ 300 ms"] == [300, 300]
    assert sorted(values["Mean"])[-3:] == [400, 400, 400]
    assert len(traces(page, "good-share")["Good share (%)"]) == 1440
    watch.assert_clean("the indicator over 24 hours")

    # A file of three samples: one at a minute already stored, one bad.
    known = iso(latency + dt.timedelta(minutes=5))
    later = [iso(latency + dt.timedelta(minutes=5, seconds=seconds)) for seconds in (20, 40)]
    content = f"t,value\n{known},125\n{later[0]},310\n{later[1]},90\n".encode()
    page.get_by_role("link", name="Upload CSV").click()
    page.set_input_files("#id_file", files=[{"name": "backfill.csv", "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("#upload-summary")
    assert page.locator("#summary-samples").inner_text() == "3"
    assert page.locator("#summary-bad").inner_text() == "1"
    assert page.locator("#summary-stored").inner_text() == "1"
    assert "storing skips them and adds 2 new" in page.locator("#upload-summary").inner_text()
    assert page.locator("#summary-first").inner_text().endswith("KST")
    watch.assert_clean("the upload preview")

    page.click("#store-upload")
    page.wait_for_url("**/indicators/acme-latency/")
    assert "2 new samples stored, 1 already known." in page.content()
    assert "of the samples good: 118 good, 4 bad." in page.locator("#history-summary").inner_text()
