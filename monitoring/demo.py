"""Demo measurements: indicators for the demo SLAs, a probe of the portal's own /health, and months of generated
samples with incidents, so that a first run shows met, at-risk and breached targets.

Samples go through the real ingestion path. Older history is sampled every five minutes, the last week every
minute; a later run fills the gap from the last stored sample up to now, so the demo stays current.
"""

import datetime as dt
import math
import random

from django.db.models import Max

from agreements.choices import ExclusionReason, MaintenanceStatus
from agreements.models import Agreement, Exclusion, MaintenanceWindow, Service, ServiceLevelTarget
from monitoring.choices import NotificationStatus, Operator
from monitoring.demo_tickets import seed_ticket_demo
from monitoring.evaluation import evaluable_targets, evaluate_targets
from monitoring.intake.ingest import store_samples
from monitoring.intake.samples import Sample
from monitoring.kinds import IndicatorKind
from monitoring.models import (
    Alert,
    DataSource,
    HttpProbe,
    Indicator,
    Measurement,
    Notification,
    NotificationChannel,
    TargetIndicator,
)
from monitoring.windows import MONTH, calendar_period

HISTORY_DAYS = 92
DEMO_TIME_ZONE = "Asia/Seoul"  # the demo calendar's (slm_portal.demo.seed_calendar)
FINE_DAYS = 7

# code, service, name, kind, unit, operator, threshold
INDICATORS = [
    ("ib-availability", "internet-banking", "Internet banking up", IndicatorKind.THRESHOLD, "up", Operator.GTE, 1),
    ("mobile-api-fast", "mobile-api", "Mobile API requests under 300 ms", IndicatorKind.RATIO, "requests", "", None),
    ("desk-reachable", "service-desk", "Service desk phone line up", IndicatorKind.THRESHOLD, "up", Operator.GTE, 1),
    ("wms-availability", "wms", "WMS up", IndicatorKind.THRESHOLD, "up", Operator.GTE, 1),
    ("wms-dispatch", "wms", "Dispatch requests processed", IndicatorKind.RATIO, "requests", "", None),
    ("portal-health", "slm-portal", "SLM Portal /health answers", IndicatorKind.THRESHOLD, "up", Operator.GTE, 1),
    ("portal-latency", "slm-portal", "SLM Portal /health latency", IndicatorKind.THRESHOLD, "ms", Operator.LTE, 500),
]

# agreement code, target code -> indicator code
BINDINGS = [
    ("hanbit-digital-sla", "availability", "ib-availability"),
    ("hanbit-digital-sla", "api-latency", "mobile-api-fast"),
    ("hanbit-desk-sla", "desk-availability", "desk-reachable"),
    ("saebyeok-wms-sla", "availability", "wms-availability"),
    ("saebyeok-wms-sla", "dispatch-success", "wms-dispatch"),
]


def maintenance_times(now):
    """Where the demo's maintenance and its exclusion lie, relative to now: a completed window last month (an outage
    inside it is not counted), an approved one a week ahead, and a customer-caused outage of the WMS a day ago."""
    this_month = calendar_period(MONTH, now, DEMO_TIME_ZONE).start
    last_month = calendar_period(MONTH, this_month - dt.timedelta(days=1), DEMO_TIME_ZONE).start
    hour = dt.timedelta(hours=1)
    completed = last_month + 15 * 24 * hour + hour  # the 16th at 01:00 KST
    # 02:00 KST eight days ahead: announced today, with more than the agreed five days' notice.
    upcoming = calendar_period(MONTH, now, DEMO_TIME_ZONE).start  # a local midnight, to count whole days from
    upcoming += dt.timedelta(days=(now - upcoming).days + 8) + 2 * hour
    excluded = max(this_month, now - 26 * hour).replace(second=0, microsecond=0)
    return {
        "completed": (completed, completed + 2 * hour),
        "upcoming": (upcoming, upcoming + 2 * hour),
        "excluded": (excluded, excluded + 40 * dt.timedelta(minutes=1)),
    }


def incidents(code, now):
    """Bad stretches [start, end) of each indicator, placed relative to now so the demo reads the same any day."""
    this_month = calendar_period(MONTH, now, DEMO_TIME_ZONE).start
    last_month = calendar_period(MONTH, this_month - dt.timedelta(days=1), DEMO_TIME_ZONE).start
    two_ago = calendar_period(MONTH, last_month - dt.timedelta(days=1), DEMO_TIME_ZONE).start
    recent = max(this_month + dt.timedelta(hours=2), now - dt.timedelta(days=3))
    times = maintenance_times(now)
    hour = dt.timedelta(hours=1)
    minute = dt.timedelta(minutes=1)
    plans = {
        # 35 bad minutes this month: 81 % of a 43.2-minute budget spent, so at risk; last month breached, and down
        # again for 50 minutes inside its announced maintenance (not counted).
        "ib-availability": [
            (recent, recent + 35 * minute),
            (last_month + 9 * 24 * hour, last_month + 9 * 24 * hour + 70 * minute),
            (times["completed"][0] + 20 * minute, times["completed"][0] + 70 * minute),
        ],
        # Slow requests: a bad afternoon last month.
        "mobile-api-fast": [(last_month + 20 * 24 * hour, last_month + 20 * 24 * hour + 10 * hour)],
        "desk-reachable": [(two_ago + 12 * 24 * hour + 3 * hour, two_ago + 12 * 24 * hour + 4 * hour)],
        # A long outage two months ago; since then only the half hour of a customer-caused outage, excluded by
        # agreement (maintenance_times).
        "wms-availability": [
            (two_ago + 5 * 24 * hour, two_ago + 5 * 24 * hour + 6 * hour),
            (times["excluded"][0] + 5 * minute, times["excluded"][0] + 35 * minute),
        ],
        # Dispatch failures two days ago, and again for the last half hour: the rolling 28-day window burns fast
        # and its burn-rate alert fires now.
        "wms-dispatch": [(now - 2 * 24 * hour, now - 2 * 24 * hour + 5 * hour), (now - 30 * minute, now + hour)],
    }
    return plans.get(code, [])


def _inside(instant, spans):
    return any(start <= instant < end for start, end in spans)


def _near(instant, spans, ahead):
    """Whether [instant, instant + ahead) overlaps one of ``spans``."""
    return any(start < instant + ahead and instant < end for start, end in spans)


def generate(indicator, start, end, now, rng):
    """Samples of ``indicator`` in [start, end): every 5 minutes, every minute in the last FINE_DAYS and in and around
    every incident (so that an incident costs the same bad minutes whichever day the demo is loaded)."""
    bad = incidents(indicator.code, now)
    fine_from, coarse = now - dt.timedelta(days=FINE_DAYS), dt.timedelta(minutes=5)
    samples, instant = [], start
    while instant < end:
        step = 1 if instant >= fine_from or _near(instant, bad, coarse) else 5
        in_incident = _inside(instant, bad)
        if indicator.sli_kind.counts:  # events counted good and total; otherwise a value
            # A daily traffic curve, busier in the Seoul daytime.
            load = 200 + int(150 * (1 + math.sin((instant.hour - 3) / 24 * 2 * math.pi)))
            total = load * step
            failure = rng.uniform(0.2, 0.6) if in_incident else rng.uniform(0, 0.002)
            good = total - int(total * failure)
            samples.append(Sample(instant, None, good, total))
        else:
            value = 0.0 if in_incident else 1.0
            samples.append(Sample(instant, value, 1 if indicator.is_good(value) else 0, 1))
        instant += dt.timedelta(minutes=step)
    return samples


def seed_indicators():
    indicators = {}
    for code, service, name, kind, unit, operator, threshold in INDICATORS:
        indicators[code], _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "service": Service.objects.get(code=service),
                "name": name,
                "kind": kind,
                "unit": unit,
                "operator": operator,
                "threshold": threshold,
            },
        )
    for agreement, target, indicator in BINDINGS:
        target_row = ServiceLevelTarget.objects.get(agreement__code=agreement, code=target)
        TargetIndicator.objects.update_or_create(target=target_row, defaults={"indicator": indicators[indicator]})
    return indicators


def seed_probe_and_channels(indicators, portal_url):
    HttpProbe.objects.update_or_create(
        code="portal-health",
        defaults={
            "name": "SLM Portal health",
            "url": portal_url.rstrip("/") + "/health",
            "interval_seconds": 60,
            "timeout_seconds": 5,
            "expected_status": 200,
            "availability_indicator": indicators["portal-health"],
            "latency_indicator": indicators["portal-latency"],
        },
    )
    NotificationChannel.objects.get_or_create(
        name="Service desk mailbox", defaults={"kind": "email", "address": "service-desk@example.com"}
    )
    source = DataSource.objects.filter(code="demo-feeder").first()
    token = None
    if source is None:
        source = DataSource(code="demo-feeder", name="Demo monitoring feed")
        token = source.issue_token()
        source.save()
    source.indicators.set([indicators[code] for code, *_ in INDICATORS[:5]])
    return token


def seed_measurements(indicators, now, seed=2026):
    """Fill every demo indicator (except the probe's) from its last sample, or HISTORY_DAYS ago, up to now."""
    rng = random.Random(seed)  # noqa: S311 - demo data, repeatable on purpose
    now = now.replace(second=0, microsecond=0)
    stored = 0
    for code, *_ in INDICATORS[:5]:
        indicator = indicators[code]
        last = Measurement.objects.filter(indicator=indicator).aggregate(last=Max("t"))["last"]
        start = (
            (last.replace(second=0, microsecond=0) + dt.timedelta(minutes=1))
            if last
            else now - dt.timedelta(days=HISTORY_DAYS)
        )
        start = (
            start.replace(minute=start.minute - start.minute % 5)
            if start < now - dt.timedelta(days=FINE_DAYS)
            else start
        )
        samples = generate(indicator, start, now, now, rng)
        stored += store_samples(indicator, samples).new
    return stored


def seed_maintenance(now):
    """The demo's maintenance, created once (a later run leaves it, and what people did with it, alone)."""
    if MaintenanceWindow.objects.exists():
        return
    times = maintenance_times(now)
    manager = Agreement.objects.get(code="hanbit-digital-sla").owner
    start, end = times["completed"]
    MaintenanceWindow.objects.create(
        service=Service.objects.get(code="internet-banking"),
        title="Core banking database upgrade",
        description="Internet banking is unavailable while the database is upgraded to the next major version.",
        starts_at=start,
        ends_at=end,
        status=MaintenanceStatus.COMPLETED,
        approved_by=manager,
        approved_at=start - dt.timedelta(days=10),
        created_by=manager,
    )
    start, end = times["upcoming"]
    MaintenanceWindow.objects.create(
        service=Service.objects.get(code="wms"),
        title="WMS operating system patches",
        description="Warehouse terminals cannot book dispatches for up to two hours; scanning keeps working offline.",
        starts_at=start,
        ends_at=end,
        status=MaintenanceStatus.APPROVED,
        approved_by=manager,
        approved_at=now,
        created_by=manager,
    )
    start, end = times["excluded"]
    Exclusion.objects.create(
        agreement=Agreement.objects.get(code="saebyeok-wms-sla"),
        service=Service.objects.get(code="wms"),
        starts_at=start,
        ends_at=end,
        reason=ExclusionReason.CUSTOMER_CAUSED,
        description="A firewall change at the Saebyeok warehouse blocked the WMS for half an hour.",
        customer_agreement="Park Minjun (Saebyeok IT), by e-mail",
        recorded_by=manager,
    )


def seed_monitoring_demo(now, portal_url):
    seed_maintenance(now)
    indicators = seed_indicators()
    token = seed_probe_and_channels(indicators, portal_url)
    stored = seed_measurements(indicators, now)
    first_load = not Alert.objects.exists()
    desk_token = seed_ticket_demo(now)
    ids = list(evaluable_targets().values_list("pk", flat=True))
    if first_load:
        # Evaluated once in the middle of this month's internet banking outage, its alert fired then; evaluated now,
        # it has resolved (the dispatch failures of the last half hour keep theirs firing).
        outage_start, _end = incidents("ib-availability", now)[0]
        evaluate_targets(ids, outage_start + dt.timedelta(minutes=20))
        # That outage is days old: nobody is told of it now (its notifications would go out with today's figures).
        Notification.objects.filter(status=NotificationStatus.PENDING).delete()
    summary = evaluate_targets(ids, now)
    return {"samples": stored, "snapshots": summary.snapshots, "token": token, "desk_token": desk_token}
