"""Demo improvement plans: one in progress after last month's internet banking breach, and one verified for the
warehouse system, whose effect review shows it improved. Each went through its workflow step by step, and its
status history says when and by whom. And the last quarterly service review of the digital banking SLA, with a
decision of each kind. Idempotent; dates follow the demo's own months."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from agreements.models import Agreement, Service, ServiceLevelTarget
from agreements.review_cycles import add_months
from improvement import reviews
from improvement.choices import ActionStatus, DecisionKind, PlanStatus
from improvement.models import Action, ImprovementPlan, PlanStatusChange, ReviewDecision, ReviewMeeting
from monitoring import slo
from monitoring.models import Breach, ComplianceSnapshot
from monitoring.windows import MONTH, QUARTER, calendar_period, label_of


def _month_start(instant):
    """Local midnight of the first of the month running at ``instant``, in the portal's zone (so that adding days
    and taking dates stays in local time)."""
    return calendar_period(MONTH, instant, settings.TIME_ZONE).start.astimezone(ZoneInfo(settings.TIME_ZONE))


def _plan(title, **fields):
    plan, _created = ImprovementPlan.objects.update_or_create(title=title, defaults=fields)
    return plan


def _attainment_before(target, instant):
    """The attainment (%) of the target's last period closed by ``instant``, as its snapshot holds it."""
    snapshot = (
        ComplianceSnapshot.objects.filter(target=target, is_closed=True, period_end__lte=instant)
        .exclude(attainment=None)
        .order_by("-period_end")
        .first()
    )
    return None if snapshot is None else slo.rounded(slo.to_percent(snapshot.attainment), 3)


def _walk(plan, created_at, steps, person, before_verifying=None):
    """Take the plan, proposed at ``created_at``, through its workflow as ``person``: ``steps`` are (status, when,
    note), made as the pages make them (``transition_to``) and then dated ``when`` (None: now). A plan whose recorded
    way is already these steps is left alone; one with another or no history (a demo loaded by an older version) is
    walked again from proposed. ``before_verifying(plan)`` runs before the verifying step (the review it needs)."""
    if list(plan.status_changes.values_list("to_status", flat=True)) == [status for status, _when, _note in steps]:
        return
    plan.status_changes.all().delete()
    ImprovementPlan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.PROPOSED, started_at=None, completed_at=None, created_at=created_at
    )
    plan.refresh_from_db()
    for status, when, note in steps:
        if status == PlanStatus.VERIFIED and before_verifying:
            before_verifying(plan)
        plan.transition_to(status, person, note)
        if when is None:
            continue
        PlanStatusChange.objects.filter(pk=plan.status_changes.latest("pk").pk).update(changed_at=when)
        stamps = {"started_at": when} if status == PlanStatus.IN_PROGRESS else {}
        stamps.update({"completed_at": when} if status == PlanStatus.COMPLETED else {})
        if stamps:
            ImprovementPlan.objects.filter(pk=plan.pk).update(**stamps)
            plan.refresh_from_db()


def _actions(plan, owner, rows):
    """(description, due date, status, completion note) of the plan's actions; done ones done on their due date."""
    for description, due, status, note in rows:
        Action.objects.update_or_create(
            plan=plan,
            description=description,
            defaults={
                "owner": owner,
                "due_date": due,
                "status": status,
                "completion_note": note,
                "completed_at": dt.datetime.combine(due, dt.time(17), ZoneInfo(settings.TIME_ZONE))
                if status == ActionStatus.DONE
                else None,
            },
        )


def seed_improvement_demo(people, now=None):
    now = now or timezone.now()
    manager = people.get("manager")
    this_month = _month_start(now)
    last_month = _month_start(this_month - dt.timedelta(days=1))
    two_ago = _month_start(last_month - dt.timedelta(days=1))

    banking = ServiceLevelTarget.objects.filter(agreement__code="hanbit-digital-sla", code="availability").first()
    wms = ServiceLevelTarget.objects.filter(agreement__code="saebyeok-wms-sla", code="availability").first()
    if banking is None or wms is None:
        return []

    # Proposed once last month had closed in breach, approved and started since: each step a share of this month.
    month_so_far = now - this_month
    plan = _plan(
        "Stop salary-day outages of internet banking",
        customer=banking.agreement.customer,
        problem="Internet banking breached its 99.9 % availability last month; the customer also complains.",
        goal_target=banking,
        baseline_attainment=_attainment_before(banking, this_month),
        desired_attainment=banking.objective,
        goal_date=(this_month + dt.timedelta(days=75)).date(),
        owner=manager,
    )
    plan.services.set([Service.objects.get(code="internet-banking")])
    plan.targets.set([banking])
    plan.breaches.set(Breach.objects.filter(target=banking))
    _walk(
        plan,
        this_month + month_so_far / 4,
        [
            (PlanStatus.APPROVED, this_month + month_so_far / 2, "Agreed with Hanbit Bank in the service review."),
            (PlanStatus.IN_PROGRESS, this_month + month_so_far * 3 / 4, "Database team assigned."),
        ],
        manager,
    )
    today = timezone.localdate(now)
    _actions(
        plan,
        manager,
        [
            ("Add a second database replica for the login service", today - dt.timedelta(days=3),
             ActionStatus.IN_PROGRESS, ""),
            ("Load-test salary-day traffic before the next payday", today + dt.timedelta(days=10),
             ActionStatus.OPEN, ""),
            ("Find the root cause of last month's outage", today - dt.timedelta(days=20), ActionStatus.DONE,
             "Connection pool exhausted by a batch job."),
        ],
    )  # fmt: skip

    # The warehouse outage was two months ago; the failover was rebuilt and cut over at the turn of last month, so its
    # review compares the outage month with last month (one period each side).
    fixed_at = last_month
    verified = _plan(
        "Keep warehouses running through data centre failover",
        customer=wms.agreement.customer,
        problem="A six-hour outage of the warehouse system two months ago stopped dispatch.",
        goal_target=wms,
        baseline_attainment=_attainment_before(wms, fixed_at),
        desired_attainment=wms.objective,
        goal_date=fixed_at.date(),
        owner=manager,
        review_periods=1,
    )
    verified.services.set([Service.objects.get(code="wms")])
    verified.targets.set([wms])
    verified.breaches.set(Breach.objects.filter(target=wms))
    _actions(
        verified,
        manager,
        [
            ("Find why the failover did not start on its own", (two_ago + dt.timedelta(days=9)).date(),
             ActionStatus.DONE, "The witness server was in the data centre that failed."),
            ("Move the witness server to a third site", (two_ago + dt.timedelta(days=18)).date(), ActionStatus.DONE,
             "Running in the cloud region since the 18th."),
            ("Rehearse a data centre failover with the night shift", (fixed_at - dt.timedelta(days=2)).date(),
             ActionStatus.DONE, "Failover took 9 minutes; dispatch kept running."),
        ],
    )  # fmt: skip

    def review_once_completed(row):
        if not row.reviews_since_completion().exists():
            reviews.review(row, manager)

    _walk(
        verified,
        two_ago + dt.timedelta(days=6),
        [
            (PlanStatus.APPROVED, two_ago + dt.timedelta(days=7), "Saebyeok Logistics asked for it in writing."),
            (PlanStatus.IN_PROGRESS, fixed_at, "Cut-over booked for midnight at the turn of the month."),
            (PlanStatus.COMPLETED, fixed_at, "Failover rebuilt and cut over."),
            (PlanStatus.VERIFIED, None, "The review shows the effect."),
        ],
        manager,
        before_verifying=review_once_completed,
    )
    seed_reviews(people, now)
    return [plan, verified]


def seed_reviews(people, now):
    """The last quarterly review of Hanbit Bank's digital banking SLA, held one cycle before its next review (which
    is soon), with a decision of each kind, its minutes confirmed by the customer. Made once; the warehouse SLA's
    review is left overdue."""
    agreement = Agreement.objects.filter(code="hanbit-digital-sla").first()
    if agreement is None or agreement.next_review is None or agreement.review_meetings.exists():
        return None
    held_on = add_months(agreement.next_review, -agreement.cycle.months)
    if held_on > timezone.localdate(now) or held_on < agreement.valid_from:
        return None
    manager, customer_person = people.get("manager"), people.get("hanbit")
    meeting = ReviewMeeting.objects.create(
        agreement=agreement,
        held_on=held_on,
        period_label=label_of(QUARTER, add_months(held_on, -3)),  # the last whole quarter before the meeting
        guests="Seojun Choi (Hanbit Bank, IT operations)",
        notes=(
            "Availability met its objective; the mobile API's speed was the main topic. Hanbit Bank plans a new "
            "app release and asks for a stricter latency target once it is live. Salary-day load is still a worry."
        ),
        recorded_by=manager,
        next_review_before=held_on,
        next_review_after=agreement.next_review,
    )
    meeting.participants.set([person for person in (manager, customer_person) if person])
    latency = agreement.targets.filter(code="api-latency").first()
    decisions = [
        {"kind": DecisionKind.KEEP, "text": "Internet banking availability stays at 99.9 % with its credit tiers."},
        {
            "kind": DecisionKind.CHANGE_TARGET,
            "target": latency,
            "objective_then": latency.objective if latency else None,
            "proposed_objective": Decimal("99.5"),
            "text": "Raise it once the new app release is live.",
        },
        {"kind": DecisionKind.START_PLAN, "text": "Load-test the mobile API for salary-day traffic."},
        {
            "kind": DecisionKind.RECORD_REQUIREMENT,
            "service": agreement.services.filter(code="mobile-api").first(),
            "text": "Push notifications in the app before planned maintenance.",
        },
    ]
    for position, fields in enumerate(decisions):
        if fields["kind"] == DecisionKind.CHANGE_TARGET and latency is None:
            continue
        ReviewDecision.objects.create(meeting=meeting, position=position, **fields)
    if customer_person:
        confirmed = dt.datetime.combine(held_on + dt.timedelta(days=2), dt.time(10), ZoneInfo(settings.TIME_ZONE))
        ReviewMeeting.objects.filter(pk=meeting.pk).update(
            minutes_confirmed_by=customer_person, minutes_confirmed_at=confirmed
        )
    return meeting
