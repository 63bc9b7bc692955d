"""Raw measurements and the rollups that evaluation reads.

Raw samples are written in bulk (PostgreSQL COPY) and are idempotent on (indicator, t). Every new sample also
updates, in the same transaction, its hour's rollup: the good and total counts of each of the hour's 60 minutes,
and from them the hour's totals, the minutes that had data, the minutes whose events were all good, and the sum of
the minutes' good/total ratios (each to 12 places, as an integer count of 10^-12 units: sums are exact). Evaluation
reads whole hours from those figures and the minutes at a window's edges from the per-minute counts, so its cost does
not grow with the number of raw samples. (One row an hour rather than one a minute: a one-sample-a-minute feed would
otherwise write two rows per sample.)

These tables take every sample, so they carry no foreign-key constraint to the indicator (checking it cost a
third of the database's time per batch, measured with `python -m benchmarks.engine ingest`); an indicator's rows are
deleted with it by a pre_delete receiver instead (monitoring/receivers.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.models.indicators import Indicator


class Measurement(models.Model):
    """One sample of an indicator at an instant: good/total counts, and the value for threshold indicators."""

    pk = models.CompositePrimaryKey("indicator", "t")
    # No index of its own: the primary key (indicator, t) serves every look-up by indicator, and a second index
    # cost ingestion a fifth of PostgreSQL's time per sample (docs/benchmarks.md).
    indicator = models.ForeignKey(
        Indicator, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    t = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"), null=True, blank=True)
    good = models.BigIntegerField(_("good"))
    total = models.BigIntegerField(_("total"))

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(good__gte=0, total__gte=models.F("good")), name="measurement_counts_valid"
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id} @ {self.t:%Y-%m-%d %H:%M:%S}: {self.good}/{self.total}"


class HourRollup(models.Model):
    pk = models.CompositePrimaryKey("indicator", "hour")
    # No index of its own: the primary key (indicator, hour) serves every look-up by indicator.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    hour = models.DateTimeField()
    good = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    samples = models.IntegerField(default=0)
    minutes_with_data = models.SmallIntegerField(default=0)
    minutes_all_good = models.SmallIntegerField(default=0)
    # Sum of the minutes' good/total ratios in units of 10^-12 (monitoring.slo.ratio_units): exact integers, so
    # summing a month of hours gives exactly 43,156.8 for minutes all at 999 of 1,000. A year of minutes is at most
    # 5.3e17 units, inside a 64-bit integer (and SQLite's integer SUM).
    ratio_units = models.BigIntegerField(default=0)
    # The hour's 60 minutes, in order: the per-minute rollup that window edges are read from. JSON lists kept as
    # text: the database never looks inside, and parsing them as jsonb cost more than the rest of the hour's row.
    minute_good = models.TextField(default="[]")
    minute_total = models.TextField(default="[]")
    minute_samples = models.TextField(default="[]")

    class Meta:
        verbose_name = _("hour rollup")
        verbose_name_plural = _("hour rollups")

    def __str__(self):
        return f"{self.indicator_id} @ {self.hour:%Y-%m-%d %H}h: {self.good}/{self.total}"
