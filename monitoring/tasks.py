"""Celery tasks of the monitoring app: thin wrappers around plain functions that tests call directly."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from monitoring import maintenance_notices, notify, partitions, report_delivery, ticket_notices
from monitoring.evaluation import evaluable_targets, evaluate_targets
from monitoring.intake import prometheus
from monitoring.intake.probes import run_due_probes
from monitoring.models import Indicator
from monitoring.signals import evaluation_finished
from monitoring.tickets.store import (
    open_ticket_ids,
    rebuild_clocks,
    rebuild_indicator,
    rebuild_service_tickets,
    settle_due_clocks,
)


def fan_out_evaluation(at=None, chunk_size=None):
    """Queue one evaluate_chunk task per chunk of targets; returns the number of chunks."""
    at = at or timezone.now()
    settle_due_clocks(timezone.now())  # tickets left open past their goal count as breached first
    chunk_size = chunk_size or settings.SLM_EVALUATION_CHUNK
    ids = list(evaluable_targets().order_by("pk").values_list("pk", flat=True))
    chunks = [ids[offset : offset + chunk_size] for offset in range(0, len(ids), chunk_size)]
    for chunk in chunks:
        evaluate_chunk.delay(chunk, at.isoformat())
    if not chunks:
        evaluation_finished.send(sender=fan_out_evaluation, at=at, summary=None)
    return len(chunks)


@shared_task(time_limit=60, soft_time_limit=50)
def evaluate_all():
    return fan_out_evaluation()


@shared_task(time_limit=600, soft_time_limit=540)
def evaluate_chunk(target_ids, at_iso):
    at = dt.datetime.fromisoformat(at_iso)
    return evaluate_targets(target_ids, at).snapshots


def rebuild_indicator_clocks(indicator_id, now=None):
    """Rebuild the clocks of a ticket indicator's tickets after its settings or goals changed; the number written."""
    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None or not indicator.sli_kind.tickets:
        return 0
    return rebuild_indicator(indicator, now or timezone.now())


@shared_task(time_limit=600, soft_time_limit=540)
def rebuild_ticket_indicator(indicator_id):
    return rebuild_indicator_clocks(indicator_id)


@shared_task(time_limit=120, soft_time_limit=100)
def run_probes():
    return run_due_probes()


@shared_task(time_limit=110, soft_time_limit=100)
def pull_prometheus():
    return prometheus.pull_all()


@shared_task(time_limit=3600, soft_time_limit=3500)
def backfill_prometheus(source_id, start_iso, end_iso):
    """Pull a chosen range of every query of a Prometheus source (the source page's backfill form)."""
    source = prometheus.PrometheusSource.objects.filter(pk=source_id).first()
    if source is None:
        return 0
    start, end = dt.datetime.fromisoformat(start_iso), dt.datetime.fromisoformat(end_iso)
    return prometheus.backfill(source, start, end)[0]


@shared_task(time_limit=300, soft_time_limit=280)
def send_pending_notifications():
    return notify.send_pending()


@shared_task(time_limit=300, soft_time_limit=280)
def send_maintenance_notices():
    return maintenance_notices.run()


@shared_task(time_limit=120, soft_time_limit=100)
def settle_ticket_clocks():
    """Count as breached the open tickets whose goal ran out since the last run (each at the instant it did)."""
    return settle_due_clocks(timezone.now())


def fan_out_ticket_rebuild(indicator_ids=None, chunk_size=None):
    """Queue one rebuild_ticket_chunk task per chunk of the open tickets of these ticket indicators (all when None),
    all rebuilt as of the same instant, so that every worker process shares the work; returns the number of
    chunks."""
    now = timezone.now()
    chunk_size = chunk_size or settings.SLM_TICKET_REBUILD_CHUNK
    ids = open_ticket_ids(indicator_ids)
    chunks = [ids[offset : offset + chunk_size] for offset in range(0, len(ids), chunk_size)]
    for chunk in chunks:
        rebuild_ticket_chunk.delay(chunk, now.isoformat())
    return len(chunks)


@shared_task(time_limit=60, soft_time_limit=50)
def rebuild_ticket_clocks(indicator_ids=None):
    """Rebuild the clocks of the open tickets of these ticket indicators (all when None): after an edit of their
    business hours, goals or pause rules."""
    return fan_out_ticket_rebuild(indicator_ids)


@shared_task(time_limit=600, soft_time_limit=540)
def rebuild_ticket_chunk(ticket_ids, now_iso):
    return rebuild_clocks(ticket_ids, dt.datetime.fromisoformat(now_iso))


@shared_task(time_limit=900, soft_time_limit=870)
def rebuild_service_ticket_clocks(customer_id, service_id):
    """Rebuild the clocks of a customer's tickets of a service: after one of their ticket indicators was deleted, so
    that their place in the ticket list no longer counts its clocks."""
    return rebuild_service_tickets(customer_id, service_id, timezone.now())


@shared_task(time_limit=60, soft_time_limit=50)
def send_ticket_notices():
    return ticket_notices.run()


@shared_task(time_limit=1800, soft_time_limit=1700)
def deliver_service_reports():
    """Queue the monthly service reports once they are due, and send every pending one (each at most once)."""
    return report_delivery.run()


@shared_task(time_limit=300, soft_time_limit=280)
def send_report_delivery(delivery_id):
    return report_delivery.send_delivery(delivery_id)


@shared_task(time_limit=300, soft_time_limit=240)
def ensure_measurement_partitions():
    """Make the raw measurements' monthly partitions up to SLM_MEASUREMENT_PARTITIONS_AHEAD months ahead (PostgreSQL;
    nothing on SQLite); returns the names made."""
    return partitions.ensure_partitions().created


@shared_task(time_limit=120, soft_time_limit=100)
def warm_overview(generation):
    """Read the manager's overview figures of an evaluation's results into the cache (monitoring.readout.overview)."""
    from monitoring.readout import overview

    return overview.warm(generation)
