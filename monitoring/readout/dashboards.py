"""What the dashboards show, read in a fixed number of queries whatever the data size.

Every function takes the viewing user and reads through the `.for_user()` checkpoint. What they read is cached
until the next evaluation by the views, with ``monitoring.readout.cache``.
"""

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, Substr
from django.utils import timezone

from agreements.choices import MaintenanceStatus, WindowKind
from agreements.models import Agreement, MaintenanceWindow, ServiceLevelTarget
from agreements.upcoming import may_occur_between, occurrences_between
from monitoring import slo, windows
from monitoring.choices import COMPLIANCE, SnapshotStatus
from monitoring.kinds import TICKET_KINDS
from monitoring.models import Breach, ComplianceSnapshot, Indicator, TargetIndicator

TREND_PERIODS = 12
READ_BACK = dt.timedelta(days=31 * TREND_PERIODS)  # the heatmap reads back this far from the newest snapshot
HEATMAP_ROWS = 15  # services: the heatmap is one screen high; the filters narrow it to the others
MAINTENANCE_AHEAD = dt.timedelta(days=30)
MONTH_LABEL = re.compile(r"\d{4}-\d{2}")
HUNDRED = Decimal(100)


def recent_snapshots(target_ids, periods=TREND_PERIODS):
    """{target id: [snapshots, oldest first]}: each target's last ``periods`` snapshots, in one query."""
    rows = (
        ComplianceSnapshot.objects.filter(target_id__in=target_ids)
        .annotate(rank=Window(RowNumber(), partition_by=F("target_id"), order_by=F("period_start").desc()))
        .filter(rank__lte=periods)
        .only(
            "target_id",
            "period_start",
            "period_end",
            "period_label",
            "status",
            "attainment",
            "objective",
            "budget_unit",
            "budget_total",
            "budget_consumed",
            "budget_remaining",
            "is_closed",
            "computed_at",
            "in_maintenance",
        )
    )
    history = defaultdict(list)
    for snapshot in sorted(rows, key=lambda s: (s.target_id, s.period_start)):
        history[snapshot.target_id].append(snapshot)
    return history


def _ticket_counting():
    """(has_tickets for agreements, counts_tickets for targets), as annotations (see ``dashboard_agreements``)."""
    counted = Indicator.objects.filter(
        kind__in=TICKET_KINDS, customer_id=OuterRef("customer_id"), service__agreements=OuterRef("pk")
    )
    ticket_link = TargetIndicator.objects.filter(target=OuterRef("pk"), indicator__kind__in=TICKET_KINDS)
    return Exists(counted), Exists(ticket_link)


def _customer_agreements(user, customer):
    return Agreement.objects.for_user(user).filter(customer=customer).active().order_by("code")


def dashboard_rows(user, customer):
    """The customer's active agreements and their targets, without compliance: what the dashboard's cached sections
    are found by, read as rows (tuples, no model instances: making 60 of them for every request and reading their
    fields back for the keys cost more than the rest of a cached page): [(agreement's pk, its row: every field, has
    the customer's tickets counted on one of its services, [each target's row: every field and whether it measures
    a ticket indicator, by code])], by code. Two queries. ``agreements_of_rows`` makes instances of those to draw."""
    has_tickets, counts_tickets = _ticket_counting()
    agreement_fields = [field.attname for field in Agreement._meta.concrete_fields]
    target_fields = [field.attname for field in ServiceLevelTarget._meta.concrete_fields]
    agreements = list(
        _customer_agreements(user, customer)
        .annotate(has_tickets=has_tickets)
        .values_list(*agreement_fields, "has_tickets")
    )
    targets = defaultdict(list)
    rows = (
        ServiceLevelTarget.objects.filter(agreement_id__in=[row[0] for row in agreements])
        .annotate(counts_tickets=counts_tickets)
        .order_by("code")
        .values_list(*target_fields, "counts_tickets")
    )
    agreement_at = target_fields.index("agreement_id")
    for row in rows:
        targets[row[agreement_at]].append(row)
    return [(row[0], row[:-1], row[-1], targets[row[0]]) for row in agreements]


def agreements_of_rows(rows):
    """Agreements and their targets as model instances, made from rows of ``dashboard_rows`` without a query (the
    sections to draw: ``attach_trends`` adds their compliance). Each has ``has_tickets``, each target
    ``counts_tickets``, and ``agreement.targets.all()`` gives the targets as a prefetch would."""
    agreement_fields = [field.attname for field in Agreement._meta.concrete_fields]
    target_fields = [field.attname for field in ServiceLevelTarget._meta.concrete_fields]
    agreements = []
    for _pk, row, has_tickets, target_rows in rows:
        agreement = Agreement.from_db("default", agreement_fields, row)
        agreement.has_tickets = has_tickets
        targets = []
        for target_row in target_rows:
            target = ServiceLevelTarget.from_db("default", target_fields, target_row[:-1])
            target.counts_tickets = target_row[-1]
            target.agreement = agreement
            targets.append(target)
        prefetched = agreement.targets.all()
        prefetched._result_cache, prefetched._prefetch_done = targets, True
        agreement._prefetched_objects_cache = {"targets": prefetched}
        agreements.append(agreement)
    return agreements


def upcoming_maintenance(user, agreement_ids, now=None, ahead=MAINTENANCE_AHEAD):
    """The occurrences of maintenance of the services of the agreements with the keys ``agreement_ids`` that
    customers see, running at ``now`` or starting within ``ahead``, soonest first: one query. Planned and approved
    windows; not cancelled or completed ones."""
    now = now or timezone.now()
    windows = (
        MaintenanceWindow.objects.for_user(user)
        .filter(customer_visible=True, status__in=[MaintenanceStatus.PLANNED, MaintenanceStatus.APPROVED])
        .filter(service__agreements__in=agreement_ids)
        .filter(may_occur_between(now, now + ahead))
        .select_related("service", "calendar")
        .distinct()
    )
    return occurrences_between(windows, now, now + ahead)


def attach_trends(agreements):
    """Each target's ``trend`` (its last periods' snapshots, oldest first) and ``current`` snapshot, and each
    agreement's ``worst`` status (and its label), in one query for all of them."""
    target_ids = [target.pk for agreement in agreements for target in agreement.targets.all()]
    history = recent_snapshots(target_ids)
    for agreement in agreements:
        for target in agreement.targets.all():
            target.trend = history.get(target.pk, [])
            target.current = target.trend[-1] if target.trend else None
        agreement.worst = _worst(target.current for target in agreement.targets.all())
        agreement.worst_label = SnapshotStatus(agreement.worst).label
    return agreements


def _worst(snapshots):
    return COMPLIANCE.first((s.status for s in snapshots if s is not None), default=SnapshotStatus.NO_DATA)


def current_targets(user, agreements):
    """Current snapshots of the agreements' targets, worst first (breached, at risk, no data, met)."""
    return (
        ComplianceSnapshot.objects.for_user(user)
        .current()
        .filter(target__agreement__in=agreements)
        .select_related("target__agreement__customer")
        .annotate(severity=COMPLIANCE.ranking())
        .order_by("severity", F("budget_remaining").asc(nulls_last=True), "target__agreement__code", "target__code")
    )


def fastest_burning(user, agreements, limit=10):
    """The current snapshots spending their budget fastest; a target in maintenance is not burning (its time is
    left out), so it is not listed."""
    # "fastest_burn > 0" leaves NULL out already. Naming "IS NOT NULL" as well made PostgreSQL think the rows twice as
    # rare (only current snapshots have a burn rate: ~9 estimated of ~5,000) and join the customers by a nested loop
    # over all of them, once per customer.
    return (
        ComplianceSnapshot.objects.for_user(user)
        .current()
        .filter(target__agreement__in=agreements, fastest_burn__gt=0, in_maintenance=False)
        .select_related("target__agreement__customer")
        .order_by("-fastest_burn")[:limit]
    )


def recent_breaches(user, agreements, limit=10):
    return (
        Breach.objects.for_user(user)
        .filter(target__agreement__in=agreements)
        .select_related("target__agreement__customer")
        .order_by("-detected_at")[:limit]
    )


def service_heatmap(user, agreements, months=None):
    """Services × months: the worst attainment of every target measuring each service (through its indicator), and
    the smallest share of an error budget left (which colours the cell: under 0 the objective was missed).

    Every target counts. A monthly target's period is its month; a rolling window counts in the month of the day
    it was read for (so a month shows its worst window); a week, quarter or year counts in the month it ended in,
    or was last evaluated in while it runs. Months with no data at all are left out.

    At most ``HEATMAP_ROWS`` services are shown, those that left the least budget; "more" says how many were left
    out (the customer and service filters narrow the overview to them).

    Returns {"services": [...], "months": [...], "cells": {(service, month): {"attainment", "left"}}, "more": n}.
    """
    zone = settings.TIME_ZONE
    measured = ComplianceSnapshot.objects.for_user(user).filter(
        target__agreement__in=agreements, attainment__isnull=False, target__indicator_link__isnull=False
    )
    if months is None:
        # The twelve months up to the newest evaluated one: what the data shows, whatever today's date. Read in the
        # same query as the cells: it reads a little more than twelve months before the newest current snapshot
        # (a subquery), and the months are chosen once the newest is known.
        newest = (
            measured.filter(is_current=True).order_by().values("is_current").annotate(n=Max("computed_at")).values("n")
        )
        first = ExpressionWrapper(
            Coalesce(Subquery(newest[:1]), Value(timezone.now())) - Value(READ_BACK),
            output_field=DateTimeField(),
        )
    else:
        first, _end = windows.month_bounds(months[0], zone)
    key = Case(
        When(target__window_kind=WindowKind.ROLLING, then=Substr("period_label", 1, 7)),
        default=F("period_label"),
        output_field=CharField(),
    )
    budget_left = ExpressionWrapper(
        (F("attainment") * HUNDRED - F("objective")) / (HUNDRED - F("objective")), output_field=DecimalField()
    )
    rows = (
        measured.filter(period_end__gt=first)
        .annotate(key=key)
        .values("target__indicator_link__indicator__service__name", "key")
        .annotate(
            worst=Min("attainment"),
            least_left=Min(budget_left),
            ended=Max("period_end"),
            read=Max("computed_at"),
            newest=Max(Case(When(is_current=True, then=F("computed_at")))),
        )
        .order_by()
    )
    if months is None:
        rows = list(rows)
        newest = max((row["newest"] for row in rows if row["newest"] is not None), default=None)
        months = windows.months_up_to(newest or timezone.now(), zone, TREND_PERIODS)
    cells = {}
    for row in rows:
        service = row["target__indicator_link__indicator__service__name"]
        month = row["key"] if MONTH_LABEL.fullmatch(row["key"]) else _month_read(row, zone)
        if month not in months:
            continue
        cell = cells.setdefault((service, month), {"attainment": None, "left": None})
        attainment, left = slo.to_percent(row["worst"]), Decimal(row["least_left"])
        cell["attainment"] = attainment if cell["attainment"] is None else min(cell["attainment"], attainment)
        cell["left"] = left if cell["left"] is None else min(cell["left"], left)
    shown = [month for month in months if any(key[1] == month for key in cells)]
    # What fits a screen: the services that left the least error budget in any month shown, in name order.
    least = defaultdict(lambda: None)
    for (service, _month), cell in cells.items():
        least[service] = cell["left"] if least[service] is None else min(least[service], cell["left"])
    worst = sorted(least, key=lambda service: (least[service], service))[:HEATMAP_ROWS]
    return {"services": sorted(worst), "months": shown, "cells": cells, "more": len(least) - len(worst)}


def _month_read(row, zone):
    """The month a week's, quarter's or year's figure belongs to: the one it ended in, or was last read in."""
    return windows.month_label(min(row["ended"] - dt.timedelta(minutes=1), row["read"]), zone)
