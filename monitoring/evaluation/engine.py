"""Evaluate service level targets at an instant: snapshots, breaches and burn-rate alerts.

`evaluate_targets(ids, at)` is what the Celery tasks and `manage.py evaluate_slos` call. It is deterministic (every
row it writes depends only on the stored data and ``at``) and idempotent (snapshots and breaches are upserts on
their unique keys), and a chunk of targets is evaluated in one transaction with the targets' rows locked, so two
workers evaluating the same target wait for each other instead of mixing their results, and a worker killed in the
middle leaves nothing half-written.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects

from agreements.models import BusinessCalendar, ServiceLevelTarget
from agreements.models.maintenance import excluded_parts
from core.currencies import Currency
from core.formatting import plain_number
from monitoring import slo, windows
from monitoring.choices import BreachKind, BudgetUnit, SnapshotStatus
from monitoring.evaluation.alerts import AlertBook
from monitoring.evaluation.episodes import EpisodeBook
from monitoring.evaluation.plan import TargetPlan
from monitoring.evaluation.tally import floor_minute, tallies
from monitoring.models import Breach, BurnRateRule, ComplianceSnapshot
from monitoring.signals import evaluation_finished

logger = logging.getLogger(__name__)

SNAPSHOT_FIELDS = [
    "period_end",
    "window_start",
    "period_label",
    "is_closed",
    "objective",
    "method",
    "missing_data",
    "slice_minutes",
    "good",
    "total",
    "good_slices",
    "slices_with_data",
    "slices_in_scope",
    "ratio_units",
    "attainment",
    "budget_unit",
    "budget_total",
    "budget_consumed",
    "budget_remaining",
    "burn_rates",
    "status",
    "credit_percent",
    "credit_amount",
    "currency",
    "computed_at",
    "is_current",
    "fastest_burn",
    "fastest_burn_window",
    "maintenance",
    "in_maintenance",
]


@dataclass
class EvaluationSummary:
    targets: int = 0
    snapshots: int = 0
    breaches: int = 0
    alerts_fired: int = 0
    alerts_resolved: int = 0

    def __iadd__(self, other):
        for field in ("targets", "snapshots", "breaches", "alerts_fired", "alerts_resolved"):
            setattr(self, field, getattr(self, field) + getattr(other, field))
        return self


def evaluable_targets():
    """Targets of active agreements that measure an indicator."""
    return ServiceLevelTarget.objects.of_active_agreements().filter(indicator_link__isnull=False)


def _load(target_ids):
    # Lock first, in id order (no joins: PostgreSQL cannot lock the nullable side of an outer join), then read.
    locked = list(
        ServiceLevelTarget.objects.select_for_update()
        .filter(pk__in=target_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Credit tiers are read for the periods that close (``_settle_credit_tiers``), an agreement's services for the
    # alerts that notify (``AlertBook.save``): most evaluations need neither.
    return list(
        evaluable_targets()
        .filter(pk__in=locked)
        .select_related("agreement", "service_hours", "indicator_link__indicator")
        .order_by("pk")
    )


def _working_calendars(targets):
    """{calendar id: WorkingCalendar} of the targets' service hours, each read once for the chunk."""
    ids = {target.service_hours_id for target in targets if target.service_hours_id}
    if not ids:
        return {}
    calendars = BusinessCalendar.objects.filter(pk__in=ids).prefetch_related("working_periods", "holidays")
    return {calendar.pk: calendar.as_working_calendar() for calendar in calendars}


def _settle_credit_tiers(plans):
    """Read the credit tiers of the targets with a calendar period to settle, in one query."""
    closing = [plan.target for plan in plans if any(job.frozen and not job.rolling for job in plan.jobs)]
    prefetch_related_objects(closing, "credit_tiers")


def _credit(job, attainment):
    """(credit %, amount) of a closed calendar period: settled once, when the period is frozen, like its status."""
    target = job.target
    if job.rolling or not job.frozen or attainment is None:
        return Decimal(0), Decimal(0)
    tiers = [(tier.below_attainment, tier.credit_percent) for tier in target.credit_tiers.all()]
    percent = slo.credit_percent(slo.to_percent(attainment), tiers)
    agreement = target.agreement
    amount = slo.credit_amount(
        agreement.monthly_fee,
        percent,
        windows.MONTHS_IN[target.calendar_period],
        Currency(agreement.currency).minor_unit,
    )
    return percent, amount


def _snapshot(plan, job, tally, burns, alert_firing, at, rule_windows=(), current=False):
    target = job.target
    method = slo.Method(target.budgeting_method)
    missing = slo.MissingData(target.missing_data)
    objective = target.objective_fraction
    attainment = slo.attainment(method, tally, missing)
    budget = slo.error_budget(
        method,
        tally,
        objective,
        period_minutes=plan.budget_minutes(job),
        slice_minutes=target.slice_minutes,
        missing=missing,
    )
    # A calendar period is judged against its objective once it is closed (frozen, SLM_CLOSE_GRACE_MINUTES after its
    # end); until then, in the grace too, by its budget: a budget spent to the last minute is breached until the
    # period closes, then met if attainment is exactly at the objective.
    status = slo.status(
        attainment=attainment,
        objective=objective,
        closed=job.frozen and not job.rolling,
        budget_remaining=budget.remaining,
        warning_threshold=slo.from_percent(target.warning_threshold),
        alert_firing=alert_firing,
    )
    if below_minimum(target, tally.total) and status in (slo.Status.BREACHED, slo.Status.AT_RISK):
        # Too few events to judge (the agreement's small-volume clause): reported, never breached nor credited.
        status = slo.Status.MET if job.frozen and not job.rolling else slo.Status.ON_TRACK
        credit_percent, credit_amount = Decimal(0), Decimal(0)
    else:
        credit_percent, credit_amount = _credit(job, attainment)
    fastest, fastest_window = _fastest_burn(burns, rule_windows)
    return ComplianceSnapshot(
        target=target,
        period_start=job.period_start,
        period_end=job.period.end,
        window_start=job.period.start,
        period_label=job.period.label,
        is_closed=job.frozen,
        objective=target.objective,
        method=target.budgeting_method,
        missing_data=target.missing_data,
        slice_minutes=target.slice_minutes,
        good=tally.good,
        total=tally.total,
        good_slices=tally.good_slices,
        slices_with_data=tally.slices_with_data,
        slices_in_scope=tally.slices_in_scope,
        ratio_units=tally.ratio_units,
        attainment=attainment,
        budget_unit=BudgetUnit.of(target.method),
        budget_total=budget.total,
        budget_consumed=budget.consumed,
        budget_remaining=budget.remaining,
        burn_rates={
            str(minutes): (None if rate is None else plain_number(rate)) for minutes, rate in sorted(burns.items())
        },
        status=status.value,
        credit_percent=credit_percent,
        credit_amount=credit_amount,
        currency=target.agreement.currency,
        computed_at=at,
        is_current=current,
        fastest_burn=fastest,
        fastest_burn_window=fastest_window,
        maintenance=plan.parts_within(job.period.start, job.period.end),
        in_maintenance=current and plan.in_maintenance,
    )


def below_minimum(target, events):
    """Whether a period with ``events`` counted is under the target's minimum number of events (not judged)."""
    return bool(target.minimum_events) and target.method.counts_events and events < target.minimum_events


def _fastest_burn(burns, rule_windows):
    """(rate, long window in minutes) of the fastest long-window burn among the alert rules whose short window burns
    now, at 1x or faster: a target that burnt its budget hours ago and spends nothing now is not burning.
    (None, None) when no rule's windows burn."""
    burning = [
        (burns[long], long)
        for long, short in rule_windows
        if burns.get(long) is not None and burns[long] > 0 and burns.get(short) is not None and burns[short] >= 1
    ]
    return max(burning, default=(None, None))


def _breach(job, snapshot, at):
    """The breach of a calendar period (rolling windows have episodes: ``episodes.EpisodeBook``)."""
    if snapshot.status != slo.Status.BREACHED or job.rolling:
        return None
    if job.ended and not job.frozen:
        return None  # the period is over but late data may still arrive: judge it once the grace has passed
    kind = BreachKind.PERIOD_MISSED if job.frozen else BreachKind.BUDGET_EXHAUSTED
    return Breach(
        target=job.target,
        period_start=job.period_start,
        period_end=job.period.end,
        period_label=job.period.label,
        kind=kind,
        detected_at=at,
        attainment=snapshot.attainment,
        objective=snapshot.objective,
    )


def _exclude(plans, burn_windows, at):
    """Give each plan the maintenance and exclusions of its agreement and service, read once for the chunk."""
    since = min([plan.since for plan in plans] + [at - dt.timedelta(minutes=max(burn_windows, default=0))], default=at)
    pairs = {(plan.target.agreement, plan.target.indicator_link.indicator.service_id) for plan in plans}
    # Up to the end of the periods running: a time-based budget is taken over the whole period, less all of its
    # excluded time, the maintenance ahead included.
    until = max([at + dt.timedelta(days=1)] + [job.period.end for plan in plans for job in plan.jobs])
    parts = excluded_parts(pairs, since, until)
    for plan in plans:
        plan.exclude(parts[(plan.target.agreement_id, plan.target.indicator_link.indicator.service_id)])


def evaluate_targets(target_ids, at):
    """Evaluate the given targets as of ``at`` (an aware datetime); one transaction for all of them."""
    at = floor_minute(at.astimezone(dt.UTC))
    summary = EvaluationSummary()
    with transaction.atomic():
        targets = _load(target_ids)
        if not targets:
            return summary
        rules = list(BurnRateRule.objects.active())
        burn_windows = sorted({m for rule in rules for m in (rule.long_window_minutes, rule.short_window_minutes)})
        rule_windows = sorted({(rule.long_window_minutes, rule.short_window_minutes) for rule in rules})
        frozen = {}
        # Closed periods are history and are not recomputed, except those that had no data at all: samples
        # loaded later (a CSV of last quarter, say) must still be able to count there.
        for target_id, start in (
            ComplianceSnapshot.objects.filter(target__in=targets, is_closed=True)
            .exclude(status=SnapshotStatus.NO_DATA)
            .values_list("target_id", "period_start")
        ):
            frozen.setdefault(target_id, set()).add(start)
        calendars = _working_calendars(targets)
        plans = [
            TargetPlan(target, at, frozen.get(target.pk, set()), calendars.get(target.service_hours_id))
            for target in targets
        ]
        _settle_credit_tiers(plans)
        _exclude(plans, burn_windows, at)
        measured = tallies([request for plan in plans for request in plan.requests(burn_windows)])
        alerts = AlertBook(targets, rules, at)
        episodes = EpisodeBook(targets)
        snapshots, breaches = [], []
        for plan in plans:
            open_job = plan.open_job
            for job in plan.jobs:
                burns = {}
                firing = False
                if job is open_job:
                    burns = {
                        minutes: slo.burn_rate(
                            job.target.budgeting_method,
                            measured[("burn", job.target.pk, minutes)],
                            job.target.objective_fraction,
                            job.target.missing_data,
                        )
                        for minutes in burn_windows
                    }
                    firing = alerts.update(job.target, burns)
                snapshot = _snapshot(
                    plan, job, measured[("period", job.key)], burns, firing, at, rule_windows, current=job is open_job
                )
                snapshots.append(snapshot)
                breach = _breach(job, snapshot, at)
                if breach:
                    breaches.append(breach)
                if job.rolling:  # the plan yields a rolling target's windows oldest first
                    episodes.observe(job.target, job.period.end, snapshot)
            if open_job is None:
                alerts.update(plan.target, None)
        # The open period's snapshot becomes the target's current one (dashboards read "current" snapshots only).
        ComplianceSnapshot.objects.filter(target__in=targets, is_current=True).update(is_current=False)
        ComplianceSnapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["target", "period_start"],
            update_fields=SNAPSHOT_FIELDS,
            batch_size=500,
        )
        Breach.objects.bulk_create(breaches, ignore_conflicts=True, batch_size=500)
        episodes_begun = episodes.save()
        fired, resolved = alerts.save()
    summary.targets = len(targets)
    summary.snapshots = len(snapshots)
    summary.breaches = len(breaches) + episodes_begun
    summary.alerts_fired, summary.alerts_resolved = fired, resolved
    evaluation_finished.send(sender=evaluate_targets, at=at, summary=summary)
    return summary
