"""Tallies of slices longer than a minute (or judged below 100 %), from the hour rollups' per-minute counts.

Slices lie on the UTC clock grid (slice k holds minutes [k·w, (k+1)·w) since 1970), and a slice counts the minutes
of it that lie inside the request's spans. The per-minute counts of every indicator asked about are read once for a
whole chunk of targets (the union of their spans, one query). Hours whose minutes all count the same are kept as two
numbers, and the slices of such an hour are counted without looking at its minutes.
"""

import datetime as dt
from fractions import Fraction
from itertools import accumulate
from operator import eq

import orjson
from django.db import connection

from monitoring.evaluation.parts import parts_table
from monitoring.intake.rollups import EPOCH, decode, minute_number
from monitoring.slo import Tally, ratio_from_units, ratio_units

PARTS_PER_QUERY = 1500
WHOLE = ratio_units(1, 1)

_HOURS_SQL = """
WITH {parts}
SELECT r.indicator_id, '[' || string_agg((extract(epoch FROM r.hour)::bigint / 60)::text, ',' ORDER BY r.hour) || ']',
       '[' || string_agg(coalesce(nullif(r.minute_good, ''), '[]'), ',' ORDER BY r.hour) || ']',
       '[' || string_agg(coalesce(nullif(r.minute_total, ''), '[]'), ',' ORDER BY r.hour) || ']'
FROM parts p JOIN monitoring_hourrollup r ON r.indicator_id = p.ind AND r.hour >= p.lo AND r.hour < p.hi
GROUP BY r.indicator_id
"""

_MINUTES_SQL = """
WITH {parts}
SELECT r.indicator_id, r.hour, r.minute_good, r.minute_total
FROM parts p JOIN monitoring_hourrollup r ON r.indicator_id = p.ind AND r.hour >= p.lo AND r.hour < p.hi
"""


class RunningTotals:
    """Good and total events of one indicator's minutes from minute ``first`` (an hour's first minute) on.

    An hour whose 60 minutes all hold the same counts (a probe's hour without a failure, say) is kept as those two
    numbers; sums over whole hours come from running totals of the hours, and only the minutes at the edges of a
    range, or of hours that vary, are added one list at a time."""

    def __init__(self, first, hours):
        self.first = first
        self.hours = [None] * hours  # each hour's (good, total): two minute lists, or two ints for an even hour
        self.good = self.total = None  # running totals of whole hours: good[h] is the sum of hours before h

    def put(self, hour_minute, good, total):
        self.put_many([hour_minute], [decode(good)], [decode(total)])

    def put_many(self, hour_minutes, goods, totals):
        """Hours already decoded: their first minutes, and each one's good and total minute lists."""
        for hour_minute, good, total in zip(hour_minutes, goods, totals, strict=True):
            if not total:
                continue  # a row written before any sample: an hour without counts
            if good.count(good[0]) == 60 and total.count(total[0]) == 60:
                good, total = good[0], total[0]
            self.hours[(hour_minute - self.first) // 60] = (good, total)

    def close(self):
        self.hours = [hour or (0, 0) for hour in self.hours]
        sums = [
            (good * 60, total * 60) if isinstance(good, int) else (sum(good), sum(total)) for good, total in self.hours
        ]
        self.good = [0, *accumulate(good for good, _ in sums)]
        self.total = [0, *accumulate(total for _, total in sums)]

    def _within(self, hour, lo, hi):
        """(good, total) of minutes lo..hi-1 of the ``hour``-th hour."""
        good, total = self.hours[hour]
        if isinstance(good, int):
            return good * (hi - lo), total * (hi - lo)
        return sum(good[lo:hi]), sum(total[lo:hi])

    def between(self, start, end):
        """(good, total) of the minutes [start, end) (minute numbers)."""
        if end <= start:
            return 0, 0
        lo, hi = start - self.first, end - self.first
        first_hour, last_hour = lo // 60, (hi - 1) // 60
        if first_hour == last_hour:
            return self._within(first_hour, lo % 60, hi - 60 * first_hour)
        head = self._within(first_hour, lo % 60, 60)
        tail = self._within(last_hour, 0, hi - 60 * last_hour)
        middle_good = self.good[last_hour] - self.good[first_hour + 1]
        middle_total = self.total[last_hour] - self.total[first_hour + 1]
        return head[0] + middle_good + tail[0], head[1] + middle_total + tail[1]

    def slices(self, first, last, width):
        """The whole slices ``first`` .. ``last - 1`` of ``width`` minutes, as ``Slices``."""
        if 60 % width:  # slices that do not divide the hour: each one summed on its own
            sums = [self.between(number * width, (number + 1) * width) for number in range(first, last)]
            return Slices([good for good, _ in sums], [total for _, total in sums])
        goods, totals = [], []
        lo, hi = first * width - self.first, last * width - self.first
        for hour in range(lo // 60, (hi - 1) // 60 + 1):
            start, end = max(lo - 60 * hour, 0), min(hi - 60 * hour, 60)
            good, total = self.hours[hour]
            count = (end - start) // width
            if isinstance(good, int):
                goods += [good * width] * count
                totals += [total * width] * count
            else:
                goods += map(sum, zip(*[iter(good[start:end])] * width, strict=True))
                totals += map(sum, zip(*[iter(total[start:end])] * width, strict=True))
        return Slices(goods, totals)


class Slices:
    """Good and total events of consecutive slices, counted with as little Python per slice as can be."""

    def __init__(self, good, total):
        self.good_each, self.total_each = good, total
        self.count = len(total)
        self.good, self.total = sum(good), sum(total)
        self.empty = total.count(0)
        self.with_data = self.count - self.empty
        self.all_good = sum(map(eq, good, total)) - self.empty  # an empty slice has 0 of 0
        partial = self.with_data - self.all_good
        self.units = WHOLE * self.all_good + (
            sum(ratio_units(g, t) for g, t in zip(good, total, strict=True) if g and g != t) if partial else 0
        )

    def reaching(self, num, den):
        """How many slices with data have good / total >= num / den."""
        if num == den:
            return self.all_good
        return sum(1 for g, t in zip(self.good_each, self.total_each, strict=True) if t and g * den >= num * t)


def _read(requests):
    """{indicator id: RunningTotals} over every minute any of ``requests`` asks about, in one query per batch."""
    ranges = {}
    for request in requests:
        for start, end in request.spans:
            lo, hi = minute_number(start), minute_number(end)
            known = ranges.get(request.indicator_id)
            ranges[request.indicator_id] = (min(lo, known[0]), max(hi, known[1])) if known else (lo, hi)
    totals = {}
    for indicator_id, (lo, hi) in ranges.items():
        first, last = lo - lo % 60, hi + (-hi % 60)
        totals[indicator_id] = RunningTotals(first, (last - first) // 60)

    def instant(minute):
        return EPOCH + dt.timedelta(minutes=minute)

    postgresql = connection.vendor == "postgresql"
    keys = list(totals)
    for offset in range(0, len(keys), PARTS_PER_QUERY):
        rows = []
        for indicator_id in keys[offset : offset + PARTS_PER_QUERY]:
            series = totals[indicator_id]
            rows.append((indicator_id, instant(series.first), instant(series.first + 60 * len(series.hours))))
        table, params = parts_table(["ind", "lo:instant", "hi:instant"], rows)
        with connection.cursor() as cursor:
            if postgresql:  # each indicator's hours in one row: three JSON texts to parse, not two per hour
                cursor.execute(_HOURS_SQL.format(parts=table), params)
                for indicator_id, hours, good, total in cursor.fetchall():
                    totals[indicator_id].put_many(orjson.loads(hours), orjson.loads(good), orjson.loads(total))
                continue
            cursor.execute(_MINUTES_SQL.format(parts=table), params)
            for indicator_id, hour, good, total in cursor.fetchall():
                hour = hour if hour.tzinfo else hour.replace(tzinfo=dt.UTC)  # SQLite's are naive UTC
                totals[indicator_id].put(minute_number(hour), good, total)
    for series in totals.values():
        series.close()
    return totals


def _tally(request, series):
    width = request.slice_minutes
    target = Fraction(request.slice_target)
    num, den = target.numerator, target.denominator
    good_events = all_events = with_data = good_slices = units = in_scope = 0
    pending = None  # (slice number, good, total) of a slice the next span may still add minutes to

    def settle(good, total):
        nonlocal good_events, all_events, with_data, good_slices, units, in_scope
        in_scope += 1
        if total:
            good_events += good
            all_events += total
            with_data += 1
            if good * den >= num * total:
                good_slices += 1
            units += WHOLE if good == total else (ratio_units(good, total) if good else 0)

    for start, end in request.spans:
        lo, hi = minute_number(start), minute_number(end)
        first, last = lo // width, (hi - 1) // width
        # The span's first slice, maybe shared with the previous span's last one.
        good, total = series.between(lo, min(hi, (first + 1) * width))
        if pending and pending[0] == first:
            good, total = good + pending[1], total + pending[2]
        elif pending:
            settle(pending[1], pending[2])
        pending = (first, good, total)
        if last == first:
            continue
        settle(pending[1], pending[2])
        if last > first + 1:  # the whole slices inside the span, summed at once
            whole = series.slices(first + 1, last, width)
            in_scope += whole.count
            good_events += whole.good
            all_events += whole.total
            with_data += whole.with_data
            good_slices += whole.reaching(num, den)
            units += whole.units
        # The span's last slice stays pending: the next span may add minutes to it.
        good, total = series.between(last * width, hi)
        pending = (last, good, total)
    if pending:
        settle(pending[1], pending[2])
    return Tally(
        good=good_events,
        total=all_events,
        slices_with_data=with_data,
        good_slices=good_slices,
        ratio_sum=ratio_from_units(units),
        slices_in_scope=in_scope,
    )


def slice_tallies(requests):
    """{request.key: Tally} of requests that bucket minutes into slices."""
    totals = _read(requests)
    return {request.key: _tally(request, totals.get(request.indicator_id)) for request in requests}
