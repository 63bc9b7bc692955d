"""What was measured in a set of time spans, read from the rollups (never from raw measurements).

Common targets (one-minute slices, and for timeslices a slice target of 100 %) take whole hours from the hour
rollups and only the minutes at the edges of each span from the minute rollups, so a month costs a few hundred rows
per target. Other slice settings bucket the minute rollups of the spans into slices.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from monitoring.models import MinuteRollup
from monitoring.slo import Tally

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
PARTS_PER_QUERY = 1500


@dataclass(frozen=True)
class TallyRequest:
    """Tally ``indicator_id`` over ``spans`` (minute-aligned UTC [start, end) pairs, in order, not overlapping)."""

    key: object
    indicator_id: int
    spans: tuple
    slice_minutes: int = 1
    slice_target: Decimal = Decimal(1)  # a fraction: a slice is good when good/total reaches it

    @property
    def uses_hour_rollups(self):
        return self.slice_minutes == 1 and self.slice_target == 1

    @property
    def minutes_in_scope(self):
        return sum(int((end - start).total_seconds() // 60) for start, end in self.spans)


def floor_minute(instant):
    return instant.replace(second=0, microsecond=0)


def _floor_hour(instant):
    return instant.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(instant):
    floor = _floor_hour(instant)
    return floor if floor == instant else floor + HOUR


def _split(start, end):
    """Cut a span into minute-rollup edges and a run of whole hours: (minute_parts, hour_parts)."""
    first_hour, last_hour = _ceil_hour(start), _floor_hour(end)
    if first_hour >= last_hour:
        return [(start, end)], []
    minutes = [(lo, hi) for lo, hi in ((start, first_hour), (last_hour, end)) if lo < hi]
    return minutes, [(first_hour, last_hour)]


_HOUR_SQL = """
WITH parts (k, ind, lo, hi) AS (VALUES {values})
SELECT p.k, SUM(r.good), SUM(r.total), SUM(r.minutes_with_data), SUM(r.minutes_all_good), SUM(r.ratio_sum)
FROM parts p JOIN monitoring_hourrollup r ON r.indicator_id = p.ind AND r.hour >= p.lo AND r.hour < p.hi
GROUP BY p.k
"""

_MINUTE_SQL = """
WITH parts (k, ind, lo, hi) AS (VALUES {values})
SELECT p.k, SUM(r.good), SUM(r.total),
       SUM(CASE WHEN r.total > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.total > 0 AND r.good = r.total THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.total > 0 THEN r.good * 1.0 / r.total ELSE 0 END)
FROM parts p JOIN monitoring_minuterollup r ON r.indicator_id = p.ind AND r.minute >= p.lo AND r.minute < p.hi
GROUP BY p.k
"""


def _sum_parts(sql, parts, sums):
    """Run ``sql`` over (index, indicator, lo, hi) parts in batches; add each row into ``sums[index]``."""
    adapt = connection.ops.adapt_datetimefield_value
    for offset in range(0, len(parts), PARTS_PER_QUERY):
        batch = parts[offset : offset + PARTS_PER_QUERY]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
        params = [item for index, ind, lo, hi in batch for item in (index, ind, adapt(lo), adapt(hi))]
        with connection.cursor() as cursor:
            cursor.execute(sql.format(values=values), params)
            for index, good, total, with_data, all_good, ratio in cursor.fetchall():
                bucket = sums[index]
                bucket[0] += int(good or 0)
                bucket[1] += int(total or 0)
                bucket[2] += int(with_data or 0)
                bucket[3] += int(all_good or 0)
                bucket[4] += float(ratio or 0)


def _fast_tallies(requests):
    minute_parts, hour_parts = [], []
    for index, request in enumerate(requests):
        for start, end in request.spans:
            minutes, hours = _split(start, end)
            minute_parts += [(index, request.indicator_id, lo, hi) for lo, hi in minutes]
            hour_parts += [(index, request.indicator_id, lo, hi) for lo, hi in hours]
    sums = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    _sum_parts(_HOUR_SQL, hour_parts, sums)
    _sum_parts(_MINUTE_SQL, minute_parts, sums)
    results = {}
    for index, request in enumerate(requests):
        good, total, with_data, all_good, ratio = sums.get(index, (0, 0, 0, 0, 0.0))
        # Float sums of ratios drift in the last bits; 12 places is what the arithmetic keeps anyway.
        results[request.key] = Tally(
            good=good,
            total=total,
            slices_with_data=with_data,
            good_slices=all_good,
            ratio_sum=Decimal(repr(round(min(max(ratio, 0.0), with_data), 12))),
            slices_in_scope=request.minutes_in_scope,
        )
    return results


def _slice_tally(request):
    """Bucket the spans' minute rollups into slices of ``slice_minutes`` on the UTC clock grid."""
    width = request.slice_minutes
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    def slice_of(instant):
        return int((instant - epoch).total_seconds() // 60) // width

    in_scope = set()
    sums = defaultdict(lambda: [0, 0])
    for start, end in request.spans:
        in_scope.update(range(slice_of(start), slice_of(end - MINUTE) + 1))
        rows = MinuteRollup.objects.filter(
            indicator_id=request.indicator_id, minute__gte=start, minute__lt=end
        ).values_list("minute", "good", "total")
        for minute, good, total in rows:
            bucket = sums[slice_of(minute)]
            bucket[0] += good
            bucket[1] += total
    good_events = sum(good for good, _ in sums.values())
    all_events = sum(total for _, total in sums.values())
    with_data = [(good, total) for good, total in sums.values() if total > 0]
    good_slices = sum(1 for good, total in with_data if Decimal(good) >= request.slice_target * total)
    ratio_sum = sum((Decimal(good) / Decimal(total) for good, total in with_data), Decimal(0))
    return Tally(
        good=good_events,
        total=all_events,
        slices_with_data=len(with_data),
        good_slices=good_slices,
        ratio_sum=ratio_sum.quantize(Decimal("1e-12")),
        slices_in_scope=len(in_scope),
    )


def tallies(requests):
    """A Tally for every request, keyed by ``request.key``."""
    fast = [request for request in requests if request.uses_hour_rollups]
    results = _fast_tallies(fast) if fast else {}
    for request in requests:
        if not request.uses_hour_rollups:
            results[request.key] = _slice_tally(request)
    return results
