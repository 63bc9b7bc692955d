from decimal import Decimal

from django.db import migrations

# Multi-window, multi-burn-rate alerts as the SRE workbook recommends them; editable in admin afterwards.
DEFAULT_RULES = [
    ("page-1h", "page", 60, 5, Decimal("14.4")),
    ("page-6h", "page", 360, 30, Decimal("6")),
    ("ticket-3d", "ticket", 4320, 360, Decimal("1")),
]


def add_default_rules(apps, schema_editor):
    BurnRateRule = apps.get_model("monitoring", "BurnRateRule")
    for name, severity, long_window, short_window, threshold in DEFAULT_RULES:
        BurnRateRule.objects.get_or_create(
            name=name,
            defaults={
                "severity": severity,
                "long_window_minutes": long_window,
                "short_window_minutes": short_window,
                "threshold": threshold,
            },
        )


def add_brin_index(apps, schema_editor):
    # Raw measurements arrive in time order: a BRIN index on t is tiny and lets pruning and time-range scans skip
    # most of the table. Only PostgreSQL has BRIN; SQLite keeps the primary key index alone.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS monitoring_measurement_t_brin ON monitoring_measurement USING brin (t)"
        )


def drop_brin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS monitoring_measurement_t_brin")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [
        migrations.RunPython(add_default_rules, migrations.RunPython.noop),
        migrations.RunPython(add_brin_index, drop_brin_index),
    ]
