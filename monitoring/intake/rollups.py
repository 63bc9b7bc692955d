"""Hour rollups: per indicator and hour, the good and total counts of each of its 60 minutes, and what evaluation
needs of them (good, total, minutes with data, minutes whose events were all good, the sum of minute ratios, each
ratio an integer count of 10^-12 units so that every sum of them is exact).

Ingestion hands over, for the samples a batch really added, their per-minute counts (``apply_minute_deltas``);
this module merges them into the hour rows and recomputes each touched hour's figures from its minutes. The same
code serves PostgreSQL and SQLite. ``rebuild_rollups`` recomputes an indicator's rows from its raw measurements.
"""

import datetime as dt
from operator import eq

import orjson
from django.db import connection, transaction
from django.db.models import Min

from monitoring.choices import Operator
from monitoring.models import HourRollup, Measurement
from monitoring.slo import RATIO_UNIT, ratio_units

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
HOUR_FIELDS = [
    "good",
    "total",
    "samples",
    "minutes_with_data",
    "minutes_all_good",
    "ratio_units",
    "minute_good",
    "minute_total",
    "minute_samples",
]
# Batches of one indicator are merged one at a time (on PostgreSQL; SQLite serialises all writers anyway).
LOCK_NAMESPACE = 20261127


def minute_number(instant):
    """Minutes since 1970 of an aware datetime (the unit the deltas are keyed by)."""
    return (instant - EPOCH) // dt.timedelta(minutes=1)


def lock_indicator(indicator_id):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, indicator_id])


def _encode(counts):
    """A minute list as JSON text, without spaces: ``[0,1,2]`` (orjson writes what json.dumps with separators
    (",", ":") writes, faster)."""
    return orjson.dumps(counts).decode()


def decode(text):
    """A stored minute list (JSON text) as a list of ints; an empty one for rows written before any sample."""
    return orjson.loads(text) if text else []


def _hour_row(hour_number, good, total, samples):
    """An hour's figures from its minutes' counts (lists of 60): every figure is recomputed, none carried over."""
    # Counted in C: a minute without events has good == total == 0, so the minutes whose events were all good are
    # those where good == total, less the empty ones; each adds exactly one unit.
    empty = total.count(0)
    with_data, all_good = len(total) - empty, sum(map(eq, good, total)) - empty
    units = all_good * RATIO_UNIT
    if all_good + good.count(0) - empty < with_data:  # minutes partly good: their ratios one by one
        units += sum(ratio_units(g, t) for g, t in zip(good, total, strict=True) if t and g and g != t)
    return (
        EPOCH + dt.timedelta(hours=hour_number),
        sum(good),
        sum(total),
        sum(samples),
        with_data,
        all_good,
        units,
        _encode(good),
        _encode(total),
        _encode(samples),
    )


_HOUR_COLUMNS = "hour, good, total, samples, minutes_with_data, minutes_all_good, ratio_units, " + (
    "minute_good, minute_total, minute_samples"
)
_HOUR_UPSERT = (
    "INSERT INTO monitoring_hourrollup (indicator_id, {columns}) {source} "
    "ON CONFLICT (indicator_id, hour) DO UPDATE SET " + ", ".join(f"{name} = excluded.{name}" for name in HOUR_FIELDS)
)
# PostgreSQL: the rows as one array a column, unnested by the upsert itself (one statement, no temporary table).
_HOUR_ARRAYS = (
    "SELECT %s, u.* FROM unnest(%s::timestamptz[], %s::bigint[], %s::bigint[], %s::bigint[], %s::int[], %s::int[], "
    "%s::bigint[], %s::text[], %s::text[], %s::text[]) AS u({columns}) ORDER BY u.hour"
)


def _array(values):
    """A PostgreSQL array literal of the values (numbers, datetimes, minute lists: text of digits, commas and
    brackets, never a quote or a backslash), each quoted: one parameter for psycopg to quote, not one a value."""
    return "{" + ",".join([f'"{value}"' for value in values]) + "}"


def _write_hours(indicator_id, rows):
    """Upsert the hour rows: one statement."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _HOUR_UPSERT.format(columns=_HOUR_COLUMNS, source=_HOUR_ARRAYS.format(columns=_HOUR_COLUMNS)),
                [indicator_id, *(_array(column) for column in zip(*rows, strict=True))],
            )
        else:
            adapt = connection.ops.adapt_datetimefield_value
            source = "VALUES (" + ", ".join(["%s"] * 11) + ")"
            cursor.executemany(
                _HOUR_UPSERT.format(columns=_HOUR_COLUMNS, source=source),
                [(indicator_id, adapt(row[0]), *row[1:]) for row in rows],
            )


def _stored_minutes(indicator_id, hours):
    """{hour number: (good, total, samples) minute lists} of the indicator's stored hours among ``hours``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT hour, minute_good, minute_total, minute_samples FROM monitoring_hourrollup "
                "WHERE indicator_id = %s AND hour = ANY(%s::timestamptz[])",
                [indicator_id, _array(hours)],
            )
            stored = cursor.fetchall()
    else:
        stored = HourRollup.objects.filter(indicator_id=indicator_id, hour__in=hours).values_list(
            "hour", "minute_good", "minute_total", "minute_samples"
        )
    return {
        minute_number(hour) // 60: (decode(good), decode(total), decode(samples))
        for hour, good, total, samples in stored
    }


def apply_minute_deltas(indicator_id, deltas):
    """Add ``deltas`` — (minute number, good, total, samples) — to the indicator's hour rollups.

    Call inside the transaction that stored the samples, after ``lock_indicator``.
    """
    numbers = sorted({minute // 60 for minute, _good, _total, _samples in deltas})
    if not numbers:
        return 0
    existing = _stored_minutes(indicator_id, [EPOCH + dt.timedelta(hours=number) for number in numbers])
    lists = {number: existing.get(number) or ([0] * 60, [0] * 60, [0] * 60) for number in numbers}
    for minute, minute_good, minute_total, minute_samples in deltas:
        good, total, samples = lists[minute // 60]
        index = minute % 60
        good[index] += minute_good
        total[index] += minute_total
        samples[index] += minute_samples
    _write_hours(indicator_id, [_hour_row(number, *lists[number]) for number in numbers])
    return len(numbers)


SQL_OPERATORS = {Operator.LT: "<", Operator.LTE: "<=", Operator.GT: ">", Operator.GTE: ">=", Operator.EQ: "="}
_MINUTES_SQL = {
    "postgresql": "SELECT floor(extract(epoch FROM t) / 60)::bigint, sum(good)::bigint, sum(total)::bigint, count(*) "
    "FROM monitoring_measurement WHERE indicator_id = %s GROUP BY 1",
    "sqlite": "SELECT CAST(strftime('%%s', t) AS INTEGER) / 60, sum(good), sum(total), count(*) "
    "FROM monitoring_measurement WHERE indicator_id = %s GROUP BY 1",
}


def rebuild_rollups(indicator, rejudge=True):
    """Recompute ``indicator``'s hour rollups from its raw measurements; returns the hour from which they were
    recomputed (None when there are no raw rows left: nothing is changed).

    With ``rejudge``, threshold samples are first judged again against the indicator's current operator and
    threshold: run this after changing them (`manage.py rebuild_rollups`). Hours before the first raw row kept are
    left as they are: their raw rows were pruned (``prune_measurements`` cuts on whole hours), so only their rollups
    still hold what was measured.
    """
    with transaction.atomic():
        lock_indicator(indicator.pk)
        first = Measurement.objects.filter(indicator=indicator).aggregate(first=Min("t"))["first"]
        if first is None:
            return None
        if rejudge and indicator.sli_kind.judged:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE monitoring_measurement SET good = CASE WHEN value {SQL_OPERATORS[indicator.operator]} %s "  # noqa: S608 - operator from a fixed table
                    "THEN 1 ELSE 0 END, total = 1 WHERE indicator_id = %s",
                    [indicator.threshold, indicator.pk],
                )
        since = first.replace(minute=0, second=0, microsecond=0)
        HourRollup.objects.filter(indicator=indicator, hour__gte=since).delete()
        with connection.cursor() as cursor:
            cursor.execute(_MINUTES_SQL[connection.vendor], [indicator.pk])
            apply_minute_deltas(indicator.pk, cursor.fetchall())
        return since


def minute_counts(indicator_id, start, end):
    """{minute start: (good, total, samples)} of the minutes in [start, end) that had samples."""
    return minute_counts_of([indicator_id], start, end).get(indicator_id, {})


def minute_counts_of(indicator_ids, start, end):
    """{indicator id: {minute start: (good, total, samples)}} of the minutes in [start, end) that had samples, for
    several indicators in one query."""
    first, last = minute_number(start), minute_number(end)
    counts = {}
    rows = HourRollup.objects.filter(
        indicator_id__in=list(indicator_ids),
        hour__gte=EPOCH + dt.timedelta(hours=first // 60),
        hour__lt=end,
    ).values_list("indicator_id", "hour", "minute_good", "minute_total", "minute_samples")
    for indicator_id, hour, good, total, samples in rows:
        good, total, samples = decode(good), decode(total), decode(samples)
        base = minute_number(hour)
        minutes = counts.setdefault(indicator_id, {})
        for index in range(60):
            if first <= base + index < last and samples[index]:
                minutes[EPOCH + dt.timedelta(minutes=base + index)] = (good[index], total[index], samples[index])
    return counts
