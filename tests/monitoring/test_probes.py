"""HTTP probes against a real HTTP server on loopback: up, down, unreachable; each run claimed once."""

import datetime as dt

import pytest

from monitoring.choices import Operator
from monitoring.intake.probes import claim, run_due_probes
from monitoring.models import HttpProbe, Measurement
from tests.monitoring.evaluation_helpers import kst, loopback_server
from tests.monitoring.factories import ThresholdIndicatorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
T0 = kst(2026, 11, 2, 9)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def availability():
    return ThresholdIndicatorFactory(code="portal-up")  # good when value >= 1


@pytest.fixture
def latency():
    return ThresholdIndicatorFactory(code="portal-latency", operator=Operator.LTE, threshold=300.0, unit="ms")


@pytest.fixture
def make_probe(availability, latency):
    def make(url, **fields):
        return HttpProbe.objects.create(
            name="Portal home",
            code=fields.pop("code", "portal-home"),
            url=url,
            interval_seconds=60,
            timeout_seconds=2,
            availability_indicator=availability,
            latency_indicator=latency,
            **fields,
        )

    return make


def samples(indicator):
    """{instant: (value, good)} stored for ``indicator``."""
    rows = Measurement.objects.filter(indicator=indicator).values_list("t", "value", "good")
    return {t: (value, good) for t, value, good in rows}


def test_a_probe_records_up_then_down_then_unreachable(make_probe, availability, latency):
    with loopback_server(statuses=[200, 500]) as server:
        probe = make_probe(server.url)
        assert run_due_probes(T0) == 1
        probe.refresh_from_db()
        assert (probe.last_up, probe.last_error, probe.last_run_at) == (True, "", T0)

        assert run_due_probes(T0 + MINUTE) == 1
        probe.refresh_from_db()
        assert (probe.last_up, probe.last_error) == (False, "status 500, expected 200")

        server.stop()
        assert run_due_probes(T0 + 2 * MINUTE) == 1
        probe.refresh_from_db()
        assert probe.last_up is False
        assert probe.last_error.startswith("ConnectionError")
        assert probe.last_latency_ms is None
    assert [(method, path) for method, path, _ in server.requests] == [("GET", "/hook"), ("GET", "/hook")]
    # Availability 1, 0, 0 (good, bad, bad); latency only for the run that was up.
    assert samples(availability) == {T0: (1.0, 1), T0 + MINUTE: (0.0, 0), T0 + 2 * MINUTE: (0.0, 0)}
    ((instant, (milliseconds, good)),) = samples(latency).items()
    assert instant == T0
    assert 0 < milliseconds < 2000
    assert good == (milliseconds <= 300)


def test_a_probe_is_claimed_once_and_runs_once_per_interval(make_probe):
    with loopback_server() as server:
        probe = make_probe(server.url)
        assert run_due_probes(T0) == 1
        assert run_due_probes(T0) == 0  # the same tick again: already claimed
        probe.refresh_from_db()
        assert probe.next_run_at == T0 + MINUTE  # moved by the 60 s interval
        assert run_due_probes(T0 + dt.timedelta(seconds=59)) == 0
        assert run_due_probes(T0 + MINUTE) == 1
        probe.refresh_from_db()
        assert probe.next_run_at == T0 + 2 * MINUTE
    assert len(server.requests) == 2


def test_two_callers_holding_the_same_due_probe_claim_it_only_once(make_probe):
    make_probe("http://127.0.0.1:9/")
    first, second = HttpProbe.objects.get(), HttpProbe.objects.get()  # both read it as due
    assert claim(first, T0) is True
    assert claim(second, T0) is False
    assert HttpProbe.objects.get().next_run_at == T0 + MINUTE


def test_an_inactive_probe_is_not_run(make_probe):
    with loopback_server() as server:
        make_probe(server.url, is_active=False)
        assert run_due_probes(T0) == 0
    assert server.requests == []


def test_an_answer_other_than_the_expected_status_is_down(make_probe, availability, latency):
    with loopback_server(statuses=[200]) as server:
        make_probe(server.url, expected_status=204)
        run_due_probes(T0)
    assert samples(availability) == {T0: (0.0, 0)}
    assert samples(latency) == {}
    assert HttpProbe.objects.get().last_error == "status 200, expected 204"


def test_a_probe_without_indicators_only_records_its_last_result(make_probe):
    with loopback_server() as server:
        make_probe(server.url)
        HttpProbe.objects.update(availability_indicator=None, latency_indicator=None)
        assert run_due_probes(T0) == 1
    assert not Measurement.objects.exists()
    assert HttpProbe.objects.get().last_up is True
