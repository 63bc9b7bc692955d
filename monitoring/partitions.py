"""Monthly partitions of the raw measurements on PostgreSQL (docs/decisions/0011-measurement-partitions.md).

Since monitoring migration 0025, monitoring_measurement on PostgreSQL is partitioned by range of ``t``: one partition
per calendar month in UTC, named ``monitoring_measurement_y2026m11``, and a DEFAULT partition for any row no month
covers, so an insert never fails. Beat runs ``ensure_partitions`` daily to make the months ahead
(SLM_MEASUREMENT_PARTITIONS_AHEAD); ``prune_raw`` (manage.py prune_measurements) drops whole months before a cut-off
and deletes only the rows of the month it cuts through and of the DEFAULT partition.

SQLite keeps a plain table: there is nothing to list or make, and ``prune_raw`` deletes the old rows as it always
has. Partition DDL waits at most LOCK_TIMEOUT for the table's lock (a long report holding it must not queue every
write behind the DDL); a run that times out fails and the next day's run makes the months then.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import Measurement

TABLE = "monitoring_measurement"
DEFAULT_PARTITION = f"{TABLE}_default"
COLUMNS = "indicator_id, t, value, good, total"
LOCK_TIMEOUT = "5s"
# Partitions smaller than this are counted exactly (a few milliseconds); larger ones take PostgreSQL's estimate.
COUNT_BELOW_BYTES = 16 * 2**20
_BOUNDS = re.compile(r"FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class Partition:
    """One partition: its range [start, end) in UTC (None for DEFAULT) and its rows (estimated when large; None
    when not asked for)."""

    name: str
    start: dt.datetime | None
    end: dt.datetime | None
    rows: int | None = None

    @property
    def is_default(self):
        return self.start is None and self.end is None

    @property
    def label(self):
        """2026-11 for a month's partition, "default" for the DEFAULT one, else its name."""
        if self.is_default:
            return "default"
        if self.start and self.end == add_months(self.start, 1) and self.start == month_start(self.start):
            return f"{self.start:%Y-%m}"
        return self.name


@dataclass
class Pruned:
    """What ``prune_raw`` did: the partitions dropped whole (with their rows as estimated before) and the rows
    deleted one by one."""

    cutoff: dt.datetime
    dropped: list = field(default_factory=list)
    deleted: int = 0

    @property
    def dropped_rows(self):
        return sum(partition.rows for partition in self.dropped)


def month_start(instant):
    """The first instant of ``instant``'s calendar month in UTC."""
    instant = instant.astimezone(dt.UTC)
    return dt.datetime(instant.year, instant.month, 1, tzinfo=dt.UTC)


def add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=dt.UTC)


def partition_name(month):
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def _literal(instant):
    return f"'{instant.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00'"


def is_partitioned():
    """Whether the measurements table is a partitioned one (PostgreSQL after migration 0025)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def _bounds(expression):
    if expression == "DEFAULT":
        return None, None
    match = _BOUNDS.fullmatch(expression)
    if match is None:  # MINVALUE or MAXVALUE: not a partition this module made; never dropped whole
        return dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)
    start, end = (dt.datetime.fromisoformat(bound) for bound in match.groups())
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _rows(cursor, name):
    """A partition's rows: counted when it is small or has never been analysed (autovacuum analyses a table soon
    after its first rows), else PostgreSQL's estimate scaled to its size now, as the planner does."""
    cursor.execute(
        "SELECT reltuples, relpages, pg_relation_size(oid) FROM pg_class WHERE oid = %s::regclass",
        [connection.ops.quote_name(name)],
    )
    reltuples, relpages, size = cursor.fetchone()
    if size < COUNT_BELOW_BYTES or reltuples < 0 or relpages == 0:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 - a partition's name
        return cursor.fetchone()[0]
    return round(reltuples / relpages * (size / 8192))


def list_partitions(rows=True):
    """The partitions in time order, DEFAULT last; with ``rows``, each one's row count or estimate.

    Empty on SQLite (and on a PostgreSQL table that is not partitioned)."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        partitions = [
            Partition(name, *_bounds(expression), _rows(cursor, name) if rows else None)
            for name, expression in cursor.fetchall()
        ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(partitions, key=lambda partition: (partition.start or far, partition.name))


def _lock(cursor):
    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")


def _covered(partitions, month):
    end = add_months(month, 1)
    return any(p.start is not None and p.start < end and p.end > month for p in partitions)


def _create_month(cursor, month, has_default):
    """Make ``month``'s partition; rows of that month waiting in the DEFAULT partition move into it. Returns how
    many moved."""
    name, start, end = partition_name(month), _literal(month), _literal(add_months(month, 1))
    waiting = 0
    if has_default:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE t >= {start} AND t < {end}")  # noqa: S608
        (waiting,) = cursor.fetchone()
    if not waiting:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ({start}) TO ({end})")
        return 0
    # PostgreSQL refuses a new partition while the DEFAULT one holds rows of its range: fill a table of the same
    # shape with them, then attach it (its indexes are made on attaching).
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE t >= {start} AND t < {end} RETURNING {COLUMNS}) "  # noqa: S608
        f"INSERT INTO {name} ({COLUMNS}) SELECT {COLUMNS} FROM moved"
    )
    moved = cursor.rowcount
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({start}) TO ({end})")
    return moved


@dataclass(frozen=True)
class Ensured:
    created: list
    moved: int


def ensure_partitions(ahead=None, now=None):
    """Make the partitions of the current month (UTC) and of ``ahead`` months after it (default
    SLM_MEASUREMENT_PARTITIONS_AHEAD) that are missing; a second run makes nothing. Rows of a new month found in the
    DEFAULT partition move into it. Returns the names made and the rows moved."""
    ahead = settings.SLM_MEASUREMENT_PARTITIONS_AHEAD if ahead is None else ahead
    first = month_start(now or timezone.now())
    months = [add_months(first, count) for count in range(ahead + 1)]
    if not is_partitioned() or all(_covered(list_partitions(rows=False), month) for month in months):
        return Ensured([], 0)  # nothing to make: no lock taken
    created, moved = [], 0
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        existing = list_partitions(rows=False)  # again under the lock: another run may have made them meanwhile
        has_default = any(partition.is_default for partition in existing)
        for month in months:
            if not _covered(existing, month):
                moved += _create_month(cursor, month, has_default)
                created.append(partition_name(month))
    return Ensured(created, moved)


def missing_months(now=None, ahead=1):
    """Labels (2026-12) of the current month and the ``ahead`` next ones that have no partition; empty where the
    table is not partitioned."""
    if not is_partitioned():
        return []
    partitions = list_partitions(rows=False)
    first = month_start(now or timezone.now())
    months = [add_months(first, count) for count in range(ahead + 1)]
    return [f"{month:%Y-%m}" for month in months if not _covered(partitions, month)]


def detach_months_before(cutoff):
    """Detach every partition that lies wholly before ``cutoff`` (the DEFAULT one never): a catalogue change under the
    table's lock, held for milliseconds. Returns them, with their rows as counted or estimated just before."""
    if not is_partitioned():
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        detached = [
            Partition(p.name, p.start, p.end, _rows(cursor, p.name))
            for p in list_partitions(rows=False)
            if not p.is_default and p.end <= cutoff
        ]
        for partition in detached:
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {connection.ops.quote_name(partition.name)}")
    return detached


def drop_tables(partitions):
    """Drop detached partitions, each in a transaction of its own that locks only that table: removing a big
    month's files takes a moment on some disks, and writers to the measurements do not wait for it."""
    for partition in partitions:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(partition.name)}")


_MONTH_NAME = re.compile(rf"{TABLE}_y(\d{{4}})m(\d{{2}})")


def detached_months_before(cutoff):
    """Month tables of the measurements that are no longer attached and end by ``cutoff``: left behind by a prune that
    stopped between detaching them and dropping them. Returns them with their rows."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = to_regnamespace('public') "
            "AND c.relname LIKE %s AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)",
            [f"{TABLE}_y%"],
        )
        left = []
        for (name,) in cursor.fetchall():
            match = _MONTH_NAME.fullmatch(name)
            if match is None:
                continue
            start = dt.datetime(int(match[1]), int(match[2]), 1, tzinfo=dt.UTC)
            if add_months(start, 1) <= cutoff:
                left.append(Partition(name, start, add_months(start, 1), _rows(cursor, name)))
    return sorted(left, key=lambda partition: partition.start)


def drop_months_before(cutoff):
    """Detach and drop every partition that lies wholly before ``cutoff``, and any month an interrupted prune left
    detached; returns them with their rows."""
    dropped = detached_months_before(cutoff) + detach_months_before(cutoff)
    drop_tables(dropped)
    return dropped


def prune_raw(cutoff):
    """Remove the raw measurements before ``cutoff``; the hour rollups stay. On a partitioned table the months wholly
    before it are dropped (one short lock, whatever their size), then the rows left before it — of the month it cuts
    through and of the DEFAULT partition — are deleted; elsewhere every old row is deleted."""
    dropped = drop_months_before(cutoff)
    deleted, _ = Measurement.objects.filter(t__lt=cutoff).delete()
    return Pruned(cutoff, dropped, deleted)
