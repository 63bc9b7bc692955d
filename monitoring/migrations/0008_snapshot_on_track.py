"""Only a closed period is met: open periods and rolling windows that were stored as met are on track."""

from django.db import migrations, models
from django.db.models import Q


def open_periods_on_track(apps, schema_editor):
    snapshots = apps.get_model("monitoring", "ComplianceSnapshot").objects
    snapshots.filter(Q(is_closed=False) | Q(target__window_kind="rolling"), status="met").update(status="on_track")


def on_track_back_to_met(apps, schema_editor):
    apps.get_model("monitoring", "ComplianceSnapshot").objects.filter(status="on_track").update(status="met")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_snapshot_window_start"), ("agreements", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="compliancesnapshot",
            name="status",
            field=models.CharField(
                choices=[
                    ("met", "Met"),
                    ("on_track", "On track"),
                    ("at_risk", "At risk"),
                    ("breached", "Breached"),
                    ("no_data", "No data"),
                ],
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(open_periods_on_track, on_track_back_to_met),
    ]
