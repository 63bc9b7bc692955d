"""What the dashboards show, read in a fixed number of queries whatever the data size.

Every function takes the viewing user and reads through the `.for_user()` checkpoint.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Max, Min, Prefetch, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from agreements.models import Agreement, ServiceLevelTarget
from core.tenancy import customer_id_of
from monitoring import slo
from monitoring.choices import SnapshotStatus
from monitoring.models import Breach, ComplianceSnapshot

TREND_PERIODS = 12
HUNDRED = Decimal(100)
# Worst first: what needs attention leads every list.
STATUS_ORDER = Case(
    When(status=SnapshotStatus.BREACHED, then=Value(0)),
    When(status=SnapshotStatus.AT_RISK, then=Value(1)),
    When(status=SnapshotStatus.NO_DATA, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


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
        )
    )
    history = defaultdict(list)
    for snapshot in sorted(rows, key=lambda s: (s.target_id, s.period_start)):
        history[snapshot.target_id].append(snapshot)
    return history


def customer_dashboard(user, customer):
    """The customer's active agreements, each target with its current status and the trend of its last periods."""
    agreements = list(
        Agreement.objects.for_user(user)
        .filter(customer=customer)
        .active()
        .prefetch_related(
            "services",
            Prefetch(
                "targets",
                queryset=ServiceLevelTarget.objects.select_related("indicator_link__indicator").order_by("code"),
            ),
        )
        .order_by("code")
    )
    attach_trends(agreements)
    return agreements


def dashboard_agreements(user, customer):
    """The customer's active agreements and their targets, without compliance: what the dashboard's cached sections
    are found by (see ``section_key``); ``attach_trends`` adds the compliance of those that must be drawn."""
    return list(
        Agreement.objects.for_user(user)
        .filter(customer=customer)
        .active()
        .prefetch_related(Prefetch("targets", queryset=ServiceLevelTarget.objects.order_by("code")))
        .order_by("code")
    )


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


def section_key(agreement, language):
    """Cache key parts of an agreement's section of the customer dashboard. The section shows the agreement and its
    targets as edited (every field of their rows is in the digest: an edit finds a new entry at once) and their
    compliance, which changes only when an evaluation finishes (``cached_many`` adds the generation)."""
    rows = [_fields(agreement)] + [_fields(target) for target in agreement.targets.all()]
    digest = hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest()
    return ("dashboard-section", agreement.pk, language, digest)


def _fields(instance):
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _worst(snapshots):
    rank = {"breached": 0, "at_risk": 1, "no_data": 2, "met": 3}
    statuses = [snapshot.status for snapshot in snapshots if snapshot is not None]
    return min(statuses, key=rank.__getitem__) if statuses else SnapshotStatus.NO_DATA


def visibility(user):
    """What decides which rows ``.for_user()`` gives the user on the overview: the view permissions of the models it
    reads and the customer the user belongs to. People alike in these share the overview's cached figures."""
    models = ("agreements.view_agreement", "monitoring.view_compliancesnapshot", "monitoring.view_breach")
    seen = "".join("1" if user.has_perm(model) else "0" for model in models)
    return f"{seen}-{customer_id_of(user) or 0}"


def listing_scope(user, filters):
    """The cache scope of an overview listing: who sees it (``visibility``) and a digest of the filters that shaped
    it. Only cleaned filter values count, so that anything else in a query string neither lengthens the keys nor
    files new copies."""
    values = sorted(
        (name, str(getattr(value, "pk", value))) for name, value in filters.items() if value not in (None, "")
    )
    return f"{visibility(user)}-{hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()}"


def current_targets(user, agreements):
    """Current snapshots of the agreements' targets, worst first (breached, at risk, no data, met)."""
    return (
        ComplianceSnapshot.objects.for_user(user)
        .current()
        .filter(target__agreement__in=agreements)
        .select_related("target__agreement__customer")
        .annotate(severity=STATUS_ORDER)
        .order_by("severity", F("budget_remaining").asc(nulls_last=True), "target__agreement__code", "target__code")
    )


def status_counts(snapshots):
    """{status: number of targets} of a queryset of current snapshots."""
    counts = dict.fromkeys(SnapshotStatus.values, 0)
    for row in snapshots.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def fastest_burning(user, agreements, limit=10):
    # "fastest_burn > 0" leaves NULL out already. Naming "IS NOT NULL" as well made PostgreSQL think the rows twice as
    # rare (only current snapshots have a burn rate: ~9 estimated of ~5,000) and join the customers by a nested loop
    # over all of them, once per customer.
    return (
        ComplianceSnapshot.objects.for_user(user)
        .current()
        .filter(target__agreement__in=agreements, fastest_burn__gt=0)
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


def month_labels(now=None, months=TREND_PERIODS):
    """The last ``months`` month labels, oldest first, in the portal's zone ("2026-11" last)."""
    local = timezone.localtime(now or timezone.now()).date().replace(day=1)
    labels = []
    for _ in range(months):
        labels.append(f"{local:%Y-%m}")
        local = (local - dt.timedelta(days=1)).replace(day=1)
    return labels[::-1]


def service_heatmap(user, agreements, months=None):
    """Services × months: the worst attainment of the monthly targets measuring each service (through their
    indicator), and its margin over the objective (which colours the cell).

    Returns {"services": [...], "months": [...], "cells": {(service, month): {"attainment", "margin"}}}.
    """
    monthly = ComplianceSnapshot.objects.for_user(user).filter(
        target__agreement__in=agreements, target__window_kind="calendar", target__calendar_period="month"
    )
    if months is None:
        # The twelve months up to the newest evaluated one: what the data shows, whatever today's date.
        newest = monthly.filter(is_current=True).aggregate(newest=Max("period_end"))["newest"]
        months = month_labels(newest - dt.timedelta(minutes=1) if newest else None)
    rows = (
        monthly.filter(period_label__in=months, attainment__isnull=False)
        .values("target__indicator_link__indicator__service__name", "period_label")
        .annotate(worst=Min("attainment"), worst_margin=Min(F("attainment") * HUNDRED - F("objective")))
        .order_by()
    )
    cells, services = {}, set()
    for row in rows:
        service = row["target__indicator_link__indicator__service__name"]
        if service is None:
            continue
        services.add(service)
        cells[(service, row["period_label"])] = {
            "attainment": slo.to_percent(row["worst"]),
            "margin": row["worst_margin"],
        }
    return {"services": sorted(services), "months": months, "cells": cells}


GENERATION_KEY = "slm:evaluation-generation"


def bump_generation(sender=None, **kwargs):
    """Receiver of evaluation_finished: every cached dashboard figure is now out of date."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def cached(key_parts, compute, seconds=120):
    """``compute()`` cached until the next evaluation (or ``seconds``, for caches a worker cannot reach)."""
    generation = cache.get(GENERATION_KEY, 0)
    key = "slm:" + ":".join(str(part) for part in (*key_parts, generation))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def cached_many(keys, compute, seconds=120):
    """``cached`` for many values in one round trip: ``keys`` maps names to key parts; ``compute(names)`` returns
    {name: value} for the names not cached, which are then stored. Returns {name: value} for every name."""
    generation = cache.get(GENERATION_KEY, 0)
    full = {name: "slm:" + ":".join(str(part) for part in (*parts, generation)) for name, parts in keys.items()}
    found = cache.get_many(list(full.values()))
    values = {name: found[key] for name, key in full.items() if found.get(key) is not None}
    missing = [name for name in keys if name not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({full[name]: computed[name] for name in missing}, seconds)
        values.update(computed)
    return values


# What a listed snapshot (or breach) shows besides its compliance: names, codes and whether its agreement is still
# active, which edits change, not evaluations. A cached rendering of a list is filed under a digest of these, read
# afresh for every request, so that an edit shows at once.
SHOWN = (
    "target__code",
    "target__name",
    "target__agreement__code",
    "target__agreement__status",
    "target__agreement__customer__name",
)


def _shown(row):
    target = row.target
    agreement = target.agreement
    return (row.pk, target.code, target.name, agreement.code, agreement.status, agreement.customer.name)


def rows_in_order(queryset, ids):
    """The rows of ``queryset`` with the primary keys ``ids``, in that order, read now (so names and codes are
    today's); a row no longer in ``queryset`` is left out."""
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _generation_key(key_parts):
    return "slm:" + ":".join(str(part) for part in (*key_parts, cache.get(GENERATION_KEY, 0)))


def ranked_keys(key_parts, ranked, seconds=120):
    """The primary keys of ``ranked`` in its order, cached like ``cached`` (until the next evaluation), and the
    ``SHOWN`` values of its rows ({pk: values}) if they had to be read now ({} when the keys were cached)."""
    key = _generation_key(key_parts)
    ids = cache.get(key)
    if ids is not None:
        return ids, {}
    shown = {row[0]: row for row in ranked.values_list("pk", *SHOWN)}
    cache.set(key, list(shown), seconds)
    return list(shown), shown


def cached_rows(key_parts, ranked, rows, seconds=120):
    """(keys, rows, ``SHOWN`` values read now) of ``ranked``, a short, sliced queryset, in its order.

    The keys are cached like ``cached``, until the next evaluation. When they are not, the rows are read from
    ``ranked`` (one query). When they are, the rows are read from ``rows`` by key if and when they are used: not
    at all while their rendering is cached."""
    key = _generation_key(key_parts)
    ids = cache.get(key)
    if ids is None:
        found = list(ranked)
        cache.set(key, [row.pk for row in found], seconds)
        return [row.pk for row in found], found, {row.pk: _shown(row) for row in found}
    return ids, SimpleLazyObject(lambda: rows_in_order(rows, ids)), {}


def shown_of(model, ids, known):
    """``known`` ({pk: ``SHOWN`` values}) completed with the rows of ``model`` among ``ids`` it lacks (one light
    query, if any)."""
    missing = [pk for pk in ids if pk not in known]
    if not missing:
        return known
    found = model.objects.filter(pk__in=missing).order_by().values_list("pk", *SHOWN)
    return {**known, **{row[0]: row for row in found}}


def shown_digest(ids, shown):
    """The digest of the ``SHOWN`` values of the rows with the keys ``ids``, in that order."""
    return hashlib.blake2b(repr([shown.get(pk) for pk in ids]).encode(), digest_size=12).hexdigest()


def fragment_key(*parts):
    """The key a ``{% cache %}`` tag files a rendered fragment of evaluation results under: the generation is part
    of it, so that, like ``cached``, it changes when an evaluation finishes."""
    return ":".join(str(part) for part in (*parts, cache.get(GENERATION_KEY, 0)))


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


def what_if(target, objective, periods=TREND_PERIODS):
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
                "would_be": would_be.value if hasattr(would_be, "value") else would_be,
            }
        )
    return rows
