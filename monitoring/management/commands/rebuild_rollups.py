from django.core.management.base import BaseCommand, CommandError

from monitoring.intake.rollups import rebuild_rollups
from monitoring.models import Indicator


class Command(BaseCommand):
    help = "Recompute an indicator's minute and hour rollups from its raw measurements (after a threshold change)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", metavar="INDICATOR", help="indicator codes (default: all)")

    def handle(self, *args, codes, **options):
        indicators = Indicator.objects.all()
        if codes:
            indicators = indicators.filter(code__in=codes)
            missing = set(codes) - set(indicators.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No indicator {', '.join(sorted(missing))}.")
        for indicator in indicators:
            since = rebuild_rollups(indicator)
            if since is None:
                self.stdout.write(f"{indicator.code}: no raw measurements; its rollups were left as they are.")
            else:
                self.stdout.write(f"Rebuilt the rollups of {indicator.code} from {since:%Y-%m-%d %H:%M} UTC.")
