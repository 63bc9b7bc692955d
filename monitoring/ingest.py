"""Ingestion: validate a batch of samples for one indicator, all or nothing, and store the new ones with rollups.

Every way in (the API, CSV uploads, HTTP probes, the demo data) goes through ``validate_samples`` and
``store_samples``. Storing is idempotent on (indicator, t): a sample sent again is counted as a duplicate and
changes nothing. On PostgreSQL the batch is written with one binary COPY into a temporary table and one statement
that inserts the new rows and updates the minute and hour rollups from exactly those rows; other databases take a
portable path with the same result.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.choices import IndicatorKind
from monitoring.models import HourRollup, Measurement, MinuteRollup
from monitoring.models.indicators import COMPARISONS

MAX_BATCH = 10_000
# Counts are stored as 64-bit integers and summed into the rollups; a trillion events in one sample is far beyond
# any real source and leaves millions of such samples of headroom in a minute's or an hour's sum.
MAX_COUNT = 10**12
RATIO_KEYS = frozenset({"t", "good", "total"})
THRESHOLD_KEYS = frozenset({"t", "value"})


class Sample(NamedTuple):
    """One checked sample. A named tuple: a batch makes ten thousand of them, and tuples are cheap to build."""

    t: dt.datetime  # aware, UTC
    value: float | None
    good: int
    total: int


@dataclass(frozen=True)
class StoreResult:
    received: int
    new: int

    @property
    def duplicates(self):
        return self.received - self.new


class BatchInvalid(Exception):
    """The batch was refused; ``errors`` lists every problem with the sample's index (None for the batch)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s) in the batch")
        self.errors = errors


def _error(index, field, message):
    return {"index": index, "field": field, "message": message}


def _parse_time(raw, index, now, skew):
    if not isinstance(raw, str):
        return None, _error(index, "t", "must be an ISO-8601 timestamp string")
    try:
        instant = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None, _error(index, "t", f"{raw!r} is not an ISO-8601 timestamp")
    if instant.tzinfo is None or instant.utcoffset() is None:
        return None, _error(index, "t", f"{raw!r} has no time zone; add Z or an offset such as +09:00")
    try:
        instant = instant.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first instant a datetime holds
        return None, _error(index, "t", f"{raw!r} is out of range")
    if instant > now + skew:
        return None, _error(index, "t", f"{raw!r} is in the future")
    return instant, None


def _whole_number(raw, index, field):
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, _error(index, field, "must be a whole number")
    if raw < 0:
        return None, _error(index, field, "must not be negative")
    if raw > MAX_COUNT:
        return None, _error(index, field, f"must not be more than {MAX_COUNT:,}")
    return raw, None


def _finite(number):
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer beyond any float: JSON allows 1 followed by 400 zeros
        return False


def _sample(indicator, raw, index, now, skew):
    """One validated Sample, or a list of errors for this index."""
    if not isinstance(raw, dict):
        return None, [_error(index, None, "each sample must be an object")]
    ratio = indicator.kind == IndicatorKind.RATIO
    allowed = RATIO_KEYS if ratio else THRESHOLD_KEYS
    errors = [
        _error(index, key, f"not a field of {indicator.get_kind_display().split(' (')[0].lower()} samples")
        for key in sorted(set(raw) - allowed)
    ]
    errors += [_error(index, key, "is required") for key in sorted(allowed - set(raw))]
    if errors:
        return None, errors
    instant, problem = _parse_time(raw["t"], index, now, skew)
    errors = [problem] if problem else []
    if ratio:
        good, good_problem = _whole_number(raw["good"], index, "good")
        total, total_problem = _whole_number(raw["total"], index, "total")
        errors += [p for p in (good_problem, total_problem) if p]
        if not errors and good > total:
            errors.append(_error(index, "good", "must not be more than total"))
        value = None
    else:
        value = raw["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(_error(index, "value", "must be a number"))
        elif not _finite(value):
            errors.append(_error(index, "value", "must be a finite number"))
        else:
            value = float(value)
            good, total = (1 if indicator.is_good(value) else 0), 1
    if errors:
        return None, errors
    return Sample(instant, value, good, total), []


def _quick_check(indicator, latest):
    """A check for the common, well-formed sample: a Sample, or None to send it the thorough way.

    It accepts exactly what ``_sample`` accepts, only faster (a batch of 10,000 spends most of its Python time here).
    """
    fromisoformat, utc = dt.datetime.fromisoformat, dt.UTC
    if indicator.kind == IndicatorKind.RATIO:

        def quick(raw):
            if type(raw) is not dict or len(raw) != 3:
                return None
            t, good, total = raw.get("t"), raw.get("good"), raw.get("total")
            if type(t) is not str or type(good) is not int or type(total) is not int:
                return None
            if not 0 <= good <= total <= MAX_COUNT:
                return None
            try:
                instant = fromisoformat(t)
                if instant.tzinfo is None or instant.utcoffset() is None:
                    return None
                instant = instant.astimezone(utc)
            except (ValueError, OverflowError):
                return None
            return Sample(instant, None, good, total) if instant <= latest else None

        return quick

    compare, limit = COMPARISONS[indicator.operator], indicator.threshold

    def quick(raw):
        if type(raw) is not dict or len(raw) != 2:
            return None
        t, value = raw.get("t"), raw.get("value")
        if type(t) is not str:
            return None
        if type(value) is int and -(2**53) <= value <= 2**53:
            value = float(value)
        elif type(value) is not float or not math.isfinite(value):
            return None
        try:
            instant = fromisoformat(t)
            if instant.tzinfo is None or instant.utcoffset() is None:
                return None
            instant = instant.astimezone(utc)
        except (ValueError, OverflowError):
            return None
        if instant > latest:
            return None
        return Sample(instant, value, 1 if compare(value, limit) else 0, 1)

    return quick


def validate_samples(indicator, samples, *, now=None, max_batch=MAX_BATCH, describe=None):
    """Check a whole batch; returns the Samples or raises BatchInvalid with every problem found.

    ``describe(index)`` names a sample in messages (default "sample <index>"; CSV files say "line <n>").
    """
    describe = describe or (lambda index: f"sample {index}")
    now = now or timezone.now()
    skew = dt.timedelta(seconds=settings.SLM_MAX_FUTURE_SKEW_SECONDS)
    if not isinstance(samples, list):
        raise BatchInvalid([_error(None, "samples", "must be a list")])
    if not samples:
        raise BatchInvalid([_error(None, "samples", "must not be empty")])
    if len(samples) > max_batch:
        raise BatchInvalid([_error(None, "samples", f"{len(samples)} samples; at most {max_batch} in one batch")])
    valid, errors, seen = [], [], {}
    quick = _quick_check(indicator, now + skew)
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
            errors.append(_error(index, "t", f"the same time as {describe(seen[sample.t])}"))
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
        for offset in range(0, len(samples), MAX_BATCH):
            new += store(indicator.pk, samples[offset : offset + MAX_BATCH])
    return StoreResult(len(samples), new)


def record_samples(indicator, samples, *, now=None):
    """Validate and store a raw batch (dicts as the API takes them)."""
    return store_samples(indicator, validate_samples(indicator, samples, now=now))


# PostgreSQL: one COPY, one statement.

_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS slm_staging "
    "(t timestamptz, value double precision, good bigint, total bigint) ON COMMIT DELETE ROWS"
)

# Data-modifying CTEs see one snapshot: `fresh` holds exactly the rows this batch added, so the rollups grow by
# exactly those. A minute's old counts are its new counts minus this batch's part, which is what the hour needs to
# move its "minutes with data", "minutes all good" and ratio sum from the minute's old state to its new one.
# Each INSERT takes its rows in key order: two batches writing the same keys at once then wait for each other in the
# same order instead of deadlocking (a conflicting insert waits for the other transaction's uncommitted row).
_INSERT = """
WITH fresh AS (
    INSERT INTO monitoring_measurement (indicator_id, t, value, good, total)
    SELECT %(indicator)s, t, value, good, total FROM slm_staging ORDER BY t
    ON CONFLICT (indicator_id, t) DO NOTHING
    RETURNING t, good, total
), minute_delta AS (
    SELECT date_trunc('minute', t) AS minute, sum(good) AS good, sum(total) AS total, count(*) AS samples
    FROM fresh GROUP BY 1
), minute_new AS (
    INSERT INTO monitoring_minuterollup AS r (indicator_id, minute, good, total, samples)
    SELECT %(indicator)s, minute, good, total, samples FROM minute_delta ORDER BY minute
    ON CONFLICT (indicator_id, minute) DO UPDATE
        SET good = r.good + EXCLUDED.good, total = r.total + EXCLUDED.total, samples = r.samples + EXCLUDED.samples
    RETURNING r.minute, r.good, r.total
), minute_change AS (
    SELECT n.minute, d.good AS d_good, d.total AS d_total, d.samples AS d_samples,
           n.good AS new_good, n.total AS new_total, n.good - d.good AS old_good, n.total - d.total AS old_total
    FROM minute_new n JOIN minute_delta d USING (minute)
), hour_delta AS (
    SELECT date_trunc('hour', minute) AS hour,
           sum(d_good) AS good, sum(d_total) AS total, sum(d_samples) AS samples,
           sum((new_total > 0)::int - (old_total > 0)::int) AS with_data,
           sum((new_total > 0 AND new_good = new_total)::int - (old_total > 0 AND old_good = old_total)::int)
               AS all_good,
           sum(CASE WHEN new_total > 0 THEN new_good::float8 / new_total ELSE 0 END
               - CASE WHEN old_total > 0 THEN old_good::float8 / old_total ELSE 0 END) AS ratio
    FROM minute_change GROUP BY 1
), hour_new AS (
    INSERT INTO monitoring_hourrollup AS h
        (indicator_id, hour, good, total, samples, minutes_with_data, minutes_all_good, ratio_sum)
    SELECT %(indicator)s, hour, good, total, samples, with_data, all_good, ratio FROM hour_delta ORDER BY hour
    ON CONFLICT (indicator_id, hour) DO UPDATE
        SET good = h.good + EXCLUDED.good, total = h.total + EXCLUDED.total, samples = h.samples + EXCLUDED.samples,
            minutes_with_data = h.minutes_with_data + EXCLUDED.minutes_with_data,
            minutes_all_good = h.minutes_all_good + EXCLUDED.minutes_all_good,
            ratio_sum = h.ratio_sum + EXCLUDED.ratio_sum
    RETURNING 1
)
SELECT (SELECT count(*) FROM fresh), (SELECT count(*) FROM hour_new)
"""


def _store_postgresql(indicator_id, samples):
    with connection.cursor() as cursor:
        cursor.execute(_STAGING)
        # ON COMMIT DELETE ROWS empties the table only at commit: an earlier batch of the same transaction (a probe's
        # availability, then its latency) would otherwise be inserted again, under this batch's indicator.
        cursor.execute("TRUNCATE slm_staging")
        with cursor.cursor.copy("COPY slm_staging (t, value, good, total) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["timestamptz", "float8", "int8", "int8"])
            for sample in samples:
                copy.write_row((sample.t, sample.value, sample.good, sample.total))
        cursor.execute(_INSERT, {"indicator": indicator_id})
        new, _hours = cursor.fetchone()
    return new


# Any other database (SQLite for the embedded default): the same result with the ORM, inside the caller's
# transaction (SQLite serialises writers, so reading then writing the rollups is safe).


def _floor(instant, unit):
    if unit == "minute":
        return instant.replace(second=0, microsecond=0)
    return instant.replace(minute=0, second=0, microsecond=0)


def _ratio(good, total):
    return good / total if total > 0 else 0.0


_PORTABLE_MEASUREMENT = (
    "INSERT INTO monitoring_measurement (indicator_id, t, value, good, total) VALUES (%s, %s, %s, %s, %s)"
)
_PORTABLE_MINUTE = (
    "INSERT INTO monitoring_minuterollup (indicator_id, minute, good, total, samples) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (indicator_id, minute) DO UPDATE SET good = excluded.good, total = excluded.total, "
    "samples = excluded.samples"
)
_PORTABLE_HOUR = (
    "INSERT INTO monitoring_hourrollup "
    "(indicator_id, hour, good, total, samples, minutes_with_data, minutes_all_good, ratio_sum) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (indicator_id, hour) DO UPDATE SET good = excluded.good, total = excluded.total, "
    "samples = excluded.samples, minutes_with_data = excluded.minutes_with_data, "
    "minutes_all_good = excluded.minutes_all_good, ratio_sum = excluded.ratio_sum"
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
    minute_delta = {}
    for sample in fresh:
        minute = _floor(sample.t, "minute")
        good, total, count = minute_delta.get(minute, (0, 0, 0))
        minute_delta[minute] = (good + sample.good, total + sample.total, count + 1)
    old_minutes = {
        minute: (good, total, count)
        for minute, good, total, count in MinuteRollup.objects.filter(
            indicator_id=indicator_id, minute__gte=min(minute_delta), minute__lte=max(minute_delta)
        ).values_list("minute", "good", "total", "samples")
    }
    minute_rows, hour_delta = [], {}
    for minute, (d_good, d_total, d_samples) in minute_delta.items():
        old_good, old_total, old_samples = old_minutes.get(minute, (0, 0, 0))
        new_good, new_total = old_good + d_good, old_total + d_total
        minute_rows.append((indicator_id, adapt(minute), new_good, new_total, old_samples + d_samples))
        hour = hour_delta.setdefault(_floor(minute, "hour"), [0, 0, 0, 0, 0, 0.0])
        hour[0] += d_good
        hour[1] += d_total
        hour[2] += d_samples
        hour[3] += int(new_total > 0) - int(old_total > 0)
        hour[4] += int(new_total > 0 and new_good == new_total) - int(old_total > 0 and old_good == old_total)
        hour[5] += _ratio(new_good, new_total) - _ratio(old_good, old_total)
    old_hours = {
        row[0]: row[1:]
        for row in HourRollup.objects.filter(
            indicator_id=indicator_id, hour__gte=min(hour_delta), hour__lte=max(hour_delta)
        ).values_list("hour", "good", "total", "samples", "minutes_with_data", "minutes_all_good", "ratio_sum")
    }
    hour_rows = []
    for hour, delta in hour_delta.items():
        old = old_hours.get(hour, (0, 0, 0, 0, 0, 0.0))
        hour_rows.append(
            (indicator_id, adapt(hour), *(before + change for before, change in zip(old, delta, strict=True)))
        )
    with connection.cursor() as cursor:
        cursor.executemany(_PORTABLE_MEASUREMENT, [(indicator_id, adapt(s.t), s.value, s.good, s.total) for s in fresh])
        cursor.executemany(_PORTABLE_MINUTE, minute_rows)
        cursor.executemany(_PORTABLE_HOUR, hour_rows)
    return len(fresh)
