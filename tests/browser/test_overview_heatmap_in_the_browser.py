"""The overview in Chromium, as a service manager reads it at 1366 px: the heatmap plotly.js drew (its colour turns at
the objective and only there, every target counts, rolling windows too, months without data are not drawn), read from
the figure the library holds and from the colours of the cells it painted; and the status tiles on one row.

Rendered at NOW (16 Nov 2026 12:00 in Seoul), with agreements in force since August and no data before October:
- Payments: a rolling 7-day probe target (99.9 %), clean on 20 October, down 60 of 600 minutes on 10 November: every
  October window kept all its budget (green), November's windows are breached (red), and so is the current one;
- Logistics: a monthly target (99.9 %, events), 99.89 % in October (a tenth of a budget over: light red) and 99.91 %
  in November (a tenth of it left: light green, and at risk);
- Warehouse: a monthly target measured in November only (100 %): its October cell is empty.
"""

import pytest
from django.core.cache import cache

from monitoring.models import ComplianceSnapshot
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_content_security_policy import PageWatch
from tests.factories import ServiceFactory
from tests.monitoring.dashboard_helpers import NOW, agreement_since, monthly_target
from tests.monitoring.evaluation_helpers import evaluate, kst, measured_target, record_probe_minutes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The ends of the scale and the colours next to the objective, as plotly.js paints them (rgb).
RED, GREEN = (220, 53, 69), (25, 135, 84)
SCALE_NAMES = {"en-US": ["spent twice", "at the objective", "all left"], "ko-KR": ["두 배 소진", "목표치", "전부 남음"]}
TILES = {
    "en-US": ["On track", "At risk", "Breached", "No data"],
    "ko-KR": ["정상 진행", "위험", "위반", "데이터 없음"],
}


@pytest.fixture(autouse=True)
def at_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    cache.clear()  # the overview's figures are cached until the next evaluation, and the cache outlives a test
    yield
    cache.clear()


@pytest.fixture
def estate(customer_a, customer_b):
    payments = ServiceFactory(code="payments", name="Payments")
    logistics = ServiceFactory(code="logistics", name="Logistics")
    warehouse = ServiceFactory(code="warehouse", name="Warehouse")
    pay = agreement_since("2026-08", customer=customer_a, code="acme-pay", services=[payments])
    ops = agreement_since("2026-08", customer=customer_b, code="globex-ops", services=[logistics, warehouse])
    rolling = measured_target(
        agreement=pay, code="rolling", name="Card payments", window_kind="rolling", rolling_days=7
    )
    record_probe_minutes(rolling, kst(2026, 10, 20), 600)
    record_probe_minutes(rolling, kst(2026, 11, 10), 600, bad=range(60))
    parcels = monthly_target(
        ops, {"2026-10": (99_890, 100_000), "2026-11": (99_910, 100_000)}, service=logistics, code="parcels"
    )
    stock = monthly_target(ops, {"2026-11": (1000, 1000)}, service=warehouse, code="stock")
    for target in (rolling, parcels, stock):
        evaluate(target, NOW)
    return rolling


# The heatmap as plotly.js holds it, and the colour it painted at the middle of each cell (the cells are one image).
HEATMAP = """async () => {
  const chart = document.getElementById("heatmap");
  const trace = chart.data[0];
  const image = chart.querySelector(".hm image");
  const picture = new Image();
  picture.src = image.getAttribute("href") || image.getAttribute("xlink:href");
  await picture.decode();
  const canvas = document.createElement("canvas");
  canvas.width = picture.naturalWidth;
  canvas.height = picture.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(picture, 0, 0);
  const drawn = image.getBoundingClientRect(), frame = chart.querySelector(".main-svg").getBoundingClientRect();
  const x = chart._fullLayout.xaxis, y = chart._fullLayout.yaxis;
  const painted = {};
  trace.y.forEach((service, row) => {
    painted[service] = {};
    trace.x.forEach((month, column) => {
      const left = frame.left + x._offset + x.c2p(column), top = frame.top + y._offset + y.c2p(row);
      const pixel = context.getImageData(Math.floor((left - drawn.left) / drawn.width * canvas.width),
                                         Math.floor((top - drawn.top) / drawn.height * canvas.height), 1, 1).data;
      painted[service][month] = Array.from(pixel);
    });
  });
  return {
    x: Array.from(trace.x), y: Array.from(trace.y), z: trace.z.map((row) => Array.from(row)),
    text: trace.text.map((row) => Array.from(row)), zmin: trace.zmin, zmax: trace.zmax,
    colorscale: trace.colorscale, painted: painted,
    scaleNames: Array.from(chart.querySelectorAll(".colorbar .cbaxis text")).map((tick) => tick.textContent),
  };
}"""

TILE_ROWS = """() => Array.from(document.querySelectorAll("#status-counts .card")).map((card) => {
  const box = card.getBoundingClientRect();
  return {label: card.querySelector(".badge").textContent.trim(), top: box.top, height: box.height,
          right: box.right, count: card.querySelector("[data-count]").textContent.trim()};
})"""


# How many lines the agreement's code, the attainment, the objective and the period of each row of the targets' table
# take.
UNBROKEN = """() => Array.from(document.querySelectorAll("#overview-targets tbody tr")).map((row) =>
  [2, 4, 5, 7].map((column) => {
    const range = document.createRange();
    range.selectNodeContents(row.cells[column]);
    return new Set(Array.from(range.getClientRects()).map((line) => Math.round(line.top))).size;
  }))"""


def close_to(colour, expected, tolerance=3):
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected, strict=True))


def reddish(colour):
    return colour[3] == 255 and colour[0] > colour[1] + 40


def greenish(colour):
    return colour[3] == 255 and colour[1] > colour[0] + 20


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_heatmap_is_red_where_an_objective_was_missed_and_green_where_it_was_kept(
    new_page, estate, manager, locale
):
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": 1366, "height": 900}), "manager"))
    page = watch.page
    page.goto("/overview/")
    page.wait_for_selector("#heatmap[data-rendered] .hm image")

    heatmap = page.evaluate(HEATMAP)

    assert heatmap["x"] == ["2026-10", "2026-11"]  # August and September had no data: not drawn
    assert heatmap["y"] == ["Logistics", "Payments", "Warehouse"]
    z = {
        service: dict(zip(heatmap["x"], row, strict=True))
        for service, row in zip(heatmap["y"], heatmap["z"], strict=True)
    }
    # The rolling target's breached windows this month: under 0; its clean October windows: the whole budget left.
    assert z["Payments"]["2026-11"] < 0 < z["Payments"]["2026-10"] == 1
    assert (z["Logistics"]["2026-10"], z["Logistics"]["2026-11"]) == (-0.1, 0.1)
    assert (z["Warehouse"]["2026-10"], z["Warehouse"]["2026-11"]) == (None, 1)
    assert (heatmap["zmin"], heatmap["zmax"]) == (-1, 1)
    assert [position for position, _colour in heatmap["colorscale"]] == [0, 0.4999, 0.5, 1]
    assert heatmap["scaleNames"] == SCALE_NAMES[locale]

    painted = heatmap["painted"]
    assert close_to(painted["Payments"]["2026-11"], RED)  # far over the budget: the end of the scale
    assert close_to(painted["Payments"]["2026-10"], GREEN)
    assert close_to(painted["Warehouse"]["2026-11"], GREEN)
    # A tenth of a budget either side of the objective: light red under it, light green over it, nothing between.
    assert reddish(painted["Logistics"]["2026-10"]), painted["Logistics"]["2026-10"]
    assert greenish(painted["Logistics"]["2026-11"]), painted["Logistics"]["2026-11"]
    assert painted["Warehouse"]["2026-10"][3] == 0  # no data, no colour
    watch.assert_clean(f"overview, {locale}")
    screenshot(page, f"overview-heatmap-manager-1366-{locale}")


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_status_tiles_sit_on_one_row_and_met_shows_only_when_a_current_period_is_met(
    new_page, estate, manager, locale
):
    page = log_in(new_page(locale=locale, viewport={"width": 1366, "height": 900}), "manager")
    page.goto("/overview/")

    tiles = page.evaluate(TILE_ROWS)

    assert [tile["label"] for tile in tiles] == TILES[locale]  # running periods are never met: no "Met" tile
    assert [tile["count"] for tile in tiles] == ["1", "1", "1", "0"]  # stock; parcels; card payments
    assert len({tile["top"] for tile in tiles}) == 1
    assert max(tile["height"] for tile in tiles) < 100  # each tile one line of label, one of number
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Codes, numbers and periods are not broken at their hyphen or space ("globex- / ops", "99.9 / %", "2026-11- / 16").
    assert page.evaluate(UNBROKEN) == [[1, 1, 1, 1]] * 3

    # A current snapshot that says "met" (a period that closed as the last one its target will have) adds the tile,
    # still on the same row.
    ComplianceSnapshot.objects.filter(target__code="stock", is_current=True).update(status="met")
    cache.clear()
    page.reload()
    tiles = page.evaluate(TILE_ROWS)
    assert len(tiles) == 5
    assert tiles[0]["count"] == "1"
    assert len({tile["top"] for tile in tiles}) == 1
    screenshot(page, f"overview-tiles-with-met-manager-1366-{locale}")
