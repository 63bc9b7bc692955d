"""The counting rule of Prometheus numbers (known answers), the cutting of a range into pieces, and bad answers from
a small local HTTP server posing as Prometheus: a timeout, garbage, an error, NaN, several series, a wrong password.
Each is a clear error on the source, and nothing of the piece is stored."""

import contextlib
import datetime as dt
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from monitoring.intake import prometheus
from monitoring.intake.prometheus import PullError, to_counts, to_value
from monitoring.models import Measurement, PrometheusQuery, PrometheusSource
from tests import services
from tests.monitoring import prometheus_server
from tests.monitoring.factories import IndicatorFactory

MINUTE = dt.timedelta(minutes=1)


# The rule: rounding, good clipped to total, NaN and infinities refused, missing points.


@pytest.mark.parametrize(
    ("good", "total", "counts"),
    [
        (998.0, 1000.0, (998, 1000)),
        (997.5, 1000.4, (998, 1000)),  # halves up, the rest to the nearest
        (0.5, 0.5, (1, 1)),
        (0.49, 0.2, (0, 0)),
        (1000.6, 1000.2, (1000, 1000)),  # good above total: clipped to total
        (40.0, 39.6, (40, 40)),  # equal once rounded
        (36.72, 36.0, (36, 36)),
        (0.0, 0.0, (0, 0)),
        (None, 12.0, None),  # a missing point: no sample for the minute
        (3.0, None, None),
    ],
)
def test_the_counting_rule_gives_the_known_answers(good, total, counts):
    assert to_counts(good, total) == counts


@pytest.mark.parametrize(
    ("good", "total", "message"),
    [
        (math.nan, 10.0, "good is nan, not a count"),
        (1.0, math.inf, "total is inf, not a count"),
        (-math.inf, 1.0, "good is -inf, not a count"),
        (-2.0, 1.0, "good is -2, a negative count"),
        (1.0, 2e12, "total is 2e+12, more than 1,000,000,000,000 events in a minute"),
    ],
)
def test_the_counting_rule_refuses_what_is_not_a_count(good, total, message):
    with pytest.raises(PullError) as refused:
        to_counts(good, total)
    assert str(refused.value) == message


def test_a_value_is_kept_as_it_is_and_nan_is_refused():
    assert to_value(0.25) == 0.25
    assert to_value(None) is None
    with pytest.raises(PullError, match="the value is nan, not a number"):
        to_value(math.nan)


def test_a_range_is_cut_into_pieces_of_at_most_the_limit():
    start = dt.datetime(2026, 11, 2, 0, 0, 30, tzinfo=dt.UTC)
    pieces = list(prometheus.pieces(start, start + 25_000 * MINUTE))
    assert [(b - a) // MINUTE for a, b in pieces] == [11_000, 11_000, 3_000]
    assert pieces[0][0] == start.replace(second=0)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    assert list(prometheus.pieces(start, start)) == []


# Bad answers from a server posing as Prometheus.


class Posing(BaseHTTPRequestHandler):
    answer = (200, "application/json", b"{}")
    delay = 0.0
    seen = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        type(self).seen.append(dict(self.headers))
        time.sleep(self.delay)
        status, content_type, body = self.answer
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def posing(status=200, content_type="application/json", body=b"{}", delay=0.0):
    handler = type("Handler", (Posing,), {"answer": (status, content_type, body), "delay": delay, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def matrix(*values):
    """A query_range answer of one series with these values, a minute apart from the minute in ``NOW`` less 2."""
    first = (NOW - 2 * MINUTE).replace(second=0, microsecond=0)
    points = [[(first + i * MINUTE).timestamp(), value] for i, value in enumerate(values, start=1)]
    result = [{"metric": {}, "values": points}]
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}}).encode()


NOW = dt.datetime(2026, 11, 2, 9, 30, 20, tzinfo=dt.UTC)


@pytest.fixture
def pulled(db):
    def pull(url, **fields):
        source = PrometheusSource.objects.create(
            name="Prom", code="prom", base_url=url, timeout_seconds=fields.pop("timeout_seconds", 2), **fields
        )
        query = PrometheusQuery.objects.create(
            source=source,
            indicator=IndicatorFactory(code="api-success"),
            good_query="sum(good)",
            total_query="sum(total)",
            pulled_until=NOW - 2 * MINUTE - dt.timedelta(seconds=20),
        )
        new, errors = prometheus.pull_source(source, NOW)
        source.refresh_from_db()
        query.refresh_from_db()
        assert Measurement.objects.count() == new
        return source, query, errors

    return pull


def test_two_good_minutes_are_stored(pulled):
    with posing(body=matrix("3.2", "4.5")) as (url, _handler):
        source, query, errors = pulled(url)
    assert (errors, source.last_error, Measurement.objects.count()) == ([], "", 1)
    assert query.pulled_until == NOW.replace(second=0) - MINUTE


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((200, "text/html", b"<html>login</html>"), "the answer is not Prometheus's API (HTTP 200, text/html)"),
        ((502, "text/plain", b"bad gateway"), "the answer is not Prometheus's API (HTTP 502, text/plain)"),
        ((200, "application/json", b'{"status": "success", "data": 7}'), "is not a range of points"),
        (
            (400, "application/json", b'{"status": "error", "errorType": "bad_data", "error": "parse error"}'),
            "Prometheus refused the query 'sum(good)': parse error",
        ),
        ((200, "application/json", matrix("NaN")), "good is nan, not a count"),
        ((200, "application/json", matrix("+Inf")), "good is inf, not a count"),
    ],
)
def test_a_bad_answer_is_a_clear_error_and_stores_nothing(pulled, answer, message):
    status, content_type, body = answer
    with posing(status, content_type, body) as (url, _handler):
        source, query, errors = pulled(url)
    assert len(errors) == 1
    assert message in errors[0]
    assert errors[0].startswith("api-success: ")
    assert source.last_error == errors[0]
    assert source.last_error_at == NOW
    assert Measurement.objects.count() == 0
    assert query.pulled_until == NOW - 2 * MINUTE - dt.timedelta(seconds=20)


def test_a_query_giving_several_series_is_refused(pulled):
    two = {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": []}] * 2}}
    with posing(body=json.dumps(two).encode()) as (url, _handler):
        _source, _query, errors = pulled(url)
    assert errors == ["api-success: the query 'sum(good)' gives 2 series; aggregate it to one, e.g. with sum()"]


def test_a_prometheus_that_does_not_answer_in_time_is_an_error(pulled):
    with posing(body=matrix("1"), delay=2) as (url, _handler):
        source, _query, errors = pulled(url, timeout_seconds=0.5)
    assert errors == ["api-success: Prometheus did not answer within 0.5 s"]
    assert Measurement.objects.count() == 0


def test_an_unreachable_prometheus_is_an_error(pulled):
    with posing() as (url, _handler):
        pass  # closed again: nothing listens there now
    _source, _query, errors = pulled(url)
    assert errors[0].startswith("api-success: cannot reach Prometheus: ConnectionError")


def test_the_secret_is_sent_and_never_stored_in_clear(pulled, monkeypatch):
    with posing(body=matrix("1", "1")) as (url, handler):
        source = PrometheusSource(name="Prom", code="prom", base_url=url, auth="bearer")
        source.set_secret("s3cret-token")
        source.save()
        query = PrometheusQuery.objects.create(
            source=source, indicator=IndicatorFactory(), good_query="a", total_query="b", pulled_until=NOW - MINUTE
        )
        assert "s3cret-token" not in str(PrometheusSource.objects.filter(pk=source.pk).values().get())
        prometheus.pull_source(source, NOW + MINUTE)
        assert handler.seen[0]["Authorization"] == "Bearer s3cret-token"
        query.delete()

        basic = PrometheusSource.objects.create(
            name="P2", code="p2", base_url=url, auth="basic", username="reader", secret_env="SLM_TEST_PROM_PASSWORD"
        )
        PrometheusQuery.objects.create(
            source=basic, indicator=IndicatorFactory(), good_query="a", total_query="b", pulled_until=NOW - 2 * MINUTE
        )
        _new, errors = prometheus.pull_source(basic, NOW)
        assert errors == ["the environment variable SLM_TEST_PROM_PASSWORD is not set"]
        monkeypatch.setenv("SLM_TEST_PROM_PASSWORD", "pa55")
        _new, errors = prometheus.pull_source(basic, NOW)
        assert errors == []
        assert handler.seen[-1]["Authorization"] == "Basic cmVhZGVyOnBhNTU="  # reader:pa55


def test_a_secret_saved_under_another_secret_key_names_the_settings_or_asks_to_be_saved_again(settings, db):
    settings.SLM_FIELD_ENCRYPTION_KEY = ""
    source = PrometheusSource(name="Prom", code="prom", base_url="http://127.0.0.1:1", auth="bearer")
    source.set_secret("s3cret")
    assert source.secret() == "s3cret"
    settings.SECRET_KEY = "another-key-" + "x" * 50
    refusal = "The secret of Prometheus source prom cannot be decrypted.*SLM_FIELD_ENCRYPTION_OLD_KEYS.*save the secret"
    with pytest.raises(prometheus.SecretUnavailable, match=refusal):
        source.secret()


def test_sources_behind_are_named_for_health(db):
    now = timezone.now()
    fresh = PrometheusSource.objects.create(name="Fresh", code="fresh", base_url="http://127.0.0.1:1")
    late = PrometheusSource.objects.create(name="Late", code="late", base_url="http://127.0.0.1:2")
    PrometheusQuery.objects.create(
        source=fresh, indicator=IndicatorFactory(), good_query="a", total_query="b", pulled_until=now - 2 * MINUTE
    )
    PrometheusQuery.objects.create(
        source=late, indicator=IndicatorFactory(), good_query="a", total_query="b", pulled_until=now - 11 * MINUTE
    )
    assert [(source.code, lag > 10 * MINUTE) for source, lag in prometheus.behind_sources(now)] == [("late", True)]


# The real server's helper: without Prometheus its tests skip with the reason, or fail where CI requires it.


def test_a_missing_prometheus_skips_with_the_reason(monkeypatch):
    monkeypatch.setattr(prometheus_server, "PROMETHEUS", "/nonexistent/prometheus")
    monkeypatch.setattr(services, "REQUIRED", False)
    with pytest.raises(pytest.skip.Exception, match="/nonexistent/prometheus is not installed"):
        prometheus_server._require_programs()


def test_a_missing_prometheus_fails_where_ci_requires_it(monkeypatch):
    monkeypatch.setattr(prometheus_server, "PROMTOOL", "/nonexistent/promtool")
    monkeypatch.setattr(services, "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="SLM_REQUIRE_SERVICES=1"):
        prometheus_server._require_programs()


def test_beat_pulls_every_active_source_each_minute(db, settings):
    assert settings.CELERY_BEAT_SCHEDULE["pull-prometheus"] == {
        "task": "monitoring.tasks.pull_prometheus",
        "schedule": 60,
    }
    with posing(body=matrix("1", "1")) as (url, _handler):
        active = PrometheusSource.objects.create(name="On", code="on", base_url=url)
        paused = PrometheusSource.objects.create(name="Off", code="off", base_url=url, is_active=False)
        for source in (active, paused):
            PrometheusQuery.objects.create(
                source=source, indicator=IndicatorFactory(), good_query="a", total_query="b", pulled_until=NOW - MINUTE
            )
        assert prometheus.pull_all(NOW + MINUTE) == 1
    active.refresh_from_db()
    paused.refresh_from_db()
    assert (active.last_pull_at, paused.last_pull_at) == (NOW + MINUTE, None)
    assert Measurement.objects.filter(indicator__prometheus_query__source=active).count() == 1
