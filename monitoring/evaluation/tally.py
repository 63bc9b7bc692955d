"""What was measured in a set of time spans, read from the rollups (never from raw measurements).

Common targets (one-minute slices, and for timeslices a slice target of 100 %) take whole hours from the hour
rollups' figures and only the minutes at the edges of each span from the hours' per-minute counts, so a month costs
a few hundred rows per target. Other slice settings bucket the spans' per-minute counts into slices.

Sums of slice ratios are sums of integers (each ratio in 10^-12 units, ``slo.ratio_units``), in the database and
here alike, so they are exact: no float and no decimal context on the way.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db import connection

from monitoring.evaluation.parts import parts_table
from monitoring.evaluation.slices import Slices, slice_tallies
from monitoring.intake.rollups import decode
from monitoring.slo import Tally, ratio_from_units

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
    slice_target: Fraction = Fraction(1)  # exact: a slice is good when good/total reaches it

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
    """Cut a span into minute runs inside single hours (edges) and a run of whole hours: (minute_parts, hour_parts)."""
    first_hour, last_hour = _ceil_hour(start), _floor_hour(end)
    if first_hour > last_hour:  # the span lies inside one hour
        return [(start, end)], []
    minutes = [(lo, hi) for lo, hi in ((start, first_hour), (last_hour, end)) if lo < hi]
    return minutes, ([(first_hour, last_hour)] if first_hour < last_hour else [])


_HOUR_SQL = """
WITH {parts}
SELECT p.k, SUM(r.good), SUM(r.total), SUM(r.minutes_with_data), SUM(r.minutes_all_good), SUM(r.ratio_units)
FROM parts p JOIN monitoring_hourrollup r ON r.indicator_id = p.ind AND r.hour >= p.lo AND r.hour < p.hi
GROUP BY p.k
"""

_EDGE_SQL = """
WITH {parts}
SELECT p.k, r.minute_good, r.minute_total
FROM parts p JOIN monitoring_hourrollup r ON r.indicator_id = p.ind AND r.hour = p.hr
"""


def _sum_parts(sql, parts, sums):
    """Run ``sql`` over (index, indicator, lo, hi) parts in batches; add each row into ``sums[index]``."""
    for offset in range(0, len(parts), PARTS_PER_QUERY):
        table, params = parts_table(["k", "ind", "lo:instant", "hi:instant"], parts[offset : offset + PARTS_PER_QUERY])
        with connection.cursor() as cursor:
            cursor.execute(sql.format(parts=table), params)
            for index, good, total, with_data, all_good, units in cursor.fetchall():
                bucket = sums[index]
                bucket[0] += int(good or 0)
                bucket[1] += int(total or 0)
                bucket[2] += int(with_data or 0)
                bucket[3] += int(all_good or 0)
                bucket[4] += int(units or 0)  # PostgreSQL sums bigints as numeric: int() of it is exact


def _sum_edges(edges, sums):
    """Add the minutes [lo, hi) of each edge's hour: edges are (index, indicator, hour, lo, hi)."""
    wanted = defaultdict(list)
    for index, indicator, hour, lo, hi in edges:
        wanted[(indicator, hour)].append((index, lo, hi))
    keys = list(wanted)
    for offset in range(0, len(keys), PARTS_PER_QUERY):
        batch = keys[offset : offset + PARTS_PER_QUERY]
        rows = [(number, ind, hour) for number, (ind, hour) in enumerate(batch)]
        table, params = parts_table(["k", "ind", "hr:instant"], rows)
        with connection.cursor() as cursor:
            cursor.execute(_EDGE_SQL.format(parts=table), params)
            rows = cursor.fetchall()
        for number, good, total in rows:
            good, total = decode(good), decode(total)
            seen = {}  # the hour of ``at`` ends a target's period and every burn window: summed once
            for index, lo, hi in wanted[batch[number]]:
                minutes = seen.get((lo, hi)) or seen.setdefault((lo, hi), Slices(good[lo:hi], total[lo:hi]))
                bucket = sums[index]
                bucket[0] += minutes.good
                bucket[1] += minutes.total
                bucket[2] += minutes.with_data
                bucket[3] += minutes.all_good
                bucket[4] += minutes.units


def _fast_tallies(requests):
    edges, hour_parts = [], []
    for index, request in enumerate(requests):
        for start, end in request.spans:
            minutes, hours = _split(start, end)
            for lo, hi in minutes:
                hour = _floor_hour(lo)
                edges.append((index, request.indicator_id, hour, lo.minute, (hi - hour) // MINUTE))
            hour_parts += [(index, request.indicator_id, lo, hi) for lo, hi in hours]
    sums = defaultdict(lambda: [0, 0, 0, 0, 0])
    _sum_parts(_HOUR_SQL, hour_parts, sums)
    _sum_edges(edges, sums)
    results = {}
    for index, request in enumerate(requests):
        good, total, with_data, all_good, units = sums.get(index, (0, 0, 0, 0, 0))
        results[request.key] = Tally(
            good=good,
            total=total,
            slices_with_data=with_data,
            good_slices=all_good,
            ratio_sum=ratio_from_units(units),
            slices_in_scope=request.minutes_in_scope,
        )
    return results


def tallies(requests):
    """A Tally for every request, keyed by ``request.key``."""
    fast = [request for request in requests if request.uses_hour_rollups]
    results = _fast_tallies(fast) if fast else {}
    sliced = [request for request in requests if not request.uses_hour_rollups]
    if sliced:
        results.update(slice_tallies(sliced))
    return results
