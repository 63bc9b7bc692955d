"""On PostgreSQL, the whole-hour sums of an evaluation come from the covering index of the hour rollups (monitoring
migration 0027), by an index-only scan that never reads the rows' minute lists."""

import datetime as dt

import pytest
from django.db import connection

from monitoring.evaluation.parts import parts_table
from monitoring.evaluation.tally import _HOUR_SQL, TallyRequest, tallies
from monitoring.intake.rollups import apply_minute_deltas, minute_number
from tests.monitoring.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def test_the_index_holds_the_five_figures_summed(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'monitoring_hourrollup_sums'")
        (definition,) = cursor.fetchone()
    assert "(indicator_id, hour) INCLUDE (good, total, minutes_with_data, minutes_all_good, ratio_units)" in definition


@pytest.mark.django_db(transaction=True)
def test_whole_hours_are_summed_by_an_index_only_scan(postgresql):
    indicator = IndicatorFactory()
    first = minute_number(START)
    apply_minute_deltas(indicator.pk, [(first + m, 9, 10, 1) for m in range(0, 48 * 60, 7)])
    table, params = parts_table(
        ["k", "ind", "lo:instant", "hi:instant"], [(0, indicator.pk, START, START + dt.timedelta(days=2))]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE monitoring_hourrollup")  # the visibility map an index-only scan relies on
        cursor.execute("SET enable_seqscan = off")  # a two-day table is small enough to be scanned whole
        try:
            cursor.execute("EXPLAIN " + _HOUR_SQL.format(parts=table), params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "Index Only Scan using monitoring_hourrollup_sums" in plan


def test_the_sums_read_through_the_parts_table_match_the_minutes_stored():
    """Both ways of passing the parts: arrays on PostgreSQL, a VALUES list on SQLite."""
    indicator = IndicatorFactory()
    first = minute_number(START)
    apply_minute_deltas(indicator.pk, [(first + m, m % 3, 2, 1) for m in range(5 * 60)])  # 0, 1 or 2 good of 2
    span = (START + dt.timedelta(minutes=17), START + dt.timedelta(hours=4, minutes=41))  # edges and whole hours

    tally = tallies([TallyRequest("k", indicator.pk, (span,))])["k"]

    minutes = range(17, 4 * 60 + 41)
    assert tally.total == 2 * len(minutes)
    assert tally.good == sum(m % 3 for m in minutes)
    assert tally.good_slices == sum(1 for m in minutes if m % 3 == 2)
    assert tally.slices_with_data == len(minutes)
