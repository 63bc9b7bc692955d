"""An indicator over a chosen range: its good share and volumes per hour (per minute over the last 24 hours), read
from the hour rollups in one query whatever the range; for a judged kind over 24 hours also the measured values per
minute (lowest, mean, highest), from the day's raw samples in one more query.

The hour rollups keep counts only (good, total, samples), not values: over longer ranges a judged indicator is shown
by the share of its samples that were good.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import TruncMinute
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.intake.rollups import EPOCH, minute_counts
from monitoring.models import HourRollup, Measurement
from monitoring.slo import rounded, share, to_percent

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Range:
    """A range the page offers: its key in the URL (``?range=7d``), its label, how far back, one point per step."""

    key: str
    label: str
    span: dt.timedelta
    step: dt.timedelta

    @property
    def by_minute(self):
        return self.step == MINUTE


RANGES = (
    Range("24h", _("24 hours"), DAY, MINUTE),
    Range("7d", _("7 days"), 7 * DAY, HOUR),
    Range("30d", _("30 days"), 30 * DAY, HOUR),
    Range("90d", _("90 days"), 90 * DAY, HOUR),
)
DEFAULT_RANGE = RANGES[1]
_BY_KEY = {chosen.key: chosen for chosen in RANGES}


def chosen_range(key):
    """(Range, understood): the range named ``key``; the default (7 days) with False for anything else, so that a
    link with a range the page does not offer still shows the indicator."""
    if key is None or key == "":
        return DEFAULT_RANGE, True
    found = _BY_KEY.get(key)
    return (found, True) if found else (DEFAULT_RANGE, False)


@dataclass(frozen=True)
class Point:
    """One hour or minute [start, start + step): its good and total events (samples for a judged kind)."""

    start: dt.datetime
    good: int = 0
    total: int = 0
    samples: int = 0

    @property
    def bad(self):
        return self.total - self.good

    @property
    def good_share(self):
        """good / total to 12 places, or None when nothing was counted."""
        return share(self.good, self.total)


@dataclass(frozen=True)
class Values:
    """The measured values of one minute: lowest, mean and highest of its samples."""

    start: dt.datetime
    low: float
    mean: float
    high: float
    samples: int


@dataclass(frozen=True)
class History:
    range: Range
    start: dt.datetime
    end: dt.datetime
    points: list  # a Point for every step of [start, end), empty ones too
    values: list | None  # Values of the minutes with samples (a judged kind over 24 hours), else None

    @property
    def good(self):
        return sum(point.good for point in self.points)

    @property
    def total(self):
        return sum(point.total for point in self.points)

    @property
    def bad(self):
        return self.total - self.good

    @property
    def good_percent(self):
        """The range's good share in percent to 3 places, or None when nothing was counted."""
        fraction = share(self.good, self.total)
        return None if fraction is None else rounded(to_percent(fraction), 3)

    @property
    def measured(self):
        """The points that had samples."""
        return [point for point in self.points if point.samples]


def _floor(instant, step):
    return EPOCH + (instant - EPOCH) // step * step


def bounds(chosen, now):
    """[start, end) of the range up to ``now``: whole steps, the current (running) one last."""
    end = _floor(now, chosen.step) + chosen.step
    return end - chosen.span, end


def indicator_history(indicator, chosen, now=None):
    """The indicator's History over ``chosen`` up to ``now``: two queries at most, whatever the range."""
    start, end = bounds(chosen, now or timezone.now())
    if chosen.by_minute:
        counts = minute_counts(indicator.pk, start, end)
    else:
        rows = HourRollup.objects.filter(indicator_id=indicator.pk, hour__gte=start, hour__lt=end).values_list(
            "hour", "good", "total", "samples"
        )
        counts = {hour: (good, total, samples) for hour, good, total, samples in rows if samples}
    points, instant = [], start
    while instant < end:
        points.append(Point(instant, *counts.get(instant, (0, 0, 0))))
        instant += chosen.step
    values = _minute_values(indicator, start, end) if chosen.by_minute and indicator.sli_kind.judged else None
    return History(chosen, start, end, points, values)


def _minute_values(indicator, start, end):
    """[Values] of each minute of [start, end) that had samples, from the raw samples (a day at most)."""
    rows = (
        Measurement.objects.filter(indicator_id=indicator.pk, t__gte=start, t__lt=end, value__isnull=False)
        .annotate(minute=TruncMinute("t", tzinfo=dt.UTC))
        .values("minute")
        .annotate(low=Min("value"), mean=Avg("value"), high=Max("value"), samples=Count("t"))
        .order_by("minute")
    )
    return [Values(row["minute"], row["low"], row["mean"], row["high"], row["samples"]) for row in rows]
