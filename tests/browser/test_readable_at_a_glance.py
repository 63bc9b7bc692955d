"""Read at a glance, measured in Chromium: the IPA chart's labels cover no other label, marker or quadrant name (points
at one place share one label), on a laptop and on a phone, in English and Korean; the navigation bar and the
Django admin's header stay one line at 1366 and 1200 px, as the admin (the longest menu) in both languages."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import ServiceFactory, UserFactory
from tests.requirements_analysis.factories import RequirementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (category, importance, performance) of each open requirement: availability averages (5, 3.5), next to continuity
# at (5, 4) (the labels that ran into "AvailabilityContinuity"); performance and responsiveness share (4, 2).
REQUIREMENTS = [
    ("availability", 5, 3),
    ("availability", 5, 4),
    ("continuity", 5, 4),
    ("performance", 4, 2),
    ("responsiveness", 4, 2),
    ("security", 4, 3),
    ("usability", 2, 4),
]

OVERLAPS = """() => {
  const chart = document.getElementById("ipa");
  const boxes = (selector) => Array.from(chart.querySelectorAll(selector)).map((element) => {
    const r = element.getBoundingClientRect();
    return {text: element.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }).filter((b) => b.right > b.left);
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const labels = boxes(".textpoint text"), markers = boxes(".points path"), names = boxes(".annotation-text");
  const found = [];
  labels.forEach((a, i) => {
    labels.slice(i + 1).forEach((b) => { if (meet(a, b)) found.push([a.text, b.text]); });
    markers.forEach((m) => { if (meet(a, m)) found.push([a.text, "a marker"]); });
    names.forEach((n) => { if (meet(a, n)) found.push([a.text, n.text]); });
  });
  return {found: found, labels: labels.map((b) => b.text)};
}"""


@pytest.fixture
def spread(customer_a):
    service = ServiceFactory(code="banking", name="Banking")
    for category, importance, performance in REQUIREMENTS:
        RequirementFactory(
            customer=customer_a, service=service, category=category, importance=importance, performance=performance
        )


@pytest.mark.parametrize(("width", "locale"), [(1366, "en-US"), (390, "en-US"), (1366, "ko-KR"), (390, "ko-KR")])
def test_the_ipa_charts_labels_cover_nothing(new_page, spread, manager, width, locale):
    page = log_in(new_page(locale=locale), "manager")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/priorities/")
    page.wait_for_selector("#ipa[data-rendered]")

    drawn = page.evaluate(OVERLAPS)

    assert drawn["found"] == []
    assert len(drawn["labels"]) == 5  # six categories, two of them at one place
    if locale == "en-US":
        assert "PerformanceResponsiveness" in drawn["labels"]  # one label, a line each (textContent joins them)
        assert sorted(drawn["labels"])[:2] == ["Availability", "Continuity"]


@pytest.fixture
def admin(db):
    """The admin sees the longest menu; a long name is cut short in the bar (the whole name is its title)."""
    return UserFactory(
        username="admin", first_name="Portal", last_name="Administrator of Services", is_staff=True, is_superuser=True
    )


NAVIGATION = """() => {
  const nav = document.getElementById("portal-nav");
  const items = Array.from(nav.querySelectorAll(".nav-link, #language-select, #user-menu"));
  const middles = items.map((item) => { const r = item.getBoundingClientRect(); return (r.top + r.bottom) / 2; });
  return {height: nav.getBoundingClientRect().height, lines: Math.max(...middles) - Math.min(...middles) < 10 ? 1 : 2,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          toggler: getComputedStyle(nav.querySelector(".navbar-toggler")).display};
}"""


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_navigation_bar_is_one_line_at_laptop_widths_and_folds_below(new_page, admin, locale):
    page = log_in(new_page(locale=locale), "admin")
    for width in (1366, 1280, 1200):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/agreements/")
        bar = page.evaluate(NAVIGATION)
        assert (bar["lines"], bar["overflow"], bar["toggler"]) == (1, 0, "none"), width
        assert bar["height"] < 60, width
    page.set_viewport_size({"width": 1100, "height": 800})
    assert page.evaluate(NAVIGATION)["toggler"] != "none"
    # The way to the Django admin is in the person's menu.
    page.set_viewport_size({"width": 1366, "height": 800})
    page.click("#user-menu")
    page.locator("#portal-nav a[href='/admin/']").click()
    page.wait_for_url("**/admin/")


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_django_admins_header_is_one_line_at_1366_px(new_page, admin, locale):
    page = log_in(new_page(locale=locale), "admin")
    page.set_viewport_size({"width": 1366, "height": 800})
    for url in ("/admin/", "/admin/agreements/agreement/"):
        page.goto(url)
        header = page.evaluate(
            """() => {
              const box = (selector) => document.querySelector(selector).getBoundingClientRect();
              return {toolsHeight: box("#user-tools").height,
                      overflow: document.documentElement.scrollWidth - window.innerWidth};
            }"""
        )
        assert header["toolsHeight"] < 30, url
        assert header["overflow"] == 0, url
