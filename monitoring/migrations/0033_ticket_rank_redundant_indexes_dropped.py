"""A ticket rank's ticket and customer lose their single-column indexes: the unique constraint on (ticket, metric)
and the index on (customer, metric, service) start with them and serve the same look-ups, and every rank written
(three for each new ticket, those that moved at every rebuild) updated both."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0009_customer_administrators_and_invitations"),
        ("monitoring", "0032_ticket_tables_fillfactor"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticketrank",
            name="customer",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agreements.customer",
            ),
        ),
        migrations.AlterField(
            model_name="ticketrank",
            name="ticket",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="ranks",
                to="monitoring.ticket",
            ),
        ),
    ]
