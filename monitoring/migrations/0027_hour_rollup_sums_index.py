"""On PostgreSQL, an index that holds the five figures evaluation sums over whole hours of a rollup.

Evaluation reads a month of a target as some 720 hour rows. With this index PostgreSQL answers those sums by an
index-only scan, without reading the wide rows whose per-minute lists only the edges of a span need. SQLite has no
covering indexes, and its primary key on (indicator, hour) already serves the same lookups there.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS monitoring_hourrollup_sums ON monitoring_hourrollup (indicator_id, hour)
INCLUDE (good, total, minutes_with_data, minutes_all_good, ratio_units)
"""
DROP = "DROP INDEX IF EXISTS monitoring_hourrollup_sums"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0026_measurement_indicator_index_dropped"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
