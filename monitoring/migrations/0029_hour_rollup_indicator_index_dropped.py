"""The hour rollups' index on indicator alone goes: the primary key (indicator, hour) serves every look-up by
indicator, and each index is one more to update for every hour a batch of samples touches. Dropped by name on both
databases, as 0026 does for the measurements (on SQLite, AlterField would rebuild the whole table to drop it)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "monitoring_hourrollup_indicator_id_0d306604"


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0028_overview_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="hourrollup",
                    name="indicator",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="monitoring.indicator",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "monitoring_hourrollup" ("indicator_id")',
                ),
            ],
        ),
    ]
