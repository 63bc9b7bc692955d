"""What if: how a target's last closed periods would have ended at another objective, for the target form.

The agreement page's target form (``monitoring.forms.IndicatorOnTargetForm.render``) shows a box that asks the
what-if view (``monitoring.views.dashboards.what_if``) as the objective is typed; the view reads the typed objective
with ``parse_objective`` and answers with ``closed_periods``.
"""

from decimal import Decimal

from monitoring import slo
from monitoring.choices import COMPLIANCE, SnapshotStatus
from monitoring.models import ComplianceSnapshot

PERIODS = 12  # a year of monthly periods
HUNDRED = Decimal(100)


def parse_objective(text):
    """An objective typed in the target form ("99.95"): a Decimal percentage in (0, 100) with up to 3 decimals."""
    try:
        objective = Decimal(str(text).strip())
    except (ArithmeticError, ValueError):
        raise ValueError("the objective must be a number such as 99.9") from None
    if not objective.is_finite() or not 0 < objective < HUNDRED:
        raise ValueError("the objective must be more than 0 and less than 100")
    if -objective.as_tuple().exponent > 3:
        raise ValueError("the objective has at most three decimals")
    return objective


def closed_periods(target, objective, periods=PERIODS):
    """The last ``periods`` closed periods of ``target``: how each ended, and how it would have at ``objective``."""
    closed = list(
        ComplianceSnapshot.objects.filter(target=target, is_closed=True)
        .order_by("-period_start")
        .only("period_label", "attainment", "status", "objective")[:periods]
    )
    rows = []
    for snapshot in reversed(closed):
        attainment = None if snapshot.attainment is None else slo.to_percent(snapshot.attainment)
        if attainment is None:
            would_be = SnapshotStatus.NO_DATA
        else:
            would_be = SnapshotStatus.MET if attainment >= objective else SnapshotStatus.BREACHED
        rows.append(
            {
                "period": snapshot.period_label,
                "attainment": None if attainment is None else f"{attainment:.3f}",
                "objective_then": str(snapshot.objective.normalize()),
                "was": snapshot.status,
                "would_be": would_be.value,
                "tone": COMPLIANCE.tone(would_be),
            }
        )
    return rows
