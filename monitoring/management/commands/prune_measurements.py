import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.models import Measurement


def positive_days(value):
    try:
        days = int(value)
    except ValueError:
        raise CommandError(f"--older-than {value!r} is not a whole number of days") from None
    if days < 1:
        raise CommandError("--older-than must be at least 1 day")
    return days


class Command(BaseCommand):
    help = (
        "Delete raw measurements older than a number of days. The hour rollups stay, so evaluation, snapshots and "
        "reports are unaffected; only rebuild_rollups needs the raw rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=positive_days, required=True, metavar="DAYS")

    def handle(self, *args, older_than, **options):
        # On a whole hour, so that an hour's raw rows are all kept or all gone (rebuild_rollups relies on it).
        cutoff = (timezone.now() - dt.timedelta(days=older_than)).replace(minute=0, second=0, microsecond=0)
        deleted, _ = Measurement.objects.filter(t__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} raw measurements from before {cutoff:%Y-%m-%d %H:%M} UTC.")
