"""Migration monitoring 0025: on PostgreSQL the raw measurements become a table partitioned by month.

Run on a populated database: back to 0024 (a plain table), rows across several months, at a month's first and last
instant, ten-plus years back and ahead; forwards, every row is there and in its month's partition (or the default
one), with the same constraints and indexes; backwards, a plain table with every row again. On SQLite the table stays
a plain one.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from monitoring.partitions import (
    Ensured,
    add_months,
    ensure_partitions,
    is_partitioned,
    list_partitions,
    month_start,
    partition_name,
)
from monitoring.tasks import ensure_measurement_partitions
from slm_portal.health import check_partitions

BEFORE = [("monitoring", "0024_api_token_scope_and_expiry")]
AFTER = [("monitoring", "0025_measurements_partitioned_by_month")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _rows():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indicator_id, t, value, good, total, tableoid::regclass::text FROM monitoring_measurement "
            "ORDER BY indicator_id, t"
        )
        return cursor.fetchall()


def _relkind():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = 'monitoring_measurement'::regclass")
        return cursor.fetchone()[0]


def _shape():
    """The table's constraints and indexes, as PostgreSQL writes them (``ON ONLY`` is how it writes a partitioned
    table's index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'monitoring_measurement'::regclass"
        )
        constraints = set(cursor.fetchall())
        cursor.execute(
            "SELECT replace(pg_get_indexdef(indexrelid), ' ON ONLY ', ' ON ') FROM pg_index "
            "WHERE indrelid = 'monitoring_measurement'::regclass"
        )
        indexes = {row[0] for row in cursor.fetchall()}
    return constraints, indexes


def _insert(rows):
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO monitoring_measurement (indicator_id, t, value, good, total) VALUES (%s, %s, %s, %s, %s)",
            rows,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_row_into_its_month_and_back(postgresql):
    this_month = month_start(timezone.now())
    first = add_months(this_month, -3)
    far_past = this_month - dt.timedelta(days=366 * 12)  # beyond the ten years that get a partition each
    far_future = this_month + dt.timedelta(days=366 * 12)
    _migrate(BEFORE)
    try:
        assert _relkind() == "r"
        shape = _shape()
        rows = [
            (1, first, 1.0, 1, 1),  # the first instant of the oldest month
            (1, add_months(first, 1) - dt.timedelta(microseconds=1), 0.0, 0, 1),  # the last instant of that month
            (1, add_months(first, 1), None, 7, 9),
            (2, add_months(first, 2) + dt.timedelta(days=14, hours=3), 250.5, 1, 1),
            (2, this_month + dt.timedelta(minutes=5), 1.0, 1, 1),
            (2, far_past, 1.0, 1, 1),
            (3, far_future, 1.0, 1, 1),
        ]
        _insert(rows)
        before = [row[:5] for row in _rows()]
        assert len(before) == 7

        _migrate(AFTER)

        assert _relkind() == "p"
        after = _rows()
        assert [row[:5] for row in after] == before  # every row, unchanged
        home = {row[1]: row[5] for row in after}
        assert home[first] == home[add_months(first, 1) - dt.timedelta(microseconds=1)] == partition_name(first)
        assert home[add_months(first, 1)] == partition_name(add_months(first, 1))
        assert home[add_months(first, 2) + dt.timedelta(days=14, hours=3)] == partition_name(add_months(first, 2))
        assert home[this_month + dt.timedelta(minutes=5)] == partition_name(this_month)
        assert home[far_past] == home[far_future] == "monitoring_measurement_default"
        # A partition per month from the oldest row's to three months ahead, and the default one.
        partitions = list_partitions()
        assert [p.label for p in partitions] == [f"{add_months(first, n):%Y-%m}" for n in range(7)] + ["default"]
        assert [p.rows for p in partitions] == [2, 1, 1, 1, 0, 0, 0, 2]
        assert _shape() == shape  # the same constraints and indexes, by name and definition
        with pytest.raises(IntegrityError, match="measurement_counts_valid"):
            _insert([(4, this_month, None, 2, 1)])  # the check constraint holds on every partition

        _migrate(BEFORE)

        assert _relkind() == "r"
        assert [row[:5] for row in _rows()] == before
        assert {row[5] for row in _rows()} == {"monitoring_measurement"}
        assert _shape() == shape
    finally:
        _migrate(_leaves())
    assert is_partitioned()


@pytest.mark.django_db
def test_sqlite_keeps_a_plain_table():
    if connection.vendor == "postgresql":
        assert is_partitioned()
        assert "default" in [partition.label for partition in list_partitions()]
        return
    assert not is_partitioned()
    assert list_partitions() == []
    assert ensure_partitions(ahead=3) == Ensured([], 0)
    assert ensure_measurement_partitions.apply().get() == []
    assert check_partitions() == {"ok": True, "partitioned": False}
