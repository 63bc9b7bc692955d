"""Raw measurements partitioned by month on PostgreSQL (docs/decisions/0011-measurement-partitions.md).

Forwards, monitoring_measurement becomes a table PARTITIONED BY RANGE (t): one partition per calendar month in UTC
(monitoring_measurement_y2026m11 holds [2026-11-01 00:00 UTC, 2026-12-01 00:00 UTC)) from the month of the oldest
row (at most ten years back) to three months ahead, and a DEFAULT partition (monitoring_measurement_default) for any
row no month covers, so that an insert never fails. The existing rows are moved in with one INSERT ... SELECT under
an exclusive lock, inside the migration's transaction, and counted: the migration stops (and changes nothing) if the
new table does not hold exactly as many rows as the old one. The constraints, indexes and grants keep their names
and definitions. Backwards, a plain table is put back the same way, every row with it.

SQLite keeps its plain table, and Django's model state does not change. The helpers are a frozen copy of what this
needs: monitoring/partitions.py may change later, this migration must not.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

TABLE = "monitoring_measurement"
DEFAULT = "monitoring_measurement_default"
COLUMNS = "indicator_id, t, value, good, total"
MONTHS_AHEAD = 3
# Rows older than this many months before now go to the DEFAULT partition instead of a partition for each month
# back to them: one stray sample from 1970 must not make 600 empty partitions.
MONTHS_BACK = 120


def _month(instant):
    instant = instant.astimezone(dt.UTC)
    return dt.datetime(instant.year, instant.month, 1, tzinfo=dt.UTC)


def _add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=dt.UTC)


def _literal(instant):
    return f"'{instant:%Y-%m-%d %H:%M:%S}+00'"


def _relkind(cursor):
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
    return cursor.fetchone()[0]


def _definitions(cursor):
    """The table's constraints and its other indexes (name, definition), and its grants (SQL to give them again)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('p', 'u', 'c', 'x') ORDER BY contype DESC, conname",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid) "
        "ORDER BY c.relname",
        [TABLE],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT a.privilege_type, a.grantee, a.is_grantable FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner ORDER BY 2, 1",
        [TABLE],
    )
    grants = []
    for privilege, grantee, grantable in cursor.fetchall():
        if grantee == 0:
            role = "PUBLIC"
        else:
            cursor.execute("SELECT quote_ident(rolname) FROM pg_roles WHERE oid = %s", [grantee])
            role = cursor.fetchone()[0]
        grants.append(f"GRANT {privilege} ON {TABLE} TO {role}" + (" WITH GRANT OPTION" if grantable else ""))
    return constraints, indexes, grants


def _rebuild(cursor, new_table, partition_by, fill):
    """Replace the table with ``new_table`` (partitioned or not), every row copied: the shared steps both ways."""
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    constraints, indexes, grants = _definitions(cursor)
    cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 - constant
    (before,) = cursor.fetchone()
    cursor.execute(
        f"CREATE TABLE {new_table} (LIKE {TABLE} INCLUDING ALL EXCLUDING INDEXES EXCLUDING CONSTRAINTS) {partition_by}"
    )
    fill(cursor)
    # Constraints and indexes are added once the rows are in (one sorted build rather than a row at a time); on a
    # partitioned table each is made on every partition too.
    cursor.execute(f"INSERT INTO {new_table} ({COLUMNS}) SELECT {COLUMNS} FROM {TABLE}")  # noqa: S608 - constants
    copied = cursor.rowcount
    if copied != before:
        raise RuntimeError(f"{TABLE}: {before} rows, but {copied} copied; nothing was changed")
    cursor.execute(f"DROP TABLE {TABLE}")
    cursor.execute(f"ALTER TABLE {new_table} RENAME TO {TABLE}")
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for statement in [*indexes, *grants]:
        cursor.execute(statement)
    cursor.execute(f"ANALYZE {TABLE}")


def partition_by_month(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _relkind(cursor) == "p":
            return
        now = _month(timezone.now())
        floor, last = _add_months(now, -MONTHS_BACK), _add_months(now, MONTHS_AHEAD)
        cursor.execute(
            f"SELECT min(t) FROM {TABLE} WHERE t >= %s AND t < %s",  # noqa: S608 - constant
            [floor, _add_months(last, 1)],
        )
        (oldest,) = cursor.fetchone()
        first = min(_month(oldest), now) if oldest else now

        def partitions(cursor):
            month = first
            while month <= last:
                cursor.execute(
                    f"CREATE TABLE {TABLE}_y{month.year:04d}m{month.month:02d} PARTITION OF {TABLE}_partitioned "
                    f"FOR VALUES FROM ({_literal(month)}) TO ({_literal(_add_months(month, 1))})"
                )
                month = _add_months(month, 1)
            cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE}_partitioned DEFAULT")

        _rebuild(cursor, f"{TABLE}_partitioned", "PARTITION BY RANGE (t)", partitions)


def back_to_a_plain_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _relkind(cursor) != "p":
            return
        _rebuild(cursor, f"{TABLE}_plain", "", lambda cursor: None)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0024_api_token_scope_and_expiry")]

    operations = [migrations.RunPython(partition_by_month, back_to_a_plain_table)]
