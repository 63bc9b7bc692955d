"""Snapshots keep where counting started (``window_start``): a rolling window's own start, which the compliance API
shows instead of the local day its snapshot is filed under, and a calendar period's start within the agreement's
validity.

Existing snapshots get it as the evaluation would have written it: a calendar period's start, or the agreement's first
day when that is later; a rolling window's end less the target's window length, clipped the same way (the length a
snapshot was computed with was not kept: the target's present one is the best there is).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models


def fill_window_starts(apps, schema_editor):
    ComplianceSnapshot = apps.get_model("monitoring", "ComplianceSnapshot")
    ServiceLevelTarget = apps.get_model("agreements", "ServiceLevelTarget")
    targets = ServiceLevelTarget.objects.filter(snapshots__isnull=False).distinct()
    for target in targets.select_related("agreement", "service_hours").iterator():
        zone = ZoneInfo(target.service_hours.time_zone if target.service_hours_id else settings.TIME_ZONE)
        day = target.agreement.valid_from
        valid_from = dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)
        rolling = target.window_kind == "rolling"
        length = dt.timedelta(days=target.rolling_days or 0)
        changed = []
        for snapshot in ComplianceSnapshot.objects.filter(target=target, window_start__isnull=True).iterator():
            start = snapshot.period_end - length if rolling else snapshot.period_start
            snapshot.window_start = max(start, valid_from)
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
        migrations.RunPython(fill_window_starts, migrations.RunPython.noop),
    ]
