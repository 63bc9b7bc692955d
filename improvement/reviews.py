"""Effect reviews: the plan's targets before it started and after it completed, read from compliance snapshots."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.formatting import plain_number
from core.statuses import TONES
from improvement import effect
from improvement.choices import PlanStatus
from improvement.models import EffectReview
from monitoring import slo
from monitoring.choices import SnapshotStatus
from monitoring.models import ComplianceSnapshot


def _period(snapshot):
    return effect.Period(snapshot.period_label, snapshot.attainment, snapshot.status == SnapshotStatus.BREACHED)


def _percent(value):
    return None if value is None else plain_number(slo.rounded(slo.to_percent(value), 3))


def plan_targets(plan):
    targets = list(plan.targets.select_related("agreement"))
    if plan.goal_target_id and all(target.pk != plan.goal_target_id for target in targets):
        targets.append(plan.goal_target)
    return targets


def not_reviewable(plan):
    """Why the plan cannot be reviewed now, or "": only a completed plan is (a verified one is closed first)."""
    if plan.status != PlanStatus.COMPLETED:
        return _("Only a completed plan can be reviewed.")
    return ""


def review(plan, user=None):
    """Compare each target's closed periods before the start and after the completion; store and return the review."""
    if plan.started_at is None or plan.completed_at is None:
        raise ValueError(_("Only a plan that was started and completed can be reviewed."))
    targets = plan_targets(plan)
    snapshots = {}
    for snapshot in ComplianceSnapshot.objects.filter(target__in=targets, is_closed=True).order_by("period_start"):
        snapshots.setdefault(snapshot.target_id, []).append(snapshot)
    details, effects = [], []
    for target in targets:
        rows = snapshots.get(target.pk, [])
        before = [_period(s) for s in rows if s.period_end <= plan.started_at]
        after = [_period(s) for s in rows if s.period_start >= plan.completed_at]
        result = effect.target_effect(before, after, plan.review_periods, target.objective_fraction)
        effects.append(result)
        details.append(
            {
                "agreement": target.agreement.code,
                "target": target.code,
                "name": target.name,
                "objective": plain_number(target.objective),
                "before": [
                    {"label": p.label, "attainment": _percent(p.attainment), "breached": p.breached}
                    for p in result.before.periods
                ],
                "after": [
                    {"label": p.label, "attainment": _percent(p.attainment), "breached": p.breached}
                    for p in result.after.periods
                ],
                "mean_before": _percent(result.before.mean_attainment),
                "mean_after": _percent(result.after.mean_attainment),
                "breaches_before": result.before.breaches,
                "breaches_after": result.after.breaches,
                "verdict": result.verdict,
            }
        )
    return EffectReview.objects.create(
        plan=plan,
        periods=plan.review_periods,
        verdict=effect.plan_verdict(effects),
        details=details,
        reviewed_by=user,
    )


def review_chart(targets):
    """Attainment per period before and after, one pair of traces per target (rows of ``EffectReview.rows``, those
    the reader may see), as a plain plotly figure."""
    data, rows = [], []
    for target in targets:
        for side, colour in (("before", TONES["secondary"]), ("after", TONES["primary"])):
            points = target[side]
            label = _("before") if side == "before" else _("after")
            data.append(
                {
                    "type": "bar",
                    "name": f"{target['name']} · {label}",
                    "x": [p["label"] for p in points],
                    "y": [None if p["attainment"] is None else float(p["attainment"]) for p in points],
                    "marker": {"color": colour},
                }
            )
            rows += [
                (target["name"], label, p["label"], p["attainment"] or "—", _("yes") if p["breached"] else "")
                for p in points
            ]
    values = [y for trace in data for y in trace["y"] if y is not None]
    low = min(values, default=99.0)
    figure = {
        "data": data,
        "layout": {"height": 280, "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "xaxis": {"type": "category"},
                   "yaxis": {"title": {"text": "%"}, "range": [max(0.0, low - (100 - low) * 0.5 - 0.01), 100]},
                   "legend": {"orientation": "h", "y": -0.25}},
    }  # fmt: skip
    return figure, {
        "headers": [
            _("Target"),
            pgettext("before or after the plan", "When"),
            _("Period"),
            _("Attainment (%)"),
            _("Breached"),
        ],
        "rows": rows,
    }
