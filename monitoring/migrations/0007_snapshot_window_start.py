"""Snapshots keep where counting started (``window_start``): a rolling window's own start, which the compliance API
shows instead of the local day its snapshot is filed under.

Existing rolling snapshots get it from their end less the target's window length, clipped to the agreement's start
(the window length a snapshot was computed with was not kept: the target's present one is the best there is). Calendar
snapshots are left empty: their period start is where they started, and the next evaluation fills open ones in.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models


def fill_rolling_window_starts(apps, schema_editor):
    ComplianceSnapshot = apps.get_model("monitoring", "ComplianceSnapshot")
    ServiceLevelTarget = apps.get_model("agreements", "ServiceLevelTarget")
    rolling = ServiceLevelTarget.objects.filter(window_kind="rolling").select_related("agreement", "service_hours")
    for target in rolling.iterator():
        zone = ZoneInfo(target.service_hours.time_zone if target.service_hours_id else settings.TIME_ZONE)
        day = target.agreement.valid_from
        valid_from = dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)
        length = dt.timedelta(days=target.rolling_days or 0)
        changed = []
        for snapshot in ComplianceSnapshot.objects.filter(target=target, window_start__isnull=True).iterator():
            snapshot.window_start = max(snapshot.period_end - length, valid_from)
            changed.append(snapshot)
            if len(changed) == 2000:
                ComplianceSnapshot.objects.bulk_update(changed, ["window_start"])
                changed = []
        ComplianceSnapshot.objects.bulk_update(changed, ["window_start"])


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
        ("monitoring", "0006_exact_ratio_units"),
    ]

    operations = [
        migrations.AddField(
            model_name="compliancesnapshot",
            name="window_start",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_rolling_window_starts, migrations.RunPython.noop),
    ]
