"""Rebuilding rollups from raw measurements, for when an indicator's threshold changes or data was loaded by hand.

Ingestion keeps the rollups current; this recomputes them from scratch (and, for threshold indicators, first
judges every stored value again against the indicator's current threshold), inside one transaction.
"""

from django.db import connection, transaction

from monitoring.choices import IndicatorKind, Operator
from monitoring.ingest import Sample, _store_portable
from monitoring.models import HourRollup, Measurement, MinuteRollup

SQL_OPERATORS = {Operator.LT: "<", Operator.LTE: "<=", Operator.GT: ">", Operator.GTE: ">=", Operator.EQ: "="}

_REJUDGE = (
    "UPDATE monitoring_measurement SET good = CASE WHEN value {op} %s THEN 1 ELSE 0 END, total = 1 "
    "WHERE indicator_id = %s"
)

_MINUTES = """
INSERT INTO monitoring_minuterollup (indicator_id, minute, good, total, samples)
SELECT indicator_id, date_trunc('minute', t), sum(good), sum(total), count(*)
FROM monitoring_measurement WHERE indicator_id = %s GROUP BY 1, 2
"""

_HOURS = """
INSERT INTO monitoring_hourrollup
    (indicator_id, hour, good, total, samples, minutes_with_data, minutes_all_good, ratio_sum)
SELECT indicator_id, date_trunc('hour', minute), sum(good), sum(total), sum(samples),
       sum((total > 0)::int), sum((total > 0 AND good = total)::int),
       sum(CASE WHEN total > 0 THEN good::float8 / total ELSE 0 END)
FROM monitoring_minuterollup WHERE indicator_id = %s GROUP BY 1, 2
"""


def rebuild_rollups(indicator):
    """Recompute the minute and hour rollups of ``indicator`` from its raw measurements."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if indicator.kind == IndicatorKind.THRESHOLD:
                    cursor.execute(
                        _REJUDGE.format(op=SQL_OPERATORS[indicator.operator]), [indicator.threshold, indicator.pk]
                    )
                cursor.execute("DELETE FROM monitoring_minuterollup WHERE indicator_id = %s", [indicator.pk])
                cursor.execute("DELETE FROM monitoring_hourrollup WHERE indicator_id = %s", [indicator.pk])
                cursor.execute(_MINUTES, [indicator.pk])
                cursor.execute(_HOURS, [indicator.pk])
            return
        rows = list(Measurement.objects.filter(indicator=indicator).values_list("t", "value", "good", "total"))
        Measurement.objects.filter(indicator=indicator).delete()
        MinuteRollup.objects.filter(indicator=indicator).delete()
        HourRollup.objects.filter(indicator=indicator).delete()
        samples = []
        for t, value, good, total in rows:
            if indicator.kind == IndicatorKind.THRESHOLD:
                good, total = (1 if indicator.is_good(value) else 0), 1
            samples.append(Sample(t, value, good, total))
        for offset in range(0, len(samples), 10_000):
            _store_portable(indicator.pk, samples[offset : offset + 10_000])
