import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.partitions import is_partitioned, prune_raw


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
        "reports are unaffected; only rebuild_rollups needs the raw rows. On PostgreSQL the months wholly before the "
        "cut are dropped partition by partition (in an instant, whatever their size); only the rows of the month it "
        "cuts through and of the default partition are deleted one by one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=positive_days, required=True, metavar="DAYS")

    def handle(self, *args, older_than, **options):
        # On a whole hour, so that an hour's raw rows are all kept or all gone (rebuild_rollups relies on it).
        cutoff = (timezone.now() - dt.timedelta(days=older_than)).replace(minute=0, second=0, microsecond=0)
        partitioned = is_partitioned()
        pruned = prune_raw(cutoff)
        if partitioned:
            months = ", ".join(partition.label for partition in pruned.dropped)
            detail = f" ({months}; about {pruned.dropped_rows:,} rows)" if pruned.dropped else ""
            self.stdout.write(f"Dropped {len(pruned.dropped)} monthly partitions of raw measurements{detail}.")
        self.stdout.write(f"Deleted {pruned.deleted} raw measurements from before {cutoff:%Y-%m-%d %H:%M} UTC.")
