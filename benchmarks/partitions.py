"""Dropping a month of raw measurements against deleting it: `python -m benchmarks.partitions [phases]` (or
`make partbench`).

Phases (default: all):
  prune    fills one month (January 2020, 44,640 minutes) of the partitioned monitoring_measurement with --rows rows
           (default 43,000,000: ~964 indicators, one sample a minute each), and the same month of a plain,
           unpartitioned copy of the table (same columns, constraints and indexes) with --delete-rows rows (default:
           as many), plus a day of February that stays; then times the steps of `prune_raw`, what
           `manage.py prune_measurements` runs (the month's partition detached and dropped whole), against DELETE of
           the month from the copy, and the VACUUM that a DELETE needs before its space can be used again
  migrate  times monitoring migration 0025 on a plain table of --migrate-rows rows (default 10,000,000) spread over
           twelve months: the rewrite into monthly partitions an existing installation goes through once

It uses its own database (PARTBENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/slm_partbench), created
and migrated on first use; the rows are made with SQL generate_series. Every phase leaves the tables empty again.
"""

import datetime as dt
import time

from benchmarks.common import argument_parser, print_header, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/slm_partbench"
MONTH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
MONTH_END = dt.datetime(2020, 2, 1, tzinfo=dt.UTC)
MINUTES = 31 * 1440
PLAIN = "bench_measurement_plain"

# Row i: indicator 1 + i / 44,640, at minute i % 44,640 of the month; one sample in a thousand is bad.
_FILL = """
INSERT INTO {table} (indicator_id, t, value, good, total)
SELECT 1 + i / {minutes}, %(start)s::timestamptz + make_interval(mins => (i %% {minutes})::int),
       CASE WHEN i %% 1000 = 0 THEN 0 ELSE 1 END, CASE WHEN i %% 1000 = 0 THEN 0 ELSE 1 END, 1
FROM generate_series(0::bigint, %(rows)s::bigint - 1) AS i
"""


def _execute(sql, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _timed(sql, params=None):
    started = time.perf_counter()
    rows = _execute(sql, params)
    return rows, time.perf_counter() - started


def _fill(table, rows, start, minutes=MINUTES):
    _execute("SET synchronous_commit = off")
    return _timed(_FILL.format(table=table, minutes=minutes), {"start": start, "rows": rows})


def _size(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s::regclass))", [table])
        return cursor.fetchone()[0]


def _empty_table():
    _execute("TRUNCATE monitoring_measurement")
    _execute(f"DROP TABLE IF EXISTS {PLAIN}")


def bench_prune(rows, delete_rows):
    from monitoring.models import Measurement
    from monitoring.partitions import detach_months_before, drop_tables, ensure_partitions, partition_name

    report = []
    _empty_table()
    ensure_partitions(ahead=0, now=MONTH)
    partition = partition_name(MONTH)
    loaded, seconds = _fill(partition, rows, MONTH)
    size = _size(partition)
    report.append(
        (f"fill the month's partition `{partition}`", f"{loaded:,} rows, {seconds:.0f} s, {size} with indexes")
    )
    # The plain copy: the same columns, check constraint and indexes as the partition (a table of its own).
    _execute(f"CREATE TABLE {PLAIN} (LIKE {partition} INCLUDING ALL)")
    loaded, seconds = _fill(PLAIN, delete_rows, MONTH)
    kept, _ = _fill(PLAIN, 1440 * (delete_rows // MINUTES), MONTH_END, minutes=1440)  # a day of February
    report.append((f"fill the plain copy `{PLAIN}`", f"{loaded:,} rows of January and {kept:,} of February, "
                   f"{seconds:.0f} s for January, {_size(PLAIN)} with its indexes"))  # fmt: skip
    for table in (partition, PLAIN):
        _execute(f"VACUUM ANALYZE {table}")
    _execute("CHECKPOINT")  # no earlier write left to flush during the timings
    # prune_raw's three steps, timed one by one: detach (the only one that locks the measurements table), drop, and
    # DELETE of the rows left before the cut (none here: the cut is the month's end).
    started = time.perf_counter()
    detached = detach_months_before(MONTH_END)
    detach_seconds = time.perf_counter() - started
    drop_tables(detached)
    drop_seconds = time.perf_counter() - started - detach_seconds
    deleted, _ = Measurement.objects.filter(t__lt=MONTH_END).delete()
    seconds = time.perf_counter() - started
    dropped = ", ".join(f"{p.name} (about {p.rows:,} rows)" for p in detached)
    report.append(("**prune** before 1 February (what `prune_measurements` runs): the month's partition dropped",
                   f"**{seconds:.2f} s** in all: detach {detach_seconds:.3f} s (the table locked), drop "
                   f"{drop_seconds:.2f} s (its files removed; nothing else waits), {deleted:,} rows left to delete; "
                   f"dropped {dropped}"))  # fmt: skip

    _execute("CHECKPOINT")
    deleted, seconds = _timed(f"DELETE FROM {PLAIN} WHERE t < %s", [MONTH_END])  # noqa: S608 - a constant
    report.append(("**DELETE** of January from the plain copy", f"**{seconds:.1f} s**: {deleted:,} rows"))
    _, seconds = _timed(f"VACUUM {PLAIN}")
    report.append(("VACUUM of the plain copy after the DELETE (its space usable again)", f"{seconds:.1f} s"))
    _empty_table()
    return report


def bench_migration(rows):
    from django.core.management import call_command
    from django.db import connection

    from monitoring.partitions import is_partitioned

    _empty_table()
    call_command("migrate", "monitoring", "0024", verbosity=0)
    if is_partitioned():
        raise SystemExit("monitoring_measurement is still partitioned after migrating back to 0024")
    month = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # twelve months of 2025, each with a twelfth of the rows
    loaded, seconds = _fill("monitoring_measurement", rows, month, minutes=365 * 1440)
    _execute("VACUUM ANALYZE monitoring_measurement")
    report = [("fill the plain table (twelve months of 2025)", f"{loaded:,} rows, {seconds:.0f} s, "
               f"{_size('monitoring_measurement')} with its indexes")]  # fmt: skip
    _execute("CHECKPOINT")
    started = time.perf_counter()
    call_command("migrate", "monitoring", "0025", verbosity=0)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT tableoid) FROM monitoring_measurement")
        count, partitions = cursor.fetchone()
    if not is_partitioned() or count != loaded:
        raise SystemExit(f"migration 0025 left {count:,} of {loaded:,} rows (partitioned: {is_partitioned()})")
    report.append(("**migration 0025** (rows moved into monthly partitions, indexes built, analysed)",
                   f"**{seconds:.0f} s**: {count:,} rows, in {partitions} monthly partitions"))  # fmt: skip
    call_command("migrate", verbosity=0)
    _empty_table()
    return report


def main(argv=None):
    parser = argument_parser("benchmarks.partitions", __doc__, "PARTBENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("phases", nargs="*", default=["prune", "migrate"])
    parser.add_argument("--rows", type=int, default=43_000_000, help="rows in the month's partition")
    parser.add_argument("--delete-rows", type=int, help="rows of the month in the plain copy (default: --rows)")
    parser.add_argument("--migrate-rows", type=int, default=10_000_000, help="rows in the plain table migrated")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    print_header("SLM Portal measurement partitions benchmark")
    if "prune" in args.phases:
        delete_rows = args.delete_rows or args.rows
        print(f"## A month of raw measurements: dropped ({args.rows:,} rows) or deleted ({delete_rows:,} rows)")
        for label, value in bench_prune(args.rows, delete_rows):
            print(f"- {label}: {value}")
        print()
    if "migrate" in args.phases:
        print(f"## Migration 0025 on {args.migrate_rows:,} rows")
        for label, value in bench_migration(args.migrate_rows):
            print(f"- {label}: {value}")


if __name__ == "__main__":
    main()
