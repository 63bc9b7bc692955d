"""Demo improvement plans: one in progress after last month's internet banking breach, and one verified for the
warehouse system, whose effect review shows it improved. Idempotent; dates follow the demo's own months."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from agreements.models import Service, ServiceLevelTarget
from improvement import reviews
from improvement.choices import ActionStatus, PlanStatus
from improvement.models import Action, ImprovementPlan, PlanStatusChange
from monitoring.models import Breach
from monitoring.windows import MONTH, calendar_period


def _month_start(instant):
    """Local midnight of the first of the month running at ``instant``, in the portal's zone (so that adding days
    and taking dates stays in local time)."""
    return calendar_period(MONTH, instant, settings.TIME_ZONE).start.astimezone(ZoneInfo(settings.TIME_ZONE))


def _plan(title, **fields):
    plan, _created = ImprovementPlan.objects.update_or_create(title=title, defaults=fields)
    return plan


def seed_improvement_demo(people, now=None):
    now = now or timezone.now()
    manager = people.get("manager")
    this_month = _month_start(now)
    last_month = _month_start(this_month - dt.timedelta(days=1))

    banking = ServiceLevelTarget.objects.filter(agreement__code="hanbit-digital-sla", code="availability").first()
    wms = ServiceLevelTarget.objects.filter(agreement__code="saebyeok-wms-sla", code="availability").first()
    if banking is None or wms is None:
        return []

    plan = _plan(
        "Stop salary-day outages of internet banking",
        customer=banking.agreement.customer,
        problem="Internet banking breached its 99.9 % availability last month; the customer also complains.",
        goal_target=banking,
        baseline_attainment=None,
        desired_attainment=banking.objective,
        goal_date=(this_month + dt.timedelta(days=75)).date(),
        owner=manager,
        status=PlanStatus.IN_PROGRESS,
        started_at=this_month + dt.timedelta(days=2),
    )
    plan.services.set([Service.objects.get(code="internet-banking")])
    plan.targets.set([banking])
    plan.breaches.set(Breach.objects.filter(target=banking))
    for description, days, status in (
        ("Add a second database replica for the login service", -3, ActionStatus.IN_PROGRESS),
        ("Load-test salary-day traffic before the next payday", 10, ActionStatus.OPEN),
        ("Find the root cause of last month's outage", -20, ActionStatus.DONE),
    ):
        Action.objects.update_or_create(
            plan=plan,
            description=description,
            defaults={
                "owner": manager,
                "due_date": timezone.localdate(now) + dt.timedelta(days=days),
                "status": status,
                "completion_note": "Connection pool exhausted by a batch job." if status == ActionStatus.DONE else "",
            },
        )

    # The warehouse fix went live at the start of last month: its review compares the month before with it.
    fixed_at = last_month
    verified = _plan(
        "Keep warehouses running through data centre failover",
        customer=wms.agreement.customer,
        problem="A six-hour outage of the warehouse system two months ago stopped dispatch.",
        goal_target=wms,
        desired_attainment=wms.objective,
        owner=manager,
        review_periods=1,
        status=PlanStatus.COMPLETED,
        started_at=fixed_at,
        completed_at=fixed_at,
    )
    verified.services.set([Service.objects.get(code="wms")])
    verified.targets.set([wms])
    verified.breaches.set(Breach.objects.filter(target=wms))
    if not verified.reviews.exists():
        reviews.review(verified, manager)
    if not PlanStatusChange.objects.filter(plan=verified, to_status=PlanStatus.VERIFIED).exists():
        verified.transition_to(PlanStatus.VERIFIED, manager, "The review shows the effect.")
    return [plan, verified]
