"""Maintenance windows and exclusions for the page tests, dated from today in the portal's zone (never a fixed
date the real clock would meet), and a closed period to run into."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from agreements.choices import BudgetingMethod, ExclusionReason, MaintenanceStatus
from agreements.models import Exclusion, MaintenanceWindow
from monitoring.choices import BudgetUnit, SnapshotStatus
from monitoring.models import ComplianceSnapshot, TargetIndicator
from tests.factories import TargetFactory
from tests.monitoring.factories import ThresholdIndicatorFactory


def local(days, hour=0, minute=0):
    """``days`` from today at ``hour``:``minute``, wall-clock time in the portal's zone, as an aware datetime."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def typed(instant):
    """An instant as the form's datetime-local field takes it: wall-clock time in the portal's zone."""
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


def make_window(service, start, minutes=120, **fields):
    return MaintenanceWindow.objects.create(
        service=service,
        title=fields.pop("title", "Database patch"),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        **fields,
    )


def approve(window, user, at):
    """Approve ``window`` as ``user`` at the instant ``at`` (the announcement the notice counts from)."""
    window.transition_to(MaintenanceStatus.APPROVED, user=user, now=at)
    window.refresh_from_db()
    return window


def make_exclusion(agreement, start, minutes=30, **fields):
    return Exclusion.objects.create(
        agreement=agreement,
        service=fields.pop("service", None) or agreement.services.first(),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        reason=fields.pop("reason", ExclusionReason.CUSTOMER_CAUSED),
        description=fields.pop("description", "The customer's firewall blocked the probes."),
        customer_agreement=fields.pop("customer_agreement", "J. Kim, e-mail"),
        **fields,
    )


def window_post(service, start, end, **fields):
    """The window form as the browser posts it."""
    return {
        "service": str(service.pk),
        "title": "Database patch",
        "description": "",
        "starts_at": typed(start),
        "ends_at": typed(end),
        "recurrence": "none",
        "repeat_until": "",
        "calendar": "",
        "customer_visible": "on",
        **fields,
    }


def exclusion_post(service, start, end, **fields):
    return {
        "service": str(service.pk),
        "starts_at": typed(start),
        "ends_at": typed(end),
        "reason": ExclusionReason.CUSTOMER_CAUSED,
        "description": "The customer's firewall change blocked the probes.",
        "customer_agreement": "J. Kim, e-mail of the same day",
        **fields,
    }


def close_period(agreement, start, end):
    """A target of ``agreement`` measuring its service, with a closed (met) period [start, end): its results are
    history, and no window or exclusion may reach into it."""
    target = TargetFactory(agreement=agreement, code="closed-availability", budgeting_method=BudgetingMethod.TIMESLICES)
    TargetIndicator.objects.create(
        target=target, indicator=ThresholdIndicatorFactory(service=agreement.services.first())
    )
    return ComplianceSnapshot.objects.create(
        target=target,
        period_start=start,
        period_end=end,
        period_label=f"{timezone.localtime(start):%Y-%m}",
        is_closed=True,
        objective=Decimal("99.9"),
        method=BudgetingMethod.TIMESLICES,
        budget_unit=BudgetUnit.MINUTES,
        status=SnapshotStatus.MET,
        computed_at=end,
    )
