"""Prometheus as a source, against a real Prometheus started on a fixture (tests/monitoring/prometheus_server.py):
the minutes pulled and stored, split so that no request asks for more than the limit of points, the live pull's
progress and state, and the compliance the stored minutes give, all exact. A NaN from the server stores nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.choices import Operator
from monitoring.evaluation.tally import TallyRequest, tallies
from monitoring.intake import prometheus
from monitoring.models import Measurement, PrometheusQuery, PrometheusSource
from monitoring.slo import Method, attainment
from tests.monitoring.factories import IndicatorFactory, ThresholdIndicatorFactory, iso
from tests.monitoring.prometheus_server import prometheus_server

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
MINUTE = dt.timedelta(minutes=1)
TOTAL = "sum(increase(requests_total[1m]))"
# 36 × 1.02 = 36.72 a minute: rounds to 37, above the 36 of a minute without errors (clipped), below 40 with them.
GOOD = 'sum(increase(requests_total{code="200"}[1m])) * 1.02'
ERRORS = 'sum(increase(requests_total{code="500"}[1m]))'


@pytest.fixture(scope="module")
def server():
    """(base URL, the fixture's first minute): four hours before now, so that its blocks are old and kept."""
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=4)
    with prometheus_server(start) as url:
        yield url, start


class CountingSession(requests.Session):
    """Records the number of points each query_range asks for."""

    def __init__(self):
        super().__init__()
        self.points = []

    def get(self, url, params=None, **kwargs):
        self.points.append(round((params["end"] - params["start"]) / 60) + 1)
        return super().get(url, params=params, **kwargs)


def source_at(url, **fields):
    return PrometheusSource.objects.create(name="Main Prometheus", code="main-prom", base_url=url, **fields)


def ratio_query(source, **fields):
    indicator = IndicatorFactory(code="api-success")
    return PrometheusQuery.objects.create(
        source=source, indicator=indicator, good_query=fields.pop("good", GOOD), total_query=TOTAL, **fields
    )


def stored(indicator):
    rows = Measurement.objects.filter(indicator=indicator).order_by("t").values_list("t", "value", "good", "total")
    return {t: (value, good, total) for t, value, good, total in rows}


def test_a_backfill_stores_each_minute_by_the_counting_rule_and_the_compliance_follows(server):
    url, start = server
    query = ratio_query(source_at(url))
    session = CountingSession()
    first, end = start + 5 * MINUTE, start + 55 * MINUTE

    new = prometheus.pull_range(query, first, end, session=session, max_points=7)

    # 50 minutes asked in pieces of at most 7 points: 7 pieces of 7 and one of 1, for good and for total.
    assert session.points == [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 1]
    assert new == 50
    expected = {
        start + m * MINUTE: (None, 37, 40) if m in range(10, 15) else (None, 36, 36)  # 36.72 → 37, clipped to 36
        for m in range(5, 55)
    }
    assert stored(query.indicator) == expected
    tally = tallies([TallyRequest("k", query.indicator.pk, ((first, end),))])["k"]
    assert (tally.good, tally.total) == (45 * 36 + 5 * 37, 45 * 36 + 5 * 40)
    assert attainment(Method.OCCURRENCES, tally) == Decimal("0.991758241758")  # 1805 / 1820, to 12 places
    assert attainment(Method.TIMESLICES, tally) == Decimal("0.9")  # 45 good minutes of 50
    # Pulled again: the same minutes, nothing new, nothing changed.
    assert prometheus.pull_range(query, first, end) == 0
    assert stored(query.indicator) == expected


def test_the_live_pull_takes_the_settled_minutes_and_shows_how_far_behind_it_is(server):
    url, start = server
    source = source_at(url)
    query = ratio_query(source, pulled_until=start + 5 * MINUTE)
    now = start + 56 * MINUTE + dt.timedelta(seconds=20)  # minute 55 is not settled until a minute after it ends

    new, errors = prometheus.pull_source(source, now)

    assert (new, errors) == (50, [])
    query.refresh_from_db()
    source.refresh_from_db()
    assert query.pulled_until == start + 55 * MINUTE
    assert (source.last_pull_at, source.last_error, source.behind(now)) == (now, "", MINUTE + dt.timedelta(seconds=20))
    assert min(stored(query.indicator)) == start + 5 * MINUTE
    assert max(stored(query.indicator)) == start + 54 * MINUTE


def test_a_threshold_indicator_stores_the_value_of_each_minute(server):
    url, start = server
    indicator = ThresholdIndicatorFactory(code="api-errors", operator=Operator.LTE, threshold=1.0, unit="errors")
    query = PrometheusQuery.objects.create(source=source_at(url), indicator=indicator, value_query=ERRORS)

    assert prometheus.pull_range(query, start + 8 * MINUTE, start + 17 * MINUTE) == 9

    values = {t: value for t, (value, _good, _total) in stored(indicator).items()}
    assert values == {start + m * MINUTE: (4.0 if m in range(10, 15) else 0.0) for m in range(8, 17)}
    tally = tallies([TallyRequest("k", indicator.pk, ((start + 8 * MINUTE, start + 17 * MINUTE),))])["k"]
    assert (tally.good, tally.total) == (4, 9)


def test_a_nan_from_prometheus_is_an_error_on_the_source_and_stores_nothing(server):
    url, start = server
    source = source_at(url)
    # errors / errors: 0 / 0 = NaN in the minutes without errors.
    query = ratio_query(source, good=f"{ERRORS} / {ERRORS}", pulled_until=start + 5 * MINUTE)
    now = start + 56 * MINUTE

    new, errors = prometheus.pull_source(source, now)

    assert new == 0
    assert errors == [f"api-success: at {start + 5 * MINUTE:%Y-%m-%d %H:%M} UTC: good is nan, not a count"]
    source.refresh_from_db()
    query.refresh_from_db()
    assert source.last_error == errors[0]
    assert source.last_error_at == now
    assert query.pulled_until == start + 5 * MINUTE  # not moved: the next pull tries the same minutes again
    assert stored(query.indicator) == {}


def test_the_backfill_command_pulls_the_range_and_health_names_a_source_behind(server, client, settings):
    url, start = server
    query = ratio_query(source_at(url), pulled_until=start + 5 * MINUTE)
    out = io.StringIO()

    call_command(
        "prometheus_backfill",
        "main-prom",
        "--from",
        iso(start + 20 * MINUTE),
        "--to",
        iso(start + 30 * MINUTE),
        stdout=out,
    )

    assert out.getvalue() == "10 new samples stored for main-prom.\n"
    assert sorted(stored(query.indicator)) == [start + m * MINUTE for m in range(20, 30)]
    query.refresh_from_db()
    assert query.pulled_until == start + 5 * MINUTE  # a backfill leaves the live pull where it was
    report = client.get("/health").json()["prometheus"]
    assert report["ok"] is False
    assert [row["code"] for row in report["behind"]] == ["main-prom"]
    assert report["behind"][0]["behind_seconds"] > 3 * 3600
    with pytest.raises(CommandError, match="no Prometheus source with the code 'nope'"):
        call_command("prometheus_backfill", "nope", "--from", iso(start), "--to", iso(start + MINUTE))
