"""monitoring.intake.fast, the usual batch read by msgspec: whatever it accepts is exactly what the standard way
(the JSON parser, then validate_samples) makes of the same body, and it leaves everything else to the standard way."""

import datetime as dt
import gc
import json

import hypothesis
import pytest
from django.conf import settings as django_settings
from hypothesis import event, given
from hypothesis import strategies as st

from monitoring.intake import fast
from monitoring.intake.ingest import MAX_BATCH, BatchInvalid, cycle_collection_paused, validate_samples
from monitoring.models import Measurement
from tests.monitoring.test_ingest import NOW, _cases, _indicators, _times, _values

LATEST = NOW + dt.timedelta(seconds=django_settings.SLM_MAX_FUTURE_SKEW_SECONDS)


def standard(indicator, body):
    """What the standard way makes of ``body``: the validated samples, or None when it refuses them (Python's JSON
    parser, as the API's parsers read the bodies the fast way takes)."""
    data = json.loads(body)
    try:
        return validate_samples(indicator, data["samples"], now=NOW)
    except BatchInvalid:
        return None


def the_fast_way(indicator, body):
    envelope = fast.read_envelope(body)
    if envelope is None:
        return None
    assert envelope[0] == "x"
    return fast.read_samples(indicator, envelope[1], LATEST, MAX_BATCH)


def body_of(samples):
    return json.dumps({"indicator": "x", "samples": samples}).encode()


@hypothesis.settings(max_examples=300)
@given(case=_cases)
def test_what_the_fast_way_accepts_the_standard_way_makes_the_same(case):
    kind, raw = case
    indicator = _indicators[kind]
    body = body_of([raw])
    outcome = the_fast_way(indicator, body)
    event("fast" if outcome is not None else "standard")
    if outcome is not None:
        assert outcome == standard(indicator, body)
        assert [repr(sample) for sample in outcome] == [repr(sample) for sample in standard(indicator, body)]


@hypothesis.settings(max_examples=100)
@given(times=st.lists(_times, min_size=1, max_size=5), values=st.lists(_values, min_size=5, max_size=5))
def test_a_batch_of_several_samples_too(times, values):
    indicator = _indicators["latency"]
    body = body_of([{"t": t, "value": value} for t, value in zip(times, values, strict=False)])
    outcome = the_fast_way(indicator, body)
    if outcome is not None:
        assert outcome == standard(indicator, body)


def test_the_usual_batch_goes_the_fast_way():
    samples = [{"t": f"2026-03-02T09:{minute:02d}:00Z", "value": minute % 2} for minute in range(60)]
    body = body_of(samples)
    assert the_fast_way(_indicators["up"], body) == standard(_indicators["up"], body)
    assert len(the_fast_way(_indicators["up"], body)) == 60
    ratio = [{"t": f"2026-03-02T09:{minute:02d}:00+09:00", "good": minute, "total": 60} for minute in range(60)]
    assert the_fast_way(_indicators["ratio"], body_of(ratio)) == standard(_indicators["ratio"], body_of(ratio))


@pytest.mark.parametrize(
    "sample",
    [
        {"t": "2026-03-02t09:00:00z", "value": 1},  # lowercase: msgspec's own parser takes it, Python's does not
        {"t": "2026-03-02T09:00:00.1234567Z", "value": 1},  # msgspec would round the seventh digit
        {"t": "2026-03-02T09:00:00Z", "value": 123456789012345678901234},  # a float in msgspec, exact in Python
        {"t": "2026-03-02T09:00:00Z", "value": 1234567890.123456789012},
        {"t": "2026-03-02T09:00:00", "value": 1},  # no zone
        {"t": "2026-03-02T09:00:00Z", "value": True},
        {"t": "2026-03-02T09:00:00Z", "value": 1, "good": 1},
        {"t": "2026-03-02T13:00:00Z", "value": 1},  # in the future
    ],
)
def test_what_either_parser_might_read_otherwise_goes_the_standard_way(sample):
    body = body_of([sample])
    outcome = the_fast_way(_indicators["up"], body)
    assert outcome is None or outcome == standard(_indicators["up"], body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"indicator": "x", "samples": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"indicator": "x", "samples": [], "extra": 1}',
        b'{"indicator": "x"}',
        b'{"indicator": 1, "samples": []}',
        b'{"indicator": "x", "samples": []}',
        b'{"indicator": "x", "samples": [{"t": "2026-03-02T09:00:00Z", "value": 1}] }x',
        b'{"indicator": "x", "samples": [{"t": "2026-03-02T09:00:00Z", "value": 1}, '
        b'{"t": "2026-03-02T09:00:00Z", "value": 2}]}',
        b"[]",
    ],
)
def test_a_body_the_fast_way_does_not_take_whole_is_left_to_the_standard_way(body):
    assert the_fast_way(_indicators["up"], body) is None


# Through the API.


def test_the_api_stores_the_usual_batch_the_fast_way(probe_indicator, source_token, post_batch, monkeypatch):
    def standard_way(*args, **kwargs):
        raise AssertionError("the usual batch went the standard way")

    monkeypatch.setattr("monitoring.api.views.validate_samples", standard_way)
    samples = [{"t": f"2026-03-02T09:{minute:02d}:00Z", "value": minute % 3} for minute in range(10)]
    response = post_batch({"indicator": "checkout-up", "samples": samples}, source_token)
    assert response.status_code == 201
    assert response.json() == {"indicator": "checkout-up", "received": 10, "new": 10, "duplicates": 0}
    stored = Measurement.objects.filter(indicator=probe_indicator).order_by("t").values_list("good", flat=True)
    assert list(stored) == [0, 1, 1, 0, 1, 1, 0, 1, 1, 0]


def test_a_batch_the_fast_way_leaves_is_answered_the_standard_way(probe_indicator, source_token, post_batch):
    samples = [{"t": "2026-03-02t09:00:00z", "value": 1}]
    response = post_batch({"indicator": "checkout-up", "samples": samples}, source_token)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"index": 0, "field": "t", "message": "'2026-03-02t09:00:00z' is not an ISO-8601 timestamp"}]
    }
    assert not Measurement.objects.filter(indicator=probe_indicator).exists()


def test_the_cycle_collector_is_paused_for_the_batch_and_left_as_it_was():
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
