"""The minute and hour rollups kept current on ingestion, worked by hand and checked against a recomputation.

A minute rollup counts good, total and samples. An hour rollup adds the minutes that had data (total > 0), the
minutes whose events were all good, and the sum of the minutes' good/total ratios, each ratio rounded half to even to
12 places and kept as an integer count of 10^-12 units (so 1/2 + 1/1 is 1_500_000_000_000, and sums are exact).
When a later batch adds to a minute, the hour must move from the minute's old state to its new one: that is the
subtle part.

PostgreSQL stores with one COPY and one statement, other databases with the ORM; both must leave the same rows.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from monitoring.intake.ingest import _store_portable, _store_postgresql, record_samples, validate_samples
from monitoring.models import Measurement
from tests.monitoring.factories import (
    IndicatorFactory,
    assert_hours_equal,
    at,
    hour_rollups,
    make_samples,
    minute_rollups,
    random_batches,
    rollups_from_measurements,
)

NOW = at("2026-03-02 12:00:00")
H9, H10, H11 = at("2026-03-02 09:00:00"), at("2026-03-02 10:00:00"), at("2026-03-02 11:00:00")


def minute(text):
    return at(f"2026-03-02 {text}:00")


def values(*pairs):
    """Threshold samples from ("09:00:10", 1) pairs."""
    return [{"t": f"2026-03-02T{time}Z", "value": value} for time, value in pairs]


def counts(*triples):
    """Ratio samples from ("09:00:10", good, total) triples."""
    return [{"t": f"2026-03-02T{time}Z", "good": good, "total": total} for time, good, total in triples]


def assert_matches_recomputation(indicator):
    minutes, hours = rollups_from_measurements(indicator)
    assert minute_rollups(indicator) == minutes
    assert_hours_equal(hour_rollups(indicator), hours)


# Worked by hand. Hour tuples: (good, total, samples, minutes_with_data, minutes_all_good, ratio_units).
ONE = 10**12  # a ratio of 1 in 10^-12 units


def test_a_threshold_batch_rolls_up_into_minutes_and_hours(probe_indicator, post_batch, source_token):
    # value >= 1 is good: 09:00 has 1 of 2 good, 09:01 1 of 1, 10:15 1 of 1.
    samples = values(("09:00:10", 1), ("09:00:40", 0), ("09:01:05", 1), ("10:15:00", 1))

    response = post_batch({"indicator": "checkout-up", "samples": samples}, source_token)

    assert response.status_code == 201
    assert minute_rollups(probe_indicator) == {
        minute("09:00"): (1, 2, 2),
        minute("09:01"): (1, 1, 1),
        minute("10:15"): (1, 1, 1),
    }
    assert hour_rollups(probe_indicator) == {
        H9: (2, 3, 3, 2, 1, 1_500_000_000_000),  # 1/2 + 1/1 = 1.5
        H10: (1, 1, 1, 1, 1, ONE),
    }


def test_a_later_batch_moves_each_hour_from_the_minutes_old_state_to_its_new_one(
    probe_indicator, post_batch, source_token
):
    first = values(("09:00:10", 1), ("09:00:40", 0), ("09:01:05", 1), ("10:15:00", 1))
    post_batch({"indicator": "checkout-up", "samples": first}, source_token)
    # 09:01 was all good and no longer is; 09:00 goes from 1/2 to 2/3; 09:00:10 is sent again; 11:59 is new.
    second = values(("09:01:30", 0), ("09:00:20", 1), ("09:00:10", 1), ("11:59:59.500", 0))

    response = post_batch({"indicator": "checkout-up", "samples": second}, source_token)

    assert response.json() == {"indicator": "checkout-up", "received": 4, "new": 3, "duplicates": 1}
    assert minute_rollups(probe_indicator) == {
        minute("09:00"): (2, 3, 3),
        minute("09:01"): (1, 2, 2),
        minute("10:15"): (1, 1, 1),
        minute("11:59"): (0, 1, 1),
    }
    hours = hour_rollups(probe_indicator)
    # 2/3 + 1/2: 0.666666666667 (the 13th place, 6, rounds the 12th up) + 0.5 = 1.166666666667
    assert hours[H9] == (3, 5, 5, 2, 0, 1_166_666_666_667)
    assert hours[H10] == (1, 1, 1, 1, 1, ONE)
    assert hours[H11] == (0, 1, 1, 1, 0, 0)


def test_a_minute_with_samples_but_no_events_has_no_data_until_events_arrive(requests_indicator):
    record_samples(requests_indicator, counts(("09:00:00", 0, 0), ("09:00:30", 0, 0), ("09:01:00", 3, 4)), now=NOW)

    assert minute_rollups(requests_indicator) == {minute("09:00"): (0, 0, 2), minute("09:01"): (3, 4, 1)}
    assert hour_rollups(requests_indicator) == {H9: (3, 4, 3, 1, 0, 750_000_000_000)}

    # Events arrive in 09:00, all good: the minute now has data and is all good.
    record_samples(requests_indicator, counts(("09:00:45", 5, 5)), now=NOW)
    assert minute_rollups(requests_indicator)[minute("09:00")] == (5, 5, 3)
    assert hour_rollups(requests_indicator) == {H9: (8, 9, 4, 2, 1, 1_750_000_000_000)}

    # Another empty sample counts as a sample and changes nothing else.
    record_samples(requests_indicator, counts(("09:00:50", 0, 0)), now=NOW)
    assert hour_rollups(requests_indicator) == {H9: (8, 9, 5, 2, 1, 1_750_000_000_000)}

    # One bad event: 09:00 is no longer all good and its ratio drops from 1 to 6/7.
    record_samples(requests_indicator, counts(("09:00:55", 1, 2)), now=NOW)
    assert minute_rollups(requests_indicator)[minute("09:00")] == (6, 7, 5)
    # 0.75 + 6/7: 6/7 = 0.857142857142|857... rounds up to 0.857142857143, so the sum is 1.607142857143
    assert hour_rollups(requests_indicator)[H9] == (9, 11, 6, 2, 0, 1_607_142_857_143)


def test_an_hour_of_only_empty_samples_has_samples_but_no_minutes_with_data(requests_indicator):
    record_samples(requests_indicator, counts(("09:00:00", 0, 0), ("09:30:00", 0, 0)), now=NOW)

    assert hour_rollups(requests_indicator) == {H9: (0, 0, 2, 0, 0, 0)}


def test_a_duplicate_changes_no_rollup(requests_indicator):
    record_samples(requests_indicator, counts(("09:00:00", 1, 2)), now=NOW)
    before = minute_rollups(requests_indicator), hour_rollups(requests_indicator)

    result = record_samples(requests_indicator, counts(("09:00:00", 2, 2)), now=NOW)

    assert result.new == 0
    assert (minute_rollups(requests_indicator), hour_rollups(requests_indicator)) == before


def test_minutes_and_hours_are_cut_in_utc_whatever_zone_the_samples_are_written_in(requests_indicator):
    raw = [
        {"t": "2026-03-02T18:59:59+09:00", "good": 1, "total": 1},
        {"t": "2026-03-02T19:00:00+09:00", "good": 0, "total": 1},
        {"t": "2026-03-02T05:00:00.5-05:00", "good": 1, "total": 1},
    ]

    record_samples(requests_indicator, raw, now=NOW)

    assert minute_rollups(requests_indicator) == {minute("09:59"): (1, 1, 1), minute("10:00"): (1, 2, 2)}
    assert hour_rollups(requests_indicator) == {H9: (1, 1, 1, 1, 1, ONE), H10: (1, 2, 2, 1, 0, 500_000_000_000)}


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_after_many_overlapping_batches_equal_a_recomputation_from_the_measurements(requests_indicator, seed):
    for batch in random_batches(seed, batches=3, size=800):
        record_samples(requests_indicator, batch, now=NOW)

    assert_matches_recomputation(requests_indicator)


# The PostgreSQL statement and the portable path give the same rows.


@pytest.mark.postgres
@pytest.mark.parametrize("seed", [11, 12])
def test_the_postgresql_statement_and_the_portable_path_store_identical_rows(postgresql, db, seed):
    portable, single_statement = IndicatorFactory(), IndicatorFactory()

    for batch in random_batches(seed, batches=4, size=1500):
        with transaction.atomic():
            new_portable = _store_portable(portable.pk, validate_samples(portable, batch, now=NOW))
            new_single = _store_postgresql(single_statement.pk, validate_samples(single_statement, batch, now=NOW))
        assert new_portable == new_single

    def measurements(indicator):
        return list(Measurement.objects.filter(indicator=indicator).order_by("t").values_list("t", "good", "total"))

    assert measurements(portable) == measurements(single_statement)
    assert minute_rollups(portable) == minute_rollups(single_statement)
    assert_hours_equal(hour_rollups(single_statement), hour_rollups(portable))
    assert_matches_recomputation(single_statement)


# Two writers at once on PostgreSQL.


def _overlapping_rounds(rounds, size):
    """Per round, two batches sharing half their samples (same payloads), in different orders."""
    pairs = []
    for number in range(rounds):
        start = at("2026-03-02 08:00:00") + dt.timedelta(minutes=20 * number)
        pool = make_samples(start, [(n % 3, 2) for n in range(size * 3 // 2)], step=dt.timedelta(seconds=1.7))
        first, second = pool[:size], pool[size // 2 :]
        pairs.append((first, list(reversed(second))))
    return pairs


@pytest.mark.postgres
def test_two_writers_sending_overlapping_batches_at_once_store_every_sample_once(postgresql, transactional_db):
    shared, alone = IndicatorFactory(), IndicatorFactory()
    rounds = _overlapping_rounds(rounds=6, size=1000)
    barrier = threading.Barrier(2, timeout=60)
    new_counts, failures = [], []

    def write(batches):
        try:
            for batch in batches:
                barrier.wait()
                new_counts.append(record_samples(shared, batch, now=NOW).new)
        except Exception as error:
            failures.append(error)
            barrier.abort()
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=([pair[side] for pair in rounds],)) for side in (0, 1)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)

    assert failures == []
    distinct = {sample["t"] for pair in rounds for batch in pair for sample in batch}
    assert sum(new_counts) == len(distinct) == 6 * 1500
    assert Measurement.objects.filter(indicator=shared).count() == len(distinct)
    for pair in rounds:
        for batch in pair:
            record_samples(alone, batch, now=NOW)
    assert minute_rollups(shared) == minute_rollups(alone)
    assert_hours_equal(hour_rollups(shared), hour_rollups(alone))
    assert_matches_recomputation(shared)
