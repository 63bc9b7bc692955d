import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.evaluation import EvaluationSummary, evaluable_targets, evaluate_targets
from monitoring.tickets.store import settle_due_clocks


def parse_instant(value):
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at {value!r} is not an ISO-8601 instant such as 2026-11-27T09:00:00+09:00") from None
    if instant.tzinfo is None:
        raise CommandError(f"--at {value!r} has no time zone; add Z or an offset such as +09:00")
    return instant


def positive_int(value):
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--chunk {value!r} is not a whole number") from None
    if number < 1:
        raise CommandError("--chunk must be at least 1")
    return number


class Command(BaseCommand):
    help = "Evaluate service level targets now or as of an instant, synchronously and deterministically."

    def add_arguments(self, parser):
        parser.add_argument("--at", type=parse_instant, help="evaluate as of this ISO-8601 instant (default: now)")
        parser.add_argument(
            "--target",
            action="append",
            default=[],
            metavar="AGREEMENT/TARGET",
            help="only this target (agreement code / target code); may be repeated",
        )
        parser.add_argument("--chunk", type=positive_int, default=100, help="targets evaluated per transaction")

    def handle(self, *args, at, target, chunk, **options):
        at = at or timezone.now()
        targets = evaluable_targets()
        if target:
            ids = []
            for name in target:
                agreement_code, _, target_code = name.partition("/")
                match = targets.filter(agreement__code=agreement_code, code=target_code).values_list("pk", flat=True)
                if not match:
                    raise CommandError(f"No evaluable target {name!r} (active agreement, with an indicator).")
                ids += list(match)
        else:
            ids = list(targets.order_by("pk").values_list("pk", flat=True))
        settle_due_clocks(timezone.now())  # tickets left open past their goal count as breached first
        summary = EvaluationSummary()
        for offset in range(0, len(ids), chunk):
            summary += evaluate_targets(ids[offset : offset + chunk], at)
        self.stdout.write(
            f"Evaluated {summary.targets} targets as of {at.isoformat()}: {summary.snapshots} snapshots, "
            f"{summary.breaches} breaching, {summary.alerts_fired} alerts fired, {summary.alerts_resolved} resolved."
        )
