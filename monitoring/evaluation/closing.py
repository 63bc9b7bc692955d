"""The last evaluation of an agreement that has come to its end (registered with ``agreements.extensions
.agreement_expiry`` by MonitoringConfig.ready).

Evaluation reads active agreements only, so once an agreement is marked expired its periods are never touched again.
Before that happens its targets are evaluated once more, at the moment of expiry: each period ends at the start of the
agreement's *valid to* day in the target's own zone (``TargetPlan`` clips it there), and once its grace has passed
this evaluation closes and freezes it, with its status and credit, exactly as a regular run would have. Nothing new
is written after the end, since the plan has no period past it. While a target's last period is still in its grace
(its zone lies west of the portal's), the agreement is kept active for a later run.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from agreements.extensions import AgreementExpiryExtension
from monitoring.evaluation.engine import evaluable_targets, evaluate_targets
from monitoring.evaluation.plan import target_time_zone


def end_of_agreement(target):
    """The instant the target's agreement ends for it: the start of its *valid to* day in the target's zone."""
    day = target.agreement.valid_to
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(target_time_zone(target))).astimezone(dt.UTC)


class FinalEvaluation(AgreementExpiryExtension):
    def settle(self, agreement, now):
        if agreement.valid_to is None:
            return True
        targets = list(evaluable_targets().filter(agreement=agreement).select_related("agreement", "service_hours"))
        grace = dt.timedelta(minutes=settings.SLM_CLOSE_GRACE_MINUTES)
        if any(now < end_of_agreement(target) + grace for target in targets):
            return False
        if targets:
            evaluate_targets([target.pk for target in targets], now)
        return True


FINAL_EVALUATION = FinalEvaluation()
