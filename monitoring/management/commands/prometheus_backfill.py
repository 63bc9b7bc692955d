"""manage.py prometheus_backfill SOURCE --from ... --to ...: pull a range of a Prometheus source's queries again."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from monitoring.intake import prometheus
from monitoring.models import PrometheusSource


def instant(value):
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not an ISO-8601 instant such as 2026-11-01T00:00:00+09:00") from None
    if parsed.tzinfo is None:
        raise CommandError(f"{value!r} has no time zone; add Z or an offset such as +09:00")
    return parsed


class Command(BaseCommand):
    help = (
        "Pull the minutes [--from, --to) of every query of a Prometheus source and store the ones not stored yet "
        "(what is stored is kept). The range ends at the last settled minute at most."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the source's code")
        parser.add_argument("--from", dest="start", type=instant, required=True, help="ISO-8601 instant")
        parser.add_argument("--to", dest="end", type=instant, required=True, help="ISO-8601 instant")

    def handle(self, *args, source, start, end, **options):
        found = PrometheusSource.objects.filter(code=source).first()
        if found is None:
            raise CommandError(f"no Prometheus source with the code {source!r}")
        if end <= start:
            raise CommandError("--to must be after --from")
        new, errors = prometheus.backfill(found, start, end)
        self.stdout.write(f"{new} new samples stored for {found.code}.")
        if errors:
            raise CommandError("; ".join(errors))
