"""The copies a ticket's rows keep of what the ticket itself names — an event's desk, a rank's customer and service —
lose their foreign-key constraints (their indexes stay). The ticket's own constraints hold the same rows, and each
copy's check ran at every commit once per row: for a batch of 1,000 ticket events, 2,500 checks, about a quarter
of the database's time for the batch. On PostgreSQL only the constraints are dropped."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0009_customer_administrators_and_invitations"),
        ("monitoring", "0029_hour_rollup_indicator_index_dropped"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticketeventrecord",
            name="source",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="monitoring.ticketsource",
            ),
        ),
        migrations.AlterField(
            model_name="ticketrank",
            name="customer",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agreements.customer",
            ),
        ),
        migrations.AlterField(
            model_name="ticketrank",
            name="service",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agreements.service",
            ),
        ),
    ]
