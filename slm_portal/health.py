"""Checks behind GET /health: database, broker, the age of the last Celery heartbeat, Prometheus sources behind, and
the raw measurements' monthly partitions (PostgreSQL)."""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from monitoring.intake.prometheus import behind_sources
from monitoring.partitions import is_partitioned, missing_months
from slm_portal.models import Heartbeat
from slm_portal.tasks import CELERY_HEARTBEAT, EVALUATION_HEARTBEAT


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", and its text is the diagnosis
        return {"ok": False, "vendor": connection.vendor, "error": str(error)[:200]}
    return {"ok": True, "vendor": connection.vendor}


def check_broker():
    transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        with Connection(settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "transport": transport, "error": str(error)[:200]}
    return {"ok": True, "transport": transport}


def check_heartbeat(now=None):
    now = now or timezone.now()
    stale_after = settings.SLM_HEARTBEAT_INTERVAL * 4
    beat = Heartbeat.objects.filter(name=CELERY_HEARTBEAT).first() if _table_ready() else None
    if beat is None:
        return {"ok": False, "age_seconds": None, "last": None, "stale_after_seconds": stale_after.total_seconds()}
    age = (now - beat.beat_at).total_seconds()
    return {
        "ok": age <= stale_after.total_seconds(),
        "age_seconds": round(age, 1),
        "last": beat.beat_at.isoformat(),
        "worker": beat.hostname,
        "stale_after_seconds": stale_after.total_seconds(),
    }


def check_evaluation(now=None):
    """How long ago targets were last evaluated; stale after three evaluation intervals."""
    now = now or timezone.now()
    stale_after = (3 * settings.SLM_EVALUATION_INTERVAL).total_seconds()
    run = Heartbeat.objects.filter(name=EVALUATION_HEARTBEAT).first()
    if run is None:
        return {"ok": False, "age_seconds": None, "last": None, "stale_after_seconds": stale_after}
    age = (now - run.beat_at).total_seconds()
    return {
        "ok": age <= stale_after,
        "age_seconds": round(age, 1),
        "last": run.beat_at.isoformat(),
        "stale_after_seconds": stale_after,
    }


def check_prometheus(now=None):
    """Active Prometheus sources whose pulled minutes lag more than SLM_PROMETHEUS_BEHIND_SECONDS behind now."""
    behind = [
        {
            "code": source.code,
            "behind_seconds": None if lag is None else round(lag.total_seconds()),
            "last_error": source.last_error[:200],
        }
        for source, lag in behind_sources(now)
    ]
    return {"ok": not behind, "behind": behind, "behind_after_seconds": settings.SLM_PROMETHEUS_BEHIND_SECONDS}


def check_partitions(now=None):
    """On PostgreSQL, whether this month and the next have their raw-measurement partition (beat makes them every
    night; without one, that month's samples go to the default partition and pruning deletes them row by row)."""
    if not is_partitioned():
        return {"ok": True, "partitioned": False}
    missing = missing_months(now)
    return {"ok": not missing, "partitioned": True, "missing_months": missing}


def _table_ready():
    try:
        Heartbeat.objects.exists()
    except Exception:  # noqa: BLE001 - a database that is down is reported by check_database
        return False
    return True


def health_report():
    """The whole report and whether the portal can serve (database and broker up)."""
    report = {"database": check_database(), "broker": check_broker()}
    database_up = report["database"]["ok"]
    report["heartbeat"] = check_heartbeat() if database_up else {"ok": False}
    # Reported, not part of the status: a fresh installation has not evaluated anything yet.
    report["evaluation"] = check_evaluation() if database_up and _table_ready() else {"ok": False}
    # Reported, not part of the status either: a Prometheus that is down does not stop the portal serving.
    report["prometheus"] = check_prometheus() if database_up and _table_ready() else {"ok": False}
    # Reported too: a missing partition costs speed later, not service now.
    report["partitions"] = check_partitions() if database_up else {"ok": False}
    serving = report["database"]["ok"] and report["broker"]["ok"]
    if not serving:
        report["status"] = "down"
    elif not report["heartbeat"]["ok"]:
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    return report, serving
