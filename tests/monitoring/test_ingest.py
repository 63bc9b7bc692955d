"""monitoring.intake.ingest without HTTP: the validation rules of validate_samples and what record_samples stores.

Every way in (the API, CSV uploads, HTTP probes) goes through these two functions, so the rules are pinned here
directly; test_measurement_api.py checks that the API answers them with the right index and field.
"""

import datetime as dt
import math

import hypothesis
import pytest
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import event, given
from hypothesis import strategies as st

from monitoring.choices import Operator
from monitoring.intake.ingest import (
    MAX_BATCH,
    BatchInvalid,
    StoreResult,
    _sample,
    record_samples,
    store_samples,
)
from monitoring.intake.ingest import validate_samples as validate
from monitoring.intake.samples import MAX_COUNT, Sample
from monitoring.kinds import IndicatorKind
from monitoring.models import Indicator, Measurement
from tests.monitoring.factories import (
    IndicatorFactory,
    ThresholdIndicatorFactory,
    at,
    make_samples,
    make_values,
    stored_counts,
)

NOW = at("2026-03-02 12:00:00")
T0 = at("2026-03-02 09:00:00")


def problems(indicator, samples, now=NOW):
    """The (index, field) pairs of the BatchInvalid that validating ``samples`` raises."""
    with pytest.raises(BatchInvalid) as refused:
        validate(indicator, samples, now=now)
    return [(error["index"], error["field"]) for error in refused.value.errors]


# What a valid batch becomes.


def test_ratio_samples_keep_their_counts_and_have_no_value(requests_indicator):
    samples = validate(requests_indicator, make_samples(T0, [(9, 10), (0, 0)]), now=NOW)

    assert samples == [
        Sample(T0, None, 9, 10),
        Sample(T0 + dt.timedelta(seconds=30), None, 0, 0),
    ]


def test_every_time_is_turned_into_utc(requests_indicator):
    raw = [
        {"t": "2026-03-02T18:00:00+09:00", "good": 1, "total": 1},
        {"t": "2026-03-02T04:00:30-05:00", "good": 1, "total": 1},
        {"t": "2026-03-02T09:01:00.250+00:00", "good": 1, "total": 1},
    ]

    samples = validate(requests_indicator, raw, now=NOW)

    assert [sample.t for sample in samples] == [
        T0,
        T0 + dt.timedelta(seconds=30),
        T0 + dt.timedelta(minutes=1, milliseconds=250),
    ]
    assert all(sample.t.utcoffset() == dt.timedelta(0) for sample in samples)


@pytest.mark.parametrize(
    ("operator", "threshold", "goods"),
    [
        (Operator.LT, 300, [1, 0, 0]),
        (Operator.LTE, 300, [1, 1, 0]),
        (Operator.GT, 300, [0, 0, 1]),
        (Operator.GTE, 300, [0, 1, 1]),
        (Operator.EQ, 300, [0, 1, 0]),
    ],
)
def test_a_threshold_sample_is_one_event_good_when_its_value_meets_the_threshold(db, operator, threshold, goods):
    indicator = ThresholdIndicatorFactory(operator=operator, threshold=threshold, unit="ms")

    samples = validate(indicator, make_values(T0, [299.5, 300, 300.5]), now=NOW)

    assert [(sample.good, sample.total) for sample in samples] == [(good, 1) for good in goods]
    assert [sample.value for sample in samples] == [299.5, 300.0, 300.5]
    assert all(isinstance(sample.value, float) for sample in samples)


# What is refused.


def test_a_batch_that_is_not_a_list_is_refused(requests_indicator):
    assert problems(requests_indicator, None) == [(None, "samples")]
    assert problems(requests_indicator, {"t": "2026-03-02T09:00:00Z"}) == [(None, "samples")]
    assert problems(requests_indicator, []) == [(None, "samples")]


def test_a_batch_may_hold_max_batch_samples_and_no_more(requests_indicator):
    full = make_samples(T0, [(1, 1)] * MAX_BATCH, step=dt.timedelta(milliseconds=100))

    assert len(validate(requests_indicator, full, now=NOW)) == MAX_BATCH
    assert problems(requests_indicator, [*full, full[0]]) == [(None, "samples")]


def test_the_future_limit_is_the_configured_skew_from_now(requests_indicator, settings):
    settings.SLM_MAX_FUTURE_SKEW_SECONDS = 300
    edge = make_samples(NOW + dt.timedelta(minutes=5), [(1, 1)])
    beyond = make_samples(NOW + dt.timedelta(minutes=5, microseconds=1), [(1, 1)])

    assert validate(requests_indicator, edge, now=NOW)[0].t == NOW + dt.timedelta(minutes=5)
    assert problems(requests_indicator, beyond) == [(0, "t")]

    settings.SLM_MAX_FUTURE_SKEW_SECONDS = 0
    assert problems(requests_indicator, edge) == [(0, "t")]
    assert validate(requests_indicator, make_samples(NOW, [(1, 1)]), now=NOW)[0].t == NOW


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-02T09:00:00",  # no zone
        "2026-03-02",  # a date, no zone
        "09:00:00Z",  # a time without a date
        "2026-02-30T09:00:00Z",  # no such day
        "2026-03-02 9am UTC",
        "",
        "0001-01-01T00:30:00+01:00",  # before the first instant a datetime holds, once in UTC
    ],
)
def test_a_time_that_is_not_an_instant_with_a_zone_is_refused(requests_indicator, raw):
    assert problems(requests_indicator, [{"t": raw, "good": 1, "total": 1}]) == [(0, "t")]


def test_counts_may_be_zero_and_up_to_the_maximum(requests_indicator):
    samples = validate(requests_indicator, make_samples(T0, [(0, 0), (MAX_COUNT, MAX_COUNT)]), now=NOW)

    assert [(sample.good, sample.total) for sample in samples] == [(0, 0), (MAX_COUNT, MAX_COUNT)]
    assert problems(requests_indicator, make_samples(T0, [(0, MAX_COUNT + 1)])) == [(0, "total")]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 10**400, -(10**400)])
def test_a_non_finite_value_is_refused(probe_indicator, value):
    # The API's JSON parser yields no NaN, but 1e400 parses to infinity and 1 followed by 400 zeros to an integer
    # no float holds; CSV uploads and probes call validate_samples directly.
    assert problems(probe_indicator, make_values(T0, [1, value])) == [(1, "value")]


@pytest.mark.parametrize("count", [1.0, math.nan, "3", True, None, [1]])
def test_a_count_that_is_not_a_whole_number_is_refused(requests_indicator, count):
    assert problems(requests_indicator, [{"t": "2026-03-02T09:00:00Z", "good": 0, "total": count}]) == [(0, "total")]


def test_good_above_total_is_reported_only_once_the_counts_themselves_are_valid(requests_indicator):
    raw = [{"t": "2026-03-02T09:00:00Z", "good": 5, "total": 4}, {"t": "2026-03-02T09:00:30Z", "good": 5, "total": -1}]

    assert problems(requests_indicator, raw) == [(0, "good"), (1, "total")]


def test_a_repeated_instant_is_refused_naming_the_first_sample_with_that_time(requests_indicator):
    raw = make_samples(T0, [(1, 1)] * 3) + [{"t": "2026-03-02T18:00:30+09:00", "good": 1, "total": 1}]

    with pytest.raises(BatchInvalid) as refused:
        validate(requests_indicator, raw, now=NOW)

    assert refused.value.errors == [{"index": 3, "field": "t", "message": "the same time as sample 1"}]


def test_an_invalid_sample_does_not_hide_a_later_duplicate_of_a_valid_one(requests_indicator):
    raw = [
        {"t": "2026-03-02T09:00:00Z", "good": 1, "total": 1},
        {"t": "2026-03-02T09:00:00Z", "good": 2, "total": 1},
        {"t": "2026-03-02T09:00:00Z", "good": 1, "total": 1},
    ]

    assert problems(requests_indicator, raw) == [(1, "good"), (2, "t")]


def test_fields_of_the_other_kind_are_named_as_such(requests_indicator, probe_indicator):
    with pytest.raises(BatchInvalid) as refused:
        validate(probe_indicator, [{"t": "2026-03-02T09:00:00Z", "good": 1, "total": 1}], now=NOW)

    messages = {error["field"]: error["message"] for error in refused.value.errors}
    assert messages == {
        "good": "not a field of threshold samples",
        "total": "not a field of threshold samples",
        "value": "is required",
    }
    assert problems(requests_indicator, [{"t": "2026-03-02T09:00:00Z", "good": 1, "total": 1, "value": 1}]) == [
        (0, "value")
    ]


# Whatever the shape of a sample, the batch check agrees with the one-sample check that names every problem
# (validate_samples may take a faster path for well-formed samples; it must accept and refuse exactly the same).

_instants = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(2026, 3, 2, 12, 10))
_zoned = st.builds(
    lambda instant, offset: instant.isoformat() + offset,
    _instants,
    st.sampled_from(["Z", "+00:00", "+09:00", "-05:00", "+05:30"]),
)
_odd_times = st.one_of(
    _instants.map(dt.datetime.isoformat),  # no zone
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-02-30T00:00:00Z", "soon"]),
    st.integers(),
    st.none(),
)
_odd_numbers = st.one_of(
    st.integers(min_value=-2, max_value=2 * MAX_COUNT),
    st.sampled_from([10**400, -(10**400), 2**53 + 1, True, False, "1", None, [1]]),
    st.floats(allow_nan=True, allow_infinity=True),
)


def _mostly(usual, odd):
    """Three draws in four from ``usual`` (nested one_of would flatten and weigh every odd branch alike)."""
    return st.integers(0, 3).flatmap(lambda n: odd if n == 0 else usual)


_times = _mostly(_zoned, _odd_times)
_counts = _mostly(st.integers(0, 100), _odd_numbers)
_values = _mostly(st.one_of(st.floats(-1e6, 1e6), st.integers(-1000, 1000)), _odd_numbers)
_indicators = {
    "ratio": Indicator(kind=IndicatorKind.RATIO),
    "latency": Indicator(kind=IndicatorKind.THRESHOLD, operator=Operator.LTE, threshold=300),
    "up": Indicator(kind=IndicatorKind.THRESHOLD, operator=Operator.GTE, threshold=1),
}
_cases = st.one_of(
    st.tuples(st.just("ratio"), st.fixed_dictionaries({"t": _times, "good": _counts, "total": _counts})),
    st.tuples(st.sampled_from(["latency", "up"]), st.fixed_dictionaries({"t": _times, "value": _values})),
    st.tuples(
        st.sampled_from(sorted(_indicators)),
        st.one_of(
            st.dictionaries(st.sampled_from(["t", "good", "total", "value", "extra"]), st.one_of(_times, _counts)),
            st.sampled_from([None, 1, "x", []]),
        ),
    ),
)


@hypothesis.settings(max_examples=300)
@given(case=_cases)
def test_the_batch_check_accepts_and_refuses_exactly_what_the_sample_check_does(case):
    kind, raw = case
    indicator = _indicators[kind]
    skew = dt.timedelta(seconds=django_settings.SLM_MAX_FUTURE_SKEW_SECONDS)
    expected, expected_errors = _sample(indicator, raw, 0, NOW, skew)
    event("accepted" if expected is not None else "refused")
    try:
        outcome = validate(indicator, [raw], now=NOW)
    except BatchInvalid as refused:
        outcome = refused.errors
    assert outcome == ([expected] if expected is not None else expected_errors)


# What record_samples stores.


def test_record_samples_stores_a_batch_and_counts_new_and_duplicate_samples(requests_indicator):
    first = record_samples(requests_indicator, make_samples(T0, [(1, 1)] * 4), now=NOW)
    again = record_samples(requests_indicator, make_samples(T0 + dt.timedelta(minutes=1), [(1, 1)] * 4), now=NOW)

    assert (first.received, first.new, first.duplicates) == (4, 4, 0)
    assert (again.received, again.new, again.duplicates) == (4, 2, 2)
    assert Measurement.objects.filter(indicator=requests_indicator).count() == 6


def test_a_refused_batch_stores_nothing(requests_indicator):
    record_samples(requests_indicator, make_samples(T0, [(1, 1)]), now=NOW)
    before = stored_counts()

    with pytest.raises(BatchInvalid):
        record_samples(requests_indicator, make_samples(T0 + dt.timedelta(hours=1), [(1, 1)] * 99 + [(2, 1)]), now=NOW)

    assert stored_counts() == before


def test_storing_no_samples_changes_nothing(requests_indicator):
    assert store_samples(requests_indicator, []) == StoreResult(0, 0)
    assert stored_counts() == (0, 0, 0)


def test_batches_for_two_indicators_in_one_transaction_stay_apart(requests_indicator, probe_indicator):
    # An HTTP probe records its availability and its latency one after the other, and a caller may hold a
    # transaction around both: neither batch may leak into the other indicator.
    with transaction.atomic():
        record_samples(probe_indicator, make_values(T0, [1, 0]), now=NOW)
        record_samples(requests_indicator, make_samples(T0 + dt.timedelta(hours=1), [(3, 4)]), now=NOW)

    def rows(indicator):
        return list(Measurement.objects.filter(indicator=indicator).order_by("t").values_list("t", "good", "total"))

    assert rows(probe_indicator) == [(T0, 1, 1), (T0 + dt.timedelta(seconds=30), 0, 1)]
    assert rows(requests_indicator) == [(T0 + dt.timedelta(hours=1), 3, 4)]


def test_the_same_instants_for_two_indicators_are_both_stored(db):
    first, second = IndicatorFactory(), IndicatorFactory()
    batch = make_samples(T0, [(1, 2)] * 3)

    assert record_samples(first, batch, now=NOW).new == 3
    assert record_samples(second, batch, now=NOW).new == 3
    assert Measurement.objects.count() == 6
