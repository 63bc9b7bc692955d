"""An indicator's page draws it over a chosen range, read from the hour rollups: the good share per hour (per minute
over 24 hours) above good and bad counts, and for a threshold indicator over 24 hours its measured values per minute
against the threshold. The page renders at NOW (16 Nov 2026, 12:00 in Seoul, the portal's zone in the tests); the
ranges end with the running hour (minute): 7 days are 9 Nov 13:00 .. 16 Nov 13:00, 24 hours 15 Nov 12:01 .. 16 Nov
12:01, 30 days from 17 Oct 13:00, 90 days from 18 Aug 13:00.

The latency indicator (good when value <= 300 ms) holds, in Seoul time:
    16 Nov 10:00:10 120, 10:00:40 480, 10:01:00 250        3 samples, 1 bad    (in every range)
    12 Nov 09:00 .. 09:05 100 200 900 150 310 120          6 samples, 2 bad    (7 days and more)
     9 Nov 13:00 100  and  12:59 100                       the first in 7 days, the second from 30 days
     1 Nov 00:00 .. 00:02 900 900 900                      3 samples, 3 bad    (30 days and more)
     1 Sep 08:00 100                                       (90 days)
     1 Aug 08:00 100                                       (in no range)
"""

import datetime as dt
import re
from html import unescape

import pytest

from monitoring.intake.ingest import record_samples
from monitoring.readout.indicator_history import RANGES, chosen_range
from tests.monitoring.dashboard_helpers import chart_table, figure
from tests.monitoring.evaluation_helpers import kst
from tests.monitoring.factories import iso, make_samples, make_values, table_rows

NOW = kst(2026, 11, 16, 12)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def values_at(indicator, *pairs):
    record_samples(indicator, [{"t": iso(t), "value": value} for t, value in pairs])


@pytest.fixture
def latency(acme_indicator):
    values_at(
        acme_indicator,
        (kst(2026, 11, 16, 10, 0) + 10 * SECOND, 120),
        (kst(2026, 11, 16, 10, 0) + 40 * SECOND, 480),
        (kst(2026, 11, 16, 10, 1), 250),
        (kst(2026, 11, 9, 13, 0), 100),
        (kst(2026, 11, 9, 12, 59), 100),
        (kst(2026, 9, 1, 8), 100),
        (kst(2026, 8, 1, 8), 100),
    )
    record_samples(
        acme_indicator, make_values(kst(2026, 11, 12, 9), [100, 200, 900, 150, 310, 120], dt.timedelta(minutes=1))
    )
    record_samples(acme_indicator, make_values(kst(2026, 11, 1), [900, 900, 900], dt.timedelta(minutes=1)))
    return acme_indicator


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/indicators/acme-latency/{query}")
    assert response.status_code == 200
    return response


def text_of(html, element_id):
    """The text of the element ``id="element_id"`` (a paragraph or a div holding no other div)."""
    found = re.search(rf'<(p|div)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, f"no element {element_id!r} on the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def summary(html):
    return text_of(html, "history-summary")


def shares(chart):
    """{x: good share} of the points that have one."""
    trace = chart["data"][0]
    return {x: y for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None}


# The ranges and their numbers.


def test_the_page_shows_the_last_7_days_by_hour_by_default(client, latency, alice):
    response = page(client, alice)

    html = response.text
    assert "The last 7 days" in html
    assert summary(html) == (
        "70.000 % of the samples good: 7 good, 3 bad. 9 Nov 2026, 13:00 KST to 16 Nov 2026, 13:00 KST · a point an hour"
    )
    chart = figure(html, "good-share-figure")
    share, good, bad = chart["data"]
    assert len(share["x"]) == 7 * 24
    assert (share["x"][0], share["x"][-1]) == ("2026-11-09 13:00", "2026-11-16 12:00")
    assert shares(chart) == {"2026-11-09 13:00": 100.0, "2026-11-12 09:00": 66.667, "2026-11-16 10:00": 66.667}
    assert (sum(good["y"]), sum(bad["y"])) == (7, 3)
    assert (good["yaxis"], chart["layout"]["yaxis2"]["title"]["text"]) == ("y2", "samples")
    assert chart_table(html, "good-share") == [
        ["2026-11-09 13:00", "100.000", "1", "0"],
        ["2026-11-12 09:00", "66.667", "4", "2"],
        ["2026-11-16 10:00", "66.667", "2", "1"],
    ]
    assert 'aria-current="page">7 days<' in html


@pytest.mark.parametrize(
    ("key", "points", "line"),
    [
        (
            "30d",
            30 * 24,
            "57.143 % of the samples good: 8 good, 6 bad. 17 Oct 2026, 13:00 KST to 16 Nov 2026, 13:00 KST",
        ),
        (
            "90d",
            90 * 24,
            "60.000 % of the samples good: 9 good, 6 bad. 18 Aug 2026, 13:00 KST to 16 Nov 2026, 13:00 KST",
        ),
    ],
)
def test_longer_ranges_count_every_hour_in_them(client, latency, alice, key, points, line):
    html = page(client, alice, f"?range={key}").text

    assert summary(html) == f"{line} · a point an hour"
    chart = figure(html, "good-share-figure")
    assert len(chart["data"][0]["x"]) == points
    assert shares(chart)["2026-11-01 00:00"] == 0.0
    assert 'id="values-note"' in html  # hours keep counts, not values
    assert "measured-values-figure" not in html


def test_24_hours_are_drawn_by_minute_with_the_measured_values_against_the_threshold(client, latency, alice):
    html = page(client, alice, "?range=24h").text

    assert summary(html) == (
        "66.667 % of the samples good: 2 good, 1 bad. "
        "15 Nov 2026, 12:01 KST to 16 Nov 2026, 12:01 KST · a point a minute"
    )
    chart = figure(html, "good-share-figure")
    assert len(chart["data"][0]["x"]) == 1440
    assert shares(chart) == {"2026-11-16 10:00": 50.0, "2026-11-16 10:01": 100.0}
    assert chart_table(html, "good-share") == [
        ["2026-11-16 10:00", "50.000", "1", "1"],
        ["2026-11-16 10:01", "100.000", "1", "0"],
    ]
    values = figure(html, "measured-values-figure")
    low, high, mean, threshold = values["data"]
    assert (low["y"], mean["y"], high["y"]) == ([120.0, 250.0], [300.0, 250.0], [480.0, 250.0])
    assert threshold["name"] == "Good when value ≤ 300 ms"
    assert (threshold["x"], threshold["y"]) == (["2026-11-15 12:01", "2026-11-16 12:01"], [300.0, 300.0])
    assert values["layout"]["yaxis"]["title"]["text"] == "ms"
    assert chart_table(html, "measured-values") == [
        ["2026-11-16 10:00", "120", "300", "480", "2"],
        ["2026-11-16 10:01", "250", "250", "250", "1"],
    ]
    assert 'id="values-note"' not in html


def test_a_ratio_indicator_shows_its_good_share_and_event_volumes_per_hour(client, acme_requests, alice):
    record_samples(acme_requests, make_samples(kst(2026, 11, 15, 9), [(998, 1000), (1000, 1000), (0, 0)]))
    record_samples(acme_requests, make_samples(kst(2026, 11, 16, 11, 30), [(40, 50)]))
    record_samples(acme_requests, make_samples(kst(2026, 11, 9, 12, 59), [(1, 10)]))  # a minute before the range
    client.force_login(alice)

    html = client.get("/indicators/acme-requests/").text

    assert summary(html).startswith("99.415 % of the events good: 2,038 good, 12 bad.")
    chart = figure(html, "good-share-figure")
    assert shares(chart) == {"2026-11-15 09:00": 99.9, "2026-11-16 11:00": 80.0}
    assert chart["layout"]["yaxis2"]["title"]["text"] == "events"
    assert chart_table(html, "good-share") == [
        ["2026-11-15 09:00", "99.900", "1998", "2"],
        ["2026-11-16 11:00", "80.000", "40", "10"],
    ]
    # A ratio indicator has no values: neither their chart nor the note about them, over any range.
    day = client.get("/indicators/acme-requests/?range=24h").text
    assert "measured-values-figure" not in html + day
    assert 'id="values-note"' not in html + day
    assert chart_table(day, "good-share") == [["2026-11-16 11:30", "80.000", "40", "10"]]


def test_an_hour_of_samples_with_no_events_has_no_share(client, acme_requests, alice):
    record_samples(acme_requests, make_samples(kst(2026, 11, 15, 9), [(0, 0)]))
    client.force_login(alice)

    html = client.get("/indicators/acme-requests/").text

    assert summary(html).startswith("Nothing was counted in this range.")
    assert shares(figure(html, "good-share-figure")) == {}
    assert chart_table(html, "good-share") == [["2026-11-15 09:00", "—", "0", "0"]]


def test_an_indicator_without_samples_draws_an_empty_range(client, acme_indicator, alice):
    html = page(client, alice).text

    assert summary(html).startswith("Nothing was counted in this range.")
    assert len(figure(html, "good-share-figure")["data"][0]["x"]) == 7 * 24
    assert chart_table(html, "good-share") == []
    assert table_rows(html, "latest-samples") == [["No samples yet."]]  # still below the chart


# The range parameter.


@pytest.mark.parametrize("key", ["1y", "7D", "<b>", "-1"])
def test_a_range_the_page_does_not_offer_shows_the_default_one_and_says_so(client, latency, alice, key):
    html = page(client, alice, f"?range={key}").text

    assert text_of(html, "unknown-range") == f"The page offers no range “{key}”: it shows the last 7 days."
    assert "<b>" not in html.split('id="unknown-range"', 1)[1].split("</div>", 1)[0]  # shown, escaped
    assert summary(html).startswith("70.000 % of the samples good: 7 good, 3 bad.")
    assert figure(html, "good-share-figure")["data"][0]["x"][0] == "2026-11-09 13:00"


def test_an_empty_range_is_the_default_without_a_warning(client, latency, alice):
    html = page(client, alice, "?range=").text

    assert "unknown-range" not in html
    assert summary(html).startswith("70.000 %")


def test_the_picker_offers_every_range_and_marks_the_chosen_one(client, latency, alice):
    html = page(client, alice, "?range=30d").text

    links = re.findall(r'<a class="btn btn-outline-primary( active)?" href="\?range=(\w+)"', html)
    assert links == [("", "24h"), ("", "7d"), (" active", "30d"), ("", "90d")]
    assert "The last 30 days" in html


def test_chosen_range_reads_only_the_keys_it_offers():
    assert [chosen_range(r.key) for r in RANGES] == [(r, True) for r in RANGES]
    assert chosen_range(None) == (RANGES[1], True)
    assert chosen_range("forever") == (RANGES[1], False)


# What the page costs.


def test_the_page_reads_in_as_many_queries_for_90_days_of_many_samples_as_for_a_few(
    client, acme_indicator, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get("/indicators/acme-latency/")  # the person's permissions and membership, kept from then on

    def count(query):
        # 14 for 24 hours: two of them read the maintenance windows and exclusions drawn as grey bands.
        with django_assert_max_num_queries(14) as captured:
            assert client.get(f"/indicators/acme-latency/{query}").status_code == 200
        return len(captured)

    few = {key: count(f"?range={key}") for key in ("24h", "7d", "90d")}
    start = NOW - dt.timedelta(days=89)
    for day in range(0, 89, 3):  # a sample every 10 minutes on every third day, and the last day by the minute
        record_samples(
            acme_indicator, make_values(start + dt.timedelta(days=day), [100, 400] * 72, dt.timedelta(minutes=10))
        )
    record_samples(acme_indicator, make_values(NOW - dt.timedelta(hours=23), [100, 400] * 690, dt.timedelta(minutes=1)))
    many = {key: count(f"?range={key}") for key in ("24h", "7d", "90d")}

    assert many == few
    assert few["7d"] == few["90d"]
    assert few["24h"] == few["7d"] + 1  # the day's measured values
    # ... and the many samples are really on the page: 30 days of 144 and a day of 1,380, half of them bad.
    assert summary(page(client, manager, "?range=90d").text).startswith(
        "50.000 % of the samples good: 2,850 good, 2,850 bad."
    )
