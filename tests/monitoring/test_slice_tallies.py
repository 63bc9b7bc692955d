"""Slice tallies from running totals agree with counting every minute into its slice, whatever the spans."""

import datetime as dt
import random
from fractions import Fraction

import pytest

from monitoring.evaluation.tally import TallyRequest, tallies
from monitoring.intake.rollups import apply_minute_deltas, minute_number
from monitoring.slo import ratio_from_units, ratio_units
from tests.monitoring.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

FIRST_HOUR = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)
HOURS = 30


def _counts(seed):
    """{minute number: (good, total)}: minutes without data, all good, all bad and partly good, at random; and some
    hours whose minutes all count the same (kept as two numbers), or hold nothing."""
    chooser = random.Random(seed)
    counts = {}
    first = minute_number(FIRST_HOUR)
    even_hours = {hour: chooser.choice([(1, 1), (0, 1), (7, 9), None]) for hour in range(0, HOURS, 3)}
    for minute in range(first, first + HOURS * 60):
        hour = (minute - first) // 60
        if hour in even_hours:
            if even_hours[hour]:
                counts[minute] = even_hours[hour]
            continue
        kind = chooser.random()
        if kind < 0.15:
            continue  # no sample this minute
        total = chooser.randint(1, 40)
        good = total if kind < 0.7 else (0 if kind < 0.78 else chooser.randint(0, total))
        counts[minute] = (good, total)
    return counts


def _reference(counts, spans, width, target):
    """The tally counted minute by minute, each minute into slice minute // width."""
    in_scope, sums = set(), {}
    for start, end in spans:
        for minute in range(minute_number(start), minute_number(end)):
            in_scope.add(minute // width)
            good, total = counts.get(minute, (0, 0))
            bucket = sums.setdefault(minute // width, [0, 0])
            bucket[0] += good
            bucket[1] += total
    with_data = [(good, total) for good, total in sums.values() if total]
    return {
        "good": sum(good for good, _ in with_data),
        "total": sum(total for _, total in with_data),
        "slices_with_data": len(with_data),
        "good_slices": sum(1 for good, total in with_data if Fraction(good, total) >= target),
        "ratio_sum": ratio_from_units(sum(ratio_units(good, total) for good, total in with_data)),
        "slices_in_scope": len(in_scope),
    }


def _spans(chooser):
    """Two to five ordered spans, some a minute apart (so that neighbours share a slice), some far apart."""
    spans, cursor = [], FIRST_HOUR + dt.timedelta(minutes=chooser.randint(0, 90))
    for _ in range(chooser.randint(2, 5)):
        end = cursor + dt.timedelta(minutes=chooser.randint(1, 300))
        spans.append((cursor, end))
        cursor = end + dt.timedelta(minutes=chooser.choice([1, 2, 3, 45, 200]))
    last = FIRST_HOUR + dt.timedelta(hours=HOURS + 2)  # past the stored hours: no data there, still in scope
    return tuple((start, min(end, last)) for start, end in spans if start < last)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_slice_tallies_match_a_minute_by_minute_count(seed):
    indicator = IndicatorFactory()
    counts = _counts(seed)
    apply_minute_deltas(indicator.pk, [(minute, good, total, 1) for minute, (good, total) in counts.items()])
    chooser = random.Random(seed * 7919)
    requests = []
    for number in range(24):
        width = chooser.choice([1, 2, 5, 7, 15, 60, 90])
        target = chooser.choice([Fraction(9, 10), Fraction(199, 200), Fraction(1)])
        if width == 1 and target == 1:
            target = Fraction(3, 4)  # the slice path, not the hour rollups' shortcut
        requests.append(TallyRequest(number, indicator.pk, _spans(chooser), width, target))

    measured = tallies(requests)

    for request in requests:
        expected = _reference(counts, request.spans, request.slice_minutes, request.slice_target)
        got = measured[request.key]
        assert {field: getattr(got, field) for field in expected} == expected, request
    assert any(measured[request.key].slices_with_data for request in requests)


def test_a_slice_shared_by_two_spans_counts_once_with_the_minutes_of_both():
    indicator = IndicatorFactory()
    base = minute_number(FIRST_HOUR)
    # Minutes 0-9 of the hour: 0-4 all bad, 5-9 all good, one event each.
    apply_minute_deltas(indicator.pk, [(base + m, int(m >= 5), 1, 1) for m in range(10)])
    spans = (
        (FIRST_HOUR, FIRST_HOUR + dt.timedelta(minutes=3)),  # minutes 0-2 of slice 0
        (FIRST_HOUR + dt.timedelta(minutes=8), FIRST_HOUR + dt.timedelta(minutes=10)),  # minutes 8-9 of slice 0
    )
    request = TallyRequest("k", indicator.pk, spans, slice_minutes=10, slice_target=Fraction(1, 2))

    tally = tallies([request])["k"]

    # One slice in scope, with 2 good of 5 events: below the half that makes it good.
    assert (tally.slices_in_scope, tally.slices_with_data, tally.good_slices) == (1, 1, 0)
    assert (tally.good, tally.total) == (2, 5)
