"""Reading compliance back: the snapshot that answers "how did this target do in month M?".

The API, the dashboards and the reports all read through here, so they show the same numbers.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from agreements.choices import WindowKind
from core.formatting import money_amount, plain_number
from monitoring import windows
from monitoring.evaluation.plan import target_time_zone
from monitoring.models import ComplianceSnapshot


def window_label(minutes):
    """5 -> "5m", 60 -> "1h", 4320 -> "3d"."""
    minutes = int(minutes)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def target_month(target, label):
    """[start, end) of the month "YYYY-MM" in the target's own zone: November in Pacific/Auckland ends eleven hours
    before November in UTC, so a month read in another zone would answer another month's snapshot. None for a month
    the calendar cannot bound there (January of year 1 east of the portal's zone, say)."""
    try:
        return windows.month_bounds(label, target_time_zone(target))
    except ValueError:
        return None


def target_snapshot(target, snapshots, label):
    """Of the target's ``snapshots``, the one that answers for the month ``label`` in its own zone (or None)."""
    bounds = target_month(target, label)
    return snapshot_for_month(snapshots, *bounds) if bounds else None


def snapshot_for_month(snapshots, start, end):
    """Of one target's snapshots, the one whose period holds the month's last moment (or the latest in it)."""
    inside = [s for s in snapshots if s.period_start < end and s.period_end > start]
    if not inside:
        return None
    covering = [s for s in inside if s.period_start < end <= s.period_end]
    return max(covering or inside, key=lambda s: s.period_start)


def _number(value):
    return None if value is None else plain_number(value)


def target_compliance(target, snapshot):
    """The API's and the report's view of one target in one period."""
    link = getattr(target, "indicator_link", None)
    base = {
        "code": target.code,
        "name": target.name,
        "indicator": link.indicator.code if link else None,
        "objective_percent": plain_number(target.objective),
        "window": target.window_display if target.window_kind == WindowKind.ROLLING else target.calendar_period,
        "method": target.budgeting_method,
    }
    if snapshot is None:
        return {
            **base,
            "period": None,
            "attainment": None,
            "attainment_percent": None,
            "status": "no_data",
            "error_budget": None,
            "burn_rates": {},
            "credit": None,
            "evaluated_at": None,
        }
    return {
        **base,
        "objective_percent": plain_number(snapshot.objective),
        "method": snapshot.method,
        "period": {
            "label": snapshot.period_label,
            # What was counted: a rolling window's own start (its snapshot is filed under the day it ends in), or a
            # calendar period's start within the agreement's validity.
            "start": snapshot.window_start or snapshot.period_start,
            "end": snapshot.period_end,
            "closed": snapshot.is_closed,
        },
        "attainment": _number(snapshot.attainment),
        "attainment_percent": _number(snapshot.attainment_percent),
        "status": snapshot.status,
        "error_budget": {
            "unit": snapshot.budget_unit,
            "total": plain_number(snapshot.budget_total),
            "consumed": plain_number(snapshot.budget_consumed),
            "left": plain_number(snapshot.budget_left),
            "remaining": _number(snapshot.budget_remaining),
        },
        "burn_rates": {
            window_label(minutes): (None if rate is None else plain_number(rate))
            for minutes, rate in sorted(snapshot.burn_rates.items(), key=lambda item: int(item[0]))
        },
        "credit": {
            "percent": plain_number(snapshot.credit_percent),
            "amount": money_amount(snapshot.credit_amount, snapshot.currency),
            "currency": snapshot.currency,
        },
        "evaluated_at": snapshot.computed_at,
    }


def agreement_compliance(agreement, month=None, now=None):
    """Compliance of every target of ``agreement`` in the month "YYYY-MM", each target's month taken in its own time
    zone. Without a month, each target answers for the month running now in its zone (the answer's "period" is the
    portal's)."""
    now = now or timezone.now()
    labels = None if month else lambda target: windows.month_label(now, target_time_zone(target))
    month = month or windows.month_label(now, settings.TIME_ZONE)
    if labels:  # the months running now, in zones up to 14 hours either side of UTC
        start = windows.month_in_any_zone(windows.month_label(now - windows.ANY_OFFSET, "UTC"))[0]
        end = windows.month_in_any_zone(windows.month_label(now + windows.ANY_OFFSET, "UTC"))[1]
    else:
        start, end = windows.month_in_any_zone(month)
    targets = agreement.targets.select_related("indicator_link__indicator", "service_hours").prefetch_related(
        Prefetch(
            "snapshots",
            queryset=ComplianceSnapshot.objects.filter(period_start__lt=end, period_end__gt=start),
            to_attr="month_snapshots",
        )
    )
    return {
        "agreement": agreement.code,
        "title": agreement.title,
        "customer": agreement.customer.name,
        "period": month,
        "targets": [
            target_compliance(
                target, target_snapshot(target, target.month_snapshots, labels(target) if labels else month)
            )
            for target in targets
        ],
    }
