"""Raw measurements and the rollups that evaluation reads.

Raw samples are written in bulk (PostgreSQL COPY) and are idempotent on (indicator, t). Every new sample also
updates, in the same transaction, a per-minute rollup (good and total counts) and a per-hour rollup that
additionally counts the minutes that had data, the minutes whose events were all good, and the sum of the minutes'
good/total ratios. Evaluation of the common targets reads hour rollups for whole hours and minute rollups only at
the edges of a window, so its cost does not grow with the number of raw samples.

These three tables take every sample, so they carry no foreign-key constraint to the indicator (checking it cost a
third of the database's time per batch, measured with `python -m monitoring.bench ingest`); an indicator's rows are
deleted with it by a pre_delete receiver instead (monitoring/receivers.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.models.indicators import Indicator


class Measurement(models.Model):
    """One sample of an indicator at an instant: good/total counts, and the value for threshold indicators."""

    pk = models.CompositePrimaryKey("indicator", "t")
    indicator = models.ForeignKey(Indicator, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
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


class MinuteRollup(models.Model):
    pk = models.CompositePrimaryKey("indicator", "minute")
    indicator = models.ForeignKey(Indicator, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    minute = models.DateTimeField()
    good = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    samples = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("minute rollup")
        verbose_name_plural = _("minute rollups")

    def __str__(self):
        return f"{self.indicator_id} @ {self.minute:%Y-%m-%d %H:%M}: {self.good}/{self.total}"


class HourRollup(models.Model):
    pk = models.CompositePrimaryKey("indicator", "hour")
    indicator = models.ForeignKey(Indicator, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    hour = models.DateTimeField()
    good = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    samples = models.IntegerField(default=0)
    minutes_with_data = models.SmallIntegerField(default=0)
    minutes_all_good = models.SmallIntegerField(default=0)
    ratio_sum = models.FloatField(default=0)

    class Meta:
        verbose_name = _("hour rollup")
        verbose_name_plural = _("hour rollups")

    def __str__(self):
        return f"{self.indicator_id} @ {self.hour:%Y-%m-%d %H}h: {self.good}/{self.total}"
