"""Ingestion: validate a batch of samples for one indicator, all or nothing, and store the new ones with rollups.

Every way in (the API, CSV uploads, HTTP probes, the demo data) goes through ``validate_samples`` and
``store_samples``. Storing is idempotent on (indicator, t): a sample sent again is counted as a duplicate and
changes nothing. On PostgreSQL a batch none of whose samples is stored yet is written with one binary COPY into the
table; one that overlaps stored samples goes through a temporary table and one statement that inserts the new rows
and returns their per-minute counts; other databases take a portable path with the same result. Either way the
counts of exactly the new samples are merged into the hour rollups (``rollups``).
"""

import contextlib
import datetime as dt
import gc
import struct
from collections import Counter
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, floordiv, itemgetter, sub

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.intake.rollups import EPOCH, apply_minute_deltas, lock_indicator
from monitoring.intake.samples import Sample, problem
from monitoring.models import Measurement

MAX_BATCH = 10_000


@dataclass(frozen=True)
class StoreResult:
    received: int
    new: int

    @property
    def duplicates(self):
        return self.received - self.new


@contextlib.contextmanager
def cycle_collection_paused():
    """Python's cycle collector paused while a batch is read and stored. A batch of 10,000 samples makes some 30,000
    dicts and tuples (the parsed JSON, the samples): enough to set off a full collection every few batches, each
    walking every object of the process (some 90 ms in a web worker, more than storing the batch). The batch makes
    no reference cycles, so reference counting frees it all the same; the collector runs again afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class BatchInvalid(Exception):
    """The batch was refused; ``errors`` lists every problem with the sample's index (None for the batch)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s) in the batch")
        self.errors = errors


def _parse_time(raw, index, now, skew):
    if not isinstance(raw, str):
        return None, problem(index, "t", "must be an ISO-8601 timestamp string")
    try:
        instant = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None, problem(index, "t", f"{raw!r} is not an ISO-8601 timestamp")
    if instant.tzinfo is None or instant.utcoffset() is None:
        return None, problem(index, "t", f"{raw!r} has no time zone; add Z or an offset such as +09:00")
    try:
        instant = instant.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first instant a datetime holds
        return None, problem(index, "t", f"{raw!r} is out of range")
    if instant > now + skew:
        return None, problem(index, "t", f"{raw!r} is in the future")
    return instant, None


def _sample(indicator, raw, index, now, skew):
    """One validated Sample, or a list of errors for this index."""
    if not isinstance(raw, dict):
        return None, [problem(index, None, "each sample must be an object")]
    kind = indicator.sli_kind
    allowed = {"t", *kind.fields}
    errors = [problem(index, key, f"not a field of {kind.value} samples") for key in sorted(set(raw) - allowed)]
    errors += [problem(index, key, "is required") for key in sorted(allowed - set(raw))]
    if errors:
        return None, errors
    instant, time_problem = _parse_time(raw["t"], index, now, skew)
    value, good, total, errors = kind.read(indicator, raw, index)
    if time_problem:
        errors = [time_problem, *errors]
    if errors:
        return None, errors
    return Sample(instant, value, good, total), []


def validate_samples(indicator, samples, *, now=None, max_batch=MAX_BATCH, describe=None):
    """Check a whole batch; returns the Samples or raises BatchInvalid with every problem found.

    ``describe(index)`` names a sample in messages (default "sample <index>"; CSV files say "line <n>").
    """
    describe = describe or (lambda index: f"sample {index}")
    now = now or timezone.now()
    skew = dt.timedelta(seconds=settings.SLM_MAX_FUTURE_SKEW_SECONDS)
    if not indicator.sli_kind.pushed:
        raise BatchInvalid([problem(None, "samples", f"{indicator.code} is counted from tickets and takes no samples")])
    if not isinstance(samples, list):
        raise BatchInvalid([problem(None, "samples", "must be a list")])
    if not samples:
        raise BatchInvalid([problem(None, "samples", "must not be empty")])
    if len(samples) > max_batch:
        raise BatchInvalid([problem(None, "samples", f"{len(samples)} samples; at most {max_batch} in one batch")])
    # The usual batch (every sample well formed, no time repeated) in one loop; any other sample by sample.
    valid = indicator.sli_kind.quick_batch(indicator, now + skew)(samples)
    if valid is not None and len({sample.t for sample in valid}) == len(valid):
        return valid
    valid, errors, seen = [], [], {}
    quick = indicator.sli_kind.quick(indicator, now + skew)
    for index, raw in enumerate(samples):
        sample = quick(raw)
        if sample is not None and sample.t not in seen:
            seen[sample.t] = index
            valid.append(sample)
            continue
        # Anything unusual goes the thorough way, which names every problem.
        sample, problems = _sample(indicator, raw, index, now, skew)
        if problems:
            errors += problems
            continue
        if sample.t in seen:
            errors.append(problem(index, "t", f"the same time as {describe(seen[sample.t])}"))
            continue
        seen[sample.t] = index
        valid.append(sample)
    if errors:
        raise BatchInvalid(errors)
    return valid


def store_samples(indicator, samples):
    """Store validated samples (in one transaction, MAX_BATCH at a time); returns how many were new."""
    store = _store_postgresql if connection.vendor == "postgresql" else _store_portable
    new = 0
    with transaction.atomic():
        lock_indicator(indicator.pk)
        for offset in range(0, len(samples), MAX_BATCH):
            new += store(indicator.pk, samples[offset : offset + MAX_BATCH])
    return StoreResult(len(samples), new)


def record_samples(indicator, samples, *, now=None):
    """Validate and store a raw batch (dicts as the API takes them)."""
    return store_samples(indicator, validate_samples(indicator, samples, now=now))


# PostgreSQL: one look for stored samples in the batch's span, then one COPY.

# Batches of one indicator hold its advisory lock (rollups.lock_indicator), so the rows already stored cannot change
# underneath. A batch whose span holds no stored sample (a live feed's usual batch, and a backfill's) is all new: it
# is copied straight into the table, and the per-minute counts come from the samples in hand. The look names the
# span, so that PostgreSQL opens only the partitions of those months. Any other batch (a resend, an overlap) is
# copied into a temporary table first; one statement inserts its new samples (an anti-join, cheaper than ON
# CONFLICT's speculative insertion) and hands back their per-minute counts.
_ANY_STORED = "SELECT 1 FROM monitoring_measurement WHERE indicator_id = %s AND t >= %s AND t <= %s LIMIT 1"
_COPY_MEASUREMENTS = "COPY monitoring_measurement (indicator_id, t, value, good, total) FROM STDIN (FORMAT BINARY)"
_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS slm_staging "
    "(t timestamptz, value double precision, good bigint, total bigint) ON COMMIT DELETE ROWS"
)
_INSERT_NEW = """
WITH fresh AS (
    INSERT INTO monitoring_measurement (indicator_id, t, value, good, total)
    SELECT %(indicator)s, s.t, s.value, s.good, s.total FROM slm_staging s
    WHERE NOT EXISTS (SELECT 1 FROM monitoring_measurement m WHERE m.indicator_id = %(indicator)s AND m.t = s.t)
    ORDER BY s.t
    RETURNING t, good, total
)
SELECT floor(extract(epoch FROM t) / 60)::bigint, sum(good)::bigint, sum(total)::bigint, count(*)::int
FROM fresh GROUP BY 1
"""


def _store_postgresql(indicator_id, samples):
    times = list(map(_T, samples))
    with connection.cursor() as cursor:
        cursor.execute(_ANY_STORED, [indicator_id, min(times), max(times)])
        if cursor.fetchone() is None:
            data, minutes = _copy_data(indicator_id, samples, times)
            with cursor.cursor.copy(_COPY_MEASUREMENTS) as copy:
                copy.write(data)
            deltas = _minute_deltas(samples, minutes)
        else:
            cursor.execute(_STAGING)
            # ON COMMIT DELETE ROWS empties the table only at commit: an earlier batch of the same transaction (a
            # probe's availability, then its latency) would otherwise be inserted again, under this batch's indicator.
            cursor.execute("TRUNCATE slm_staging")
            with cursor.cursor.copy("COPY slm_staging (t, value, good, total) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["timestamptz", "float8", "int8", "int8"])
                for sample in samples:
                    copy.write_row(sample)
            cursor.execute(_INSERT_NEW, {"indicator": indicator_id})
            deltas = cursor.fetchall()
    apply_minute_deltas(indicator_id, deltas)
    return sum(map(_COUNT, deltas))


# PostgreSQL's binary COPY format, written here in one piece (one struct call a row; psycopg's write_row costs three
# times as much): the signature with its flags and header extension, the rows (field count, then each field's length
# and value: a timestamptz is microseconds since 2000 in UTC, a NULL a length of -1), the trailer.
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_MINUTES_BEFORE_2000 = (_PG_EPOCH - EPOCH) // dt.timedelta(minutes=1)
_ROW = struct.Struct(">hiqiqidiqiq").pack  # indicator_id, t, value, good, total
_ROW_WITHOUT_VALUE = struct.Struct(">hiqiqiiqiq").pack  # the same with value NULL


# The per-sample work below is done with map() over C functions, not Python loops: a batch has 10,000 samples, and
# a Python loop costs a microsecond a sample, more than PostgreSQL takes to store one.
_T, _VALUE, _GOOD, _TOTAL = (itemgetter(index) for index in range(4))
_COUNT = itemgetter(3)


def _copy_data(indicator_id, samples, times):
    """(the binary COPY data of the samples' rows, each sample's minute number)."""
    micros = list(map(floordiv, map(sub, times, repeat(_PG_EPOCH)), repeat(_MICROSECOND)))
    values, goods, totals = list(map(_VALUE, samples)), map(_GOOD, samples), map(_TOTAL, samples)
    eight = repeat(8)
    if None in values:
        rows = [
            _ROW(5, 8, indicator_id, 8, us, 8, value, 8, good, 8, total)
            if value is not None
            else _ROW_WITHOUT_VALUE(5, 8, indicator_id, 8, us, -1, 8, good, 8, total)
            for us, value, good, total in zip(micros, values, goods, totals, strict=True)
        ]
    else:  # a threshold indicator's: every sample has its value
        rows = map(
            _ROW, repeat(5), eight, repeat(indicator_id), eight, micros, eight, values, eight, goods, eight, totals
        )
    data = b"".join((_COPY_SIGNATURE, *rows, _COPY_TRAILER))
    minutes = list(map(add, map(floordiv, micros, repeat(60_000_000)), repeat(_MINUTES_BEFORE_2000)))
    return data, minutes


def _minute_deltas(samples, minutes=None):
    """(minute number, good, total, samples) of each minute the samples fall in (minutes since 1970, UTC);
    ``minutes`` are the samples' minute numbers when the caller has them."""
    if minutes is None:
        minutes = [int(t.timestamp() // 60) for t, _value, _good, _total in samples]
    counts = Counter(minutes)
    goods = list(map(_GOOD, samples))
    if max(goods) <= 1 and set(map(_TOTAL, samples)) == {1}:
        # One event a sample, good or not (threshold samples, and ratio samples of one event): counted in C.
        good_counts = Counter(compress(minutes, goods))
        return [(minute, good_counts[minute], count, count) for minute, count in counts.items()]
    deltas = {minute: [0, 0, count] for minute, count in counts.items()}
    for minute, (_t, _value, good, total) in zip(minutes, samples, strict=True):
        counts = deltas[minute]
        counts[0] += good
        counts[1] += total
    return [(minute, *counts) for minute, counts in deltas.items()]


# Any other database (SQLite for the embedded default), inside the caller's transaction (SQLite serialises
# writers, so reading which samples exist and then writing is safe).

_PORTABLE_MEASUREMENT = (
    "INSERT INTO monitoring_measurement (indicator_id, t, value, good, total) VALUES (%s, %s, %s, %s, %s)"
)


def _utc_text(instant):
    """SQLite's form of a UTC datetime, as Django writes it (the generic adapter costs more than the insert)."""
    return str(instant.replace(tzinfo=None))


def _store_portable(indicator_id, samples):
    # Rows are written with plain executemany: the ORM's per-object work would cost more than the database's.
    adapt = _utc_text if connection.vendor == "sqlite" else connection.ops.adapt_datetimefield_value
    first, last = min(s.t for s in samples), max(s.t for s in samples)
    existing = set(
        Measurement.objects.filter(indicator_id=indicator_id, t__gte=first, t__lte=last).values_list("t", flat=True)
    )
    fresh = [s for s in samples if s.t not in existing]
    if not fresh:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(_PORTABLE_MEASUREMENT, [(indicator_id, adapt(s.t), s.value, s.good, s.total) for s in fresh])
    apply_minute_deltas(indicator_id, _minute_deltas(fresh))
    return len(fresh)
