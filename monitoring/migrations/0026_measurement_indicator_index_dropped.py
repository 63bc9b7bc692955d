"""The measurements' index on indicator alone goes: the primary key (indicator, t) serves every look-up by indicator,
and the second index cost ingestion a fifth of PostgreSQL's time per sample. Dropped by name on both databases (on
SQLite, Django's AlterField would rebuild the whole table to drop it; on PostgreSQL it is a partitioned index and
goes from every partition at once)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "monitoring_measurement_indicator_id_fce12c90"


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0025_measurements_partitioned_by_month"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="measurement",
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
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "monitoring_measurement" ("indicator_id")',
                ),
            ],
        ),
    ]
