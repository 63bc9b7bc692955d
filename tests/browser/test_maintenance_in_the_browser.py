"""Maintenance in Chromium: the grey band plotly.js draws on a target page's daily charts where the period left time
out (and the outline of maintenance that counted), with their legend entries; and the "in maintenance" badge on the
customer's dashboard at 390 px. In English and Korean, with nothing the Content-Security-Policy blocks.

Acme's "uptime" (99.9 %, a probe every minute) in November 2026, read at CLOSED (1 Dec 00:15 in Seoul): a window
10 Nov 02:00-04:00 announced a week ahead (excluded; down 02:10-02:40, not counted) and one 20 Nov 01:00-03:00
announced two days ahead (counted: the agreement asks for five days' notice).
"""

import datetime as dt

import pytest
from django.core.cache import cache

from agreements.choices import MaintenanceStatus
from agreements.models import MaintenanceWindow
from tests.browser.conftest import log_in, overflow, screenshot
from tests.browser.test_content_security_policy import PageWatch
from tests.monitoring.evaluation_helpers import (
    DECEMBER,
    active_agreement,
    evaluate,
    kst,
    measured_target,
    record_probe_minutes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLOSED = DECEMBER + dt.timedelta(minutes=15)
IN_WINDOW = kst(2026, 11, 16, 2, 30)
WORDS = {
    "en-US": {"grey": "Maintenance (not counted)", "outline": "Maintenance that counted", "badge": "In maintenance"},
    "ko-KR": {"grey": "유지보수 (계산 제외)", "outline": "계산에 포함된 유지보수", "badge": "유지보수 중"},
}


def window(service, start, minutes, announced_days_ahead, title):
    return MaintenanceWindow.objects.create(
        service=service,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        status=MaintenanceStatus.APPROVED,
        approved_at=start - dt.timedelta(days=announced_days_ahead),
    )


def acme_uptime(customer):
    agreement = active_agreement(
        customer=customer,
        code="acme-portal",
        valid_from=dt.date(2026, 11, 1),
        maintenance_notice_days=5,
        maintenance_cap_minutes=240,
    )
    return measured_target(agreement=agreement, code="uptime", name="Uptime")


@pytest.fixture
def closed_november(customer_a, time_machine):
    time_machine.move_to(CLOSED, tick=False)
    cache.clear()
    target = acme_uptime(customer_a)
    service = target.agreement.services.first()
    window(service, kst(2026, 11, 10, 2), 120, 7, "Database upgrade")
    window(service, kst(2026, 11, 20, 1), 120, 2, "Network switch")
    record_probe_minutes(target, kst(2026, 11, 10), 1440, bad=range(130, 160))
    record_probe_minutes(target, kst(2026, 11, 20), 1440)
    evaluate(target, CLOSED)
    yield target
    cache.clear()


# The bands as plotly.js holds them and as it drew them (behind the data), the day labels' centres, the legend.
BANDS = r"""(id) => {
  const chart = document.getElementById(id);
  const bands = Array.from(chart.querySelectorAll(".layer-below .shapelayer path"));
  const box = (element) => { const r = element.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  const centre = (element) => { const r = element.getBoundingClientRect(); return (r.left + r.right) / 2; };
  return {
    shapes: chart.layout.shapes.map((shape) => [shape.x0, shape.x1, shape.name, shape.layer]),
    drawn: bands.map(box),
    fills: bands.map((path) => [path.style.fill, path.style.fillOpacity]),
    days: Object.fromEntries(Array.from(chart.querySelectorAll(".xtick text")).map((t) => [t.textContent, centre(t)])),
    legend: Array.from(chart.querySelectorAll(".legend .legendtext")).map((text) => text.textContent),
  };
}"""


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_daily_charts_draw_the_maintenance_as_a_grey_band_where_it_lay(new_page, closed_november, manager, locale):
    words = WORDS[locale]
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": 1366, "height": 900}), "manager"))
    page = watch.page
    watch.visit("/agreements/acme-portal/targets/uptime/?period=2026-11", "#daily-bars[data-rendered]")

    for chart_id in ("daily-bars", "burn-down"):
        drawn = page.evaluate(BANDS, chart_id)
        assert drawn["shapes"] == [
            [8.5833, 8.6667, words["grey"], "below"],
            [18.5417, 18.625, words["outline"], "below"],
        ], chart_id
        assert len(drawn["drawn"]) == 2, chart_id
        grey, outline = drawn["drawn"]
        # 10 Nov 02:00-04:00: in the left half of that day's place on the axis, a twelfth of a day wide.
        tenth, ninth = drawn["days"]["11-10"], drawn["days"]["11-09"]
        assert (ninth + tenth) / 2 <= grey["left"] < grey["right"] <= tenth, (chart_id, grey, ninth, tenth)
        assert grey["right"] - grey["left"] >= 1
        assert drawn["fills"] == [["rgb(173, 181, 189)", "1"], ["rgb(0, 0, 0)", "0"]]  # grey; outlined, not filled
        assert words["grey"] in drawn["legend"], drawn["legend"]
        assert words["outline"] in drawn["legend"], drawn["legend"]

    rows = page.locator("#excluded-intervals tbody tr")
    assert rows.count() == 2
    assert overflow(page) == {"scroll": 0, "over": []}
    watch.assert_clean(locale)
    page.locator("#daily-bars").scroll_into_view_if_needed()
    screenshot(page, f"maintenance-band-target-{locale}")


@pytest.fixture
def in_maintenance(customer_a, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    cache.clear()
    target = acme_uptime(customer_a)
    window(target.agreement.services.first(), kst(2026, 11, 16, 2), 120, 7, "Database upgrade")
    record_probe_minutes(target, kst(2026, 11, 15), 1440 + 150)
    evaluate(target, IN_WINDOW)
    yield target
    cache.clear()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_customer_dashboard_shows_a_target_in_maintenance_on_a_phone(new_page, in_maintenance, alice, locale):
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": 390, "height": 844}), "alice"))
    page = watch.page
    watch.visit("/customers/acme/dashboard/", "#trend-acme-portal[data-rendered]")

    badge = page.locator("#row-acme-portal-uptime .activity-in_maintenance")
    assert badge.inner_text() == WORDS[locale]["badge"]
    assert badge.is_visible()
    assert overflow(page) == {"scroll": 0, "over": []}
    watch.assert_clean(locale)
    screenshot(page, f"maintenance-badge-dashboard-390-{locale}")
