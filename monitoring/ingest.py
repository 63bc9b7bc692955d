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

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.choices import IndicatorKind
from monitoring.models import HourRollup, Measurement, MinuteRollup

MAX_BATCH = 10_000
RATIO_KEYS = frozenset({"t", "good", "total"})
THRESHOLD_KEYS = frozenset({"t", "value"})


@dataclass(frozen=True)
class Sample:
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
    instant = instant.astimezone(dt.UTC)
    if instant > now + skew:
        return None, _error(index, "t", f"{raw!r} is in the future")
    return instant, None


def _whole_number(raw, index, field):
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, _error(index, field, "must be a whole number")
    if raw < 0:
        return None, _error(index, field, "must not be negative")
    return raw, None


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
        elif not math.isfinite(value):
            errors.append(_error(index, "value", "must be a finite number"))
        else:
            value = float(value)
            good, total = (1 if indicator.is_good(value) else 0), 1
    if errors:
        return None, errors
    return Sample(instant, value, good, total), []


def validate_samples(indicator, samples, *, now=None):
    """Check a whole batch; returns the Samples or raises BatchInvalid with every problem found."""
    now = now or timezone.now()
    skew = dt.timedelta(seconds=settings.SLM_MAX_FUTURE_SKEW_SECONDS)
    if not isinstance(samples, list):
        raise BatchInvalid([_error(None, "samples", "must be a list")])
    if not samples:
        raise BatchInvalid([_error(None, "samples", "must not be empty")])
    if len(samples) > MAX_BATCH:
        raise BatchInvalid([_error(None, "samples", f"{len(samples)} samples; at most {MAX_BATCH} in one batch")])
    valid, errors, seen = [], [], {}
    for index, raw in enumerate(samples):
        sample, problems = _sample(indicator, raw, index, now, skew)
        if problems:
            errors += problems
            continue
        if sample.t in seen:
            errors.append(_error(index, "t", f"the same time as sample {seen[sample.t]}"))
            continue
        seen[sample.t] = index
        valid.append(sample)
    if errors:
        raise BatchInvalid(errors)
    return valid


def store_samples(indicator, samples):
    """Store validated samples; the new ones update the rollups. Returns how many were new."""
    if not samples:
        return StoreResult(0, 0)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            new = _store_postgresql(indicator.pk, samples)
        else:
            new = _store_portable(indicator.pk, samples)
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
_INSERT = """
WITH fresh AS (
    INSERT INTO monitoring_measurement (indicator_id, t, value, good, total)
    SELECT %(indicator)s, t, value, good, total FROM slm_staging
    ON CONFLICT (indicator_id, t) DO NOTHING
    RETURNING t, good, total
), minute_delta AS (
    SELECT date_trunc('minute', t) AS minute, sum(good) AS good, sum(total) AS total, count(*) AS samples
    FROM fresh GROUP BY 1
), minute_new AS (
    INSERT INTO monitoring_minuterollup AS r (indicator_id, minute, good, total, samples)
    SELECT %(indicator)s, minute, good, total, samples FROM minute_delta
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
    SELECT %(indicator)s, hour, good, total, samples, with_data, all_good, ratio FROM hour_delta
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


def _store_portable(indicator_id, samples):
    first, last = min(s.t for s in samples), max(s.t for s in samples)
    existing = set(
        Measurement.objects.filter(indicator_id=indicator_id, t__gte=first, t__lte=last).values_list("t", flat=True)
    )
    fresh = [s for s in samples if s.t not in existing]
    if not fresh:
        return 0
    Measurement.objects.bulk_create(
        [Measurement(indicator_id=indicator_id, t=s.t, value=s.value, good=s.good, total=s.total) for s in fresh],
        batch_size=2000,
    )
    minute_delta = {}
    for sample in fresh:
        good, total, count = minute_delta.get(_floor(sample.t, "minute"), (0, 0, 0))
        minute_delta[_floor(sample.t, "minute")] = (good + sample.good, total + sample.total, count + 1)
    old_minutes = {
        row.minute: row
        for row in MinuteRollup.objects.filter(
            indicator_id=indicator_id, minute__gte=min(minute_delta), minute__lte=max(minute_delta)
        )
    }
    minute_rows, hour_delta = [], {}
    for minute, (d_good, d_total, d_samples) in minute_delta.items():
        old = old_minutes.get(minute)
        old_good, old_total, old_samples = (old.good, old.total, old.samples) if old else (0, 0, 0)
        new_good, new_total = old_good + d_good, old_total + d_total
        minute_rows.append(
            MinuteRollup(
                indicator_id=indicator_id,
                minute=minute,
                good=new_good,
                total=new_total,
                samples=old_samples + d_samples,
            )
        )
        hour = hour_delta.setdefault(_floor(minute, "hour"), [0, 0, 0, 0, 0, 0.0])
        hour[0] += d_good
        hour[1] += d_total
        hour[2] += d_samples
        hour[3] += int(new_total > 0) - int(old_total > 0)
        hour[4] += int(new_total > 0 and new_good == new_total) - int(old_total > 0 and old_good == old_total)
        hour[5] += _ratio(new_good, new_total) - _ratio(old_good, old_total)
    MinuteRollup.objects.bulk_create(
        minute_rows,
        update_conflicts=True,
        unique_fields=["indicator", "minute"],
        update_fields=["good", "total", "samples"],
        batch_size=2000,
    )
    old_hours = {
        row.hour: row
        for row in HourRollup.objects.filter(
            indicator_id=indicator_id, hour__gte=min(hour_delta), hour__lte=max(hour_delta)
        )
    }
    hour_rows = []
    for hour, (good, total, count, with_data, all_good, ratio) in hour_delta.items():
        old = old_hours.get(hour) or HourRollup(indicator_id=indicator_id, hour=hour)
        hour_rows.append(
            HourRollup(
                indicator_id=indicator_id,
                hour=hour,
                good=old.good + good,
                total=old.total + total,
                samples=old.samples + count,
                minutes_with_data=old.minutes_with_data + with_data,
                minutes_all_good=old.minutes_all_good + all_good,
                ratio_sum=old.ratio_sum + ratio,
            )
        )
    HourRollup.objects.bulk_create(
        hour_rows,
        update_conflicts=True,
        unique_fields=["indicator", "hour"],
        update_fields=["good", "total", "samples", "minutes_with_data", "minutes_all_good", "ratio_sum"],
        batch_size=2000,
    )
    return len(fresh)
