"""Exact sums of slice ratios: the float ``ratio_sum`` columns become ``ratio_units``, integer counts of 10^-12 units.

An hour rollup's units are recomputed exactly from the per-minute counts the hour keeps (``minute_good`` and
``minute_total``, JSON text), so the float's drift is gone, not carried over. An hour without minute counts (its raw
samples were pruned before 0004 stored them) and a compliance snapshot (history: it keeps no minute counts) have only
their float: it is taken as written (its shortest repr, which is how a 12-place Decimal was written into it) and
rounded half to even to 12 places. Rows are read and written in batches, so memory stays flat on any table size.
"""

import json
from decimal import ROUND_HALF_EVEN, Context, Decimal

from django.db import migrations, models
from django.db.models import Q

UNIT = 10**12
BATCH = 2000
_CTX = Context(prec=40, rounding=ROUND_HALF_EVEN)


def ratio_units(good, total):
    """good / total in 10^-12 units, rounded half to even in integers (a frozen copy of monitoring.slo.ratio_units:
    a migration must not change when the app's code does)."""
    quotient, remainder = divmod(good * UNIT, total)
    if 2 * remainder > total or (2 * remainder == total and quotient % 2):
        quotient += 1
    return quotient


def units_of_float(value):
    """A float ratio sum as written (repr), in 10^-12 units rounded half to even: 2.78 -> 2,780,000,000,000."""
    return int(Decimal(repr(float(value or 0))).scaleb(12, _CTX).to_integral_value(ROUND_HALF_EVEN, _CTX))


def hour_units(minute_good, minute_total, ratio_sum):
    """An hour's exact units: recomputed from its minutes' counts when it has them, else from its float."""
    good, total = json.loads(minute_good or "[]"), json.loads(minute_total or "[]")
    if not total:
        return units_of_float(ratio_sum)
    return sum(ratio_units(int(g), int(t)) for g, t in zip(good, total, strict=True) if t > 0)


def _batches(queryset, fields, key):
    """Rows of ``queryset`` as tuples of ``fields``, BATCH at a time, in ``key`` order (keyset pagination)."""
    after = None
    while True:
        rows = queryset
        if after is not None:
            rows = rows.filter(key(after))
        batch = list(rows.values_list(*fields)[:BATCH])
        if not batch:
            return
        yield batch
        after = batch[-1]


def _hours_after(row):
    return Q(indicator_id__gt=row[0]) | Q(indicator_id=row[0], hour__gt=row[1])


def fill_units(apps, schema_editor):
    connection = schema_editor.connection
    adapt = connection.ops.adapt_datetimefield_value
    HourRollup = apps.get_model("monitoring", "HourRollup")
    hours = HourRollup.objects.using(connection.alias).order_by("indicator_id", "hour")
    fields = ("indicator_id", "hour", "minute_good", "minute_total", "ratio_sum")
    with connection.cursor() as cursor:
        for batch in _batches(hours, fields, _hours_after):
            changes = [(hour_units(good, total, ratio), ind, adapt(hour)) for ind, hour, good, total, ratio in batch]
            cursor.executemany(
                "UPDATE monitoring_hourrollup SET ratio_units = %s WHERE indicator_id = %s AND hour = %s",
                [change for change in changes if change[0]],
            )
    Snapshot = apps.get_model("monitoring", "ComplianceSnapshot")
    snapshots = Snapshot.objects.using(connection.alias).exclude(ratio_sum=0).order_by("pk")
    with connection.cursor() as cursor:
        for batch in _batches(snapshots, ("pk", "ratio_sum"), lambda row: Q(pk__gt=row[0])):
            cursor.executemany(
                "UPDATE monitoring_compliancesnapshot SET ratio_units = %s WHERE id = %s",
                [(units_of_float(ratio), pk) for pk, ratio in batch],
            )


def fill_floats(apps, schema_editor):
    """Backwards: the nearest float of each exact sum."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in ("monitoring_hourrollup", "monitoring_compliancesnapshot"):
            cursor.execute(f"UPDATE {table} SET ratio_sum = ratio_units / 1e12 WHERE ratio_units <> 0")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0005_dashboards"),
    ]

    operations = [
        migrations.AddField(
            model_name="hourrollup",
            name="ratio_units",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="compliancesnapshot",
            name="ratio_units",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(fill_units, fill_floats),
        migrations.RemoveField(
            model_name="hourrollup",
            name="ratio_sum",
        ),
        migrations.RemoveField(
            model_name="compliancesnapshot",
            name="ratio_sum",
        ),
    ]
