"""Ticket clocks and ranks are rewritten in place whenever their tickets' clocks are rebuilt (a calendar edited,
the clocks of open tickets moved on): on PostgreSQL their tables keep a quarter of each page free, so that the new
version of a row goes on the same page as the old one and none of the table's indexes has to be touched (a
heap-only update). Rows written afterwards are laid out so; rows already there as they are updated or after a
`VACUUM FULL`. Nothing changes elsewhere."""

from django.db import migrations

TABLES = ["monitoring_ticketclock", "monitoring_ticketrank"]


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 75)")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0031_ticket_event_late_index")]

    operations = [migrations.RunPython(leave_room, fill_pages, elidable=False)]
