"""A running period in Chromium: what the target page says of it (on track, at risk or breached, never met; the
attainment so far; what the budget can still absorb; the projection) and how the attainment history draws it
(hatched, labelled "running", the objective drawn over one period too, the axis stopping at 100), read from the page
and from the figure plotly.js holds, for a calendar month and a rolling window; for a service manager at 1366 px and
the customer at 390 px, in English and Korean, with nothing the Content-Security-Policy blocks and no sideways scroll.

Acme's targets, since October 2026, rendered at NOW (16 Nov 2026 12:00 in Seoul, 15.5 of November's 30 days gone):
- "uptime" (monthly, 99.9 %): a clean October; down 35 minutes on 2 November: at risk, 8.2 of 43.2 minutes left,
  24.5 minutes over the budget at that pace;
- "api" (monthly, 99.9 %): measured in November only (one period), down 5 minutes: on track, 33.5 minutes left at
  the end at that pace;
- "rolling" (the last 7 days, 99.9 %): measured from 10 November, down 3 minutes that day: on track, 7.1 of 10.1
  minutes left, no projection (a rolling window never ends).
"""

import pytest
from django.core.cache import cache

from tests.browser.conftest import log_in, overflow, screenshot
from tests.browser.test_content_security_policy import PageWatch
from tests.monitoring.dashboard_helpers import NOW, agreement_since
from tests.monitoring.evaluation_helpers import evaluate, kst, measured_target, record_probe_minutes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWERS = [("manager", 1366, "en-US"), ("alice", 390, "en-US"), ("manager", 1366, "ko-KR"), ("alice", 390, "ko-KR")]

# What the pages say, in each language (the times in the portal's zone, Asia/Seoul).
WORDS = {
    "en-US": {
        "so far": "Attainment so far",
        "closed": "Attainment",
        "running": "running",
        "on track": "On track",
        "at risk": "At risk",
        "met": "Met",
        "projection": "Projection",
        "uptime absorbs": "Can absorb 8.2 more minutes of bad time until 30 Nov 2026, 23:59 KST.",
        "uptime ends": "At the pace so far, the period ends 24.5 min over its 43.2 min budget.",
        "api ends": "At the pace so far, the period ends with 33.5 min of its 43.2 min budget left.",
        "rolling absorbs": "Can absorb 7.1 more minutes of bad time in the last 7 days.",
    },
    "ko-KR": {
        "so far": "현재까지 달성률",
        "closed": "달성률",
        "running": "진행 중",
        "on track": "정상 진행",
        "at risk": "위험",
        "met": "충족",
        "projection": "예측",
        "uptime absorbs": "2026년 11월 30일 23:59 KST까지 비정상 시간을 8.2분 더 허용할 수 있습니다.",
        "uptime ends": "지금까지의 속도라면 기간이 끝날 때 오류 예산 43.2분을 24.5분 초과합니다.",
        "api ends": "지금까지의 속도라면 기간이 끝날 때 오류 예산 43.2분 중 33.5분이 남습니다.",
        "rolling absorbs": "최근 7일 동안 비정상 시간을 7.1분 더 허용할 수 있습니다.",
    },
}


@pytest.fixture(autouse=True)
def at_now(time_machine):
    """Pages render at NOW, the instant the targets are evaluated at (the live server runs in this process)."""
    time_machine.move_to(NOW, tick=False)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def running(customer_a):
    agreement = agreement_since("2026-10", customer=customer_a, code="acme-portal")
    uptime = measured_target(agreement=agreement, code="uptime", name="Uptime")
    record_probe_minutes(uptime, kst(2026, 10, 5), 600)
    record_probe_minutes(uptime, kst(2026, 11, 2), 1000, bad=range(100, 135))
    api = measured_target(agreement=agreement, code="api", name="API answers")
    record_probe_minutes(api, kst(2026, 11, 2), 1000, bad=range(5))
    rolling = measured_target(
        agreement=agreement, code="rolling", name="Rolling week", window_kind="rolling", rolling_days=7
    )
    record_probe_minutes(rolling, kst(2026, 11, 10), 3000, bad=range(100, 103))
    for target in (uptime, api, rolling):
        evaluate(target, NOW)


# What plotly.js drew for the attainment history: its traces and y axis as the library holds them, and in the SVG the
# objective's markers, each bar's box and whether it is filled with a pattern, and the annotations' text and box.
HISTORY = r"""() => {
  const chart = document.getElementById("attainment-history");
  const box = (element) => { const r = element.getBoundingClientRect();
                             return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width}; };
  const [bars, objective] = chart.data;
  const rgb = (colour) => { const probe = document.createElement("i"); probe.style.color = colour;
                            return probe.style.color; };
  // The colour a legend swatch shows: its fill, or the background of the pattern it is filled with.
  const swatch = (path) => {
    const pattern = path.style.fill.match(/url\("?#([^")]+)"?\)/);
    if (!pattern) return path.style.fill;
    const ground = document.getElementById(pattern[1]).querySelector("rect");
    return ground ? rgb(ground.getAttribute("fill")) : "none";
  };
  const traces = chart.querySelectorAll(".scatterlayer .trace");
  return {
    x: Array.from(bars.x), y: Array.from(bars.y), hatch: Array.from(bars.marker.pattern.shape),
    objective: Array.from(objective.y), objectiveMode: objective.mode,
    notes: chart.layout.annotations.map((note) => [note.x, note.text]),
    range: Array.from(chart._fullLayout.yaxis.range),
    ticks: Array.from(chart.querySelectorAll(".ytick text")).map((tick) => tick.textContent),
    markers: Array.from(traces[traces.length - 1].querySelectorAll(".point")).map(box),
    drawnBars: Array.from(chart.querySelectorAll(".barlayer .point path")).map((path) => ({
      box: box(path), patterned: path.classList.contains("pattern_filled") && path.style.fill.startsWith("url("),
    })),
    drawnNotes: Array.from(chart.querySelectorAll(".annotation")).map((note) => ({
      text: note.textContent, box: box(note.querySelector(".annotation-text")),
    })),
    patterns: chart.querySelectorAll("defs pattern").length,
    labels: Array.from(chart.querySelectorAll(".xtick text")).map(box),
    legend: box(chart.querySelector(".legend")),
    swatch: swatch(chart.querySelector(".legend .legendpoints path")), firstColour: rgb(bars.marker.color[0]),
    chart: box(chart),
  };
}"""


def open_target(page, code, query=""):
    page.goto(f"/agreements/acme-portal/targets/{code}/{query}")
    page.wait_for_selector("#attainment-history[data-rendered]")
    page.wait_for_selector("#daily-bars[data-rendered]")
    return page.evaluate(HISTORY)


STATUS = "#period-summary .badge[class*=compliance-]"


def text_of(page, selector):
    return " ".join(page.locator(selector).inner_text().split())


def attainment_label(page):
    """The caption of the attainment's card."""
    card = page.locator("#period-summary .card-body", has=page.locator("#attainment"))
    return card.inner_text().splitlines()[0].strip()


def assert_running_drawn(history, running_label):
    """The last bar alone is hatched and labelled, the label over that bar; an objective marker over every bar."""
    last = history["x"][-1]
    assert history["hatch"] == [""] * (len(history["x"]) - 1) + ["/"]
    assert history["notes"] == [[last, running_label]]
    assert [bar["patterned"] for bar in history["drawnBars"]] == [shape == "/" for shape in history["hatch"]]
    assert history["patterns"] >= 1
    (note,) = history["drawnNotes"]
    bar = history["drawnBars"][-1]["box"]
    assert note["text"] == running_label
    assert bar["left"] <= (note["box"]["left"] + note["box"]["right"]) / 2 <= bar["right"]
    assert note["box"]["bottom"] <= bar["top"] + 1  # above the bar, not on it
    assert len(history["markers"]) == len(history["x"])
    assert all(marker["width"] > 10 for marker in history["markers"])  # a dash over each bar
    # The periods' labels are whole (a phone rotates them) and above the legend, not under it.
    chart, legend = history["chart"], history["legend"]
    assert len(history["labels"]) == len(history["x"])
    for label in history["labels"]:
        assert chart["left"] <= label["left"], label
        assert label["right"] <= chart["right"], label
        assert label["bottom"] <= legend["top"], (label, legend)
    # The legend's swatch has the first bar's colour, hatched or not (it was blank when that bar was running).
    assert history["swatch"] == history["firstColour"]
    # The attainment axis stops at 100: the range plotly drew, and its highest tick.
    assert history["range"][1] == 100
    assert max(float(tick.replace(",", "")) for tick in history["ticks"]) == 100


def assert_fits(page, width):
    """Nothing reaches past the window's right edge, and the period picker's caption is one line (a Korean word
    breaks between any two syllables when squeezed)."""
    fits = overflow(page)
    assert (fits["scroll"], fits["over"]) == (0, []), width
    caption, choice = page.locator("label[for=period-select]").bounding_box(), page.locator("#period-select")
    assert caption["height"] <= choice.bounding_box()["height"], width


@pytest.mark.parametrize(("user", "width", "locale"), VIEWERS)
def test_a_running_month_reads_so_far_with_its_outlook_and_is_drawn_running(
    new_page, running, manager, alice, user, width, locale
):
    words = WORDS[locale]
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": width, "height": 900}), user))
    page = watch.page

    history = open_target(page, "uptime")

    assert text_of(page, STATUS) == words["at risk"]
    assert attainment_label(page) == words["so far"]
    assert text_of(page, "#attainment") == "96.500 %"
    assert text_of(page, "#can-absorb") == words["uptime absorbs"]
    assert text_of(page, "#projection") == f"{words['projection']} {words['uptime ends']}"
    assert (history["x"], history["y"], history["objective"]) == (["2026-10", "2026-11"], [100, 96.5], [99.9, 99.9])
    assert_running_drawn(history, words["running"])
    assert_fits(page, width)
    watch.assert_clean(f"uptime, {locale}")
    screenshot(page, f"target-running-month-{user}-{width}-{locale}")

    # Only a closed period is met: October, chosen in the picker, has no outlook; November is still drawn running.
    page.select_option("#period-select", "2026-10")
    page.wait_for_url("**/targets/uptime/?period=2026-10")
    page.wait_for_selector("#attainment-history[data-rendered]")
    assert text_of(page, STATUS) == words["met"]
    assert attainment_label(page) == words["closed"]
    assert page.locator("#budget-outlook").count() == 0
    assert_running_drawn(page.evaluate(HISTORY), words["running"])
    watch.assert_clean(f"uptime in October, {locale}")


@pytest.mark.parametrize(("user", "width", "locale"), VIEWERS)
def test_one_running_period_draws_its_objective_and_ends_with_budget_left_at_this_pace(
    new_page, running, manager, alice, user, width, locale
):
    words = WORDS[locale]
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": width, "height": 900}), user))
    page = watch.page

    history = open_target(page, "api")

    assert text_of(page, STATUS) == words["on track"]
    assert text_of(page, "#projection") == f"{words['projection']} {words['api ends']}"
    assert (history["x"], history["objective"], history["objectiveMode"]) == (["2026-11"], [99.9], "lines+markers")
    assert_running_drawn(history, words["running"])  # one bar, and the objective's dash over it
    assert_fits(page, width)
    watch.assert_clean(f"api, {locale}")
    screenshot(page, f"target-one-period-{user}-{width}-{locale}")


@pytest.mark.parametrize(("user", "width", "locale"), VIEWERS)
def test_a_rolling_window_says_what_the_last_days_can_absorb_and_draws_today_running(
    new_page, running, manager, alice, user, width, locale
):
    words = WORDS[locale]
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": width, "height": 900}), user))
    page = watch.page

    history = open_target(page, "rolling")

    assert text_of(page, STATUS) == words["on track"]
    assert attainment_label(page) == words["so far"]
    assert text_of(page, "#can-absorb") == words["rolling absorbs"]
    assert page.locator("#projection").count() == 0  # a rolling window has no end to project to
    # A window a day from the first day with data: the days before are closed (met), today's is running.
    assert history["x"] == [f"2026-11-{day}" for day in range(10, 17)]
    assert history["objective"] == [99.9] * 7
    assert_running_drawn(history, words["running"])
    assert_fits(page, width)
    watch.assert_clean(f"rolling, {locale}")
    screenshot(page, f"target-rolling-{user}-{width}-{locale}")
