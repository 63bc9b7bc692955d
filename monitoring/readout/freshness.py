"""How fresh a target's figures are: whether it is evaluated at all, when the next evaluation is due, and whether an
evaluation queued by a service manager ("Evaluate now") has been written."""

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from monitoring.evaluation import evaluable_targets
from monitoring.evaluation.tally import floor_minute
from monitoring.models import ComplianceSnapshot

EVALUATE_PERMISSION = "agreements.change_serviceleveltarget"


def queued_at(text):
    """The aware instant of a ``?queued=`` parameter, or None."""
    try:
        queued = dt.datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return queued if queued.tzinfo is not None else None


def evaluated_since(target, queued):
    """Whether the target has a snapshot computed at or after the minute its evaluation was queued."""
    return ComplianceSnapshot.objects.filter(target=target, computed_at__gte=floor_minute(queued)).exists()


def evaluation_state(user, target, snapshots, queued=None, now=None):
    """What the target page says about evaluation: whether the target is evaluated at all, when the next scheduled
    evaluation is due for a target never evaluated (the last one anywhere plus the interval, moved past now), and a
    queued evaluation not yet written."""
    now = now or timezone.now()
    evaluable = evaluable_targets().filter(pk=target.pk).exists()
    interval = settings.SLM_EVALUATION_INTERVAL
    next_due = None
    if evaluable and not snapshots:  # only a target never evaluated says when the next run is due
        # The last evaluation anywhere: every evaluated target's current snapshot carries it (an indexed few rows).
        last = ComplianceSnapshot.objects.filter(is_current=True).aggregate(last=Max("computed_at"))["last"]
        next_due = last + interval if last else now + interval
        if next_due < now:
            next_due += interval * ((now - next_due) // interval + 1)
    return {
        "evaluable": evaluable,
        "never": not snapshots,
        "next": next_due,
        "interval_minutes": int(interval.total_seconds() // 60),
        "queued": queued if queued and not evaluated_since(target, queued) else None,
        "can_evaluate": evaluable and user.has_perm(EVALUATE_PERMISSION),
    }
