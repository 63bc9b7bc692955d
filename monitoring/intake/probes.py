"""HTTP probes: call a URL, record up/down and latency as measurements of the probe's indicators."""

import datetime as dt
import time

import requests
from django.db.models import Q
from django.utils import timezone

from monitoring.intake.ingest import record_samples
from monitoring.models import HttpProbe


def due_probes(now):
    return HttpProbe.objects.filter(is_active=True).filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))


def claim(probe, now):
    """Move the probe's next run forward only if nobody else did: True when this caller owns the run."""
    next_run = now + dt.timedelta(seconds=probe.interval_seconds)
    return bool(
        HttpProbe.objects.filter(pk=probe.pk, next_run_at=probe.next_run_at).update(next_run_at=next_run)
        if probe.next_run_at
        else HttpProbe.objects.filter(pk=probe.pk, next_run_at__isnull=True).update(next_run_at=next_run)
    )


def check(probe):
    """Call the URL once: (up, latency in ms or None, error text)."""
    started = time.perf_counter()
    try:
        response = requests.get(probe.url, timeout=probe.timeout_seconds, allow_redirects=False)
    except requests.RequestException as error:
        return False, None, f"{type(error).__name__}: {error}"[:500]
    latency_ms = (time.perf_counter() - started) * 1000
    if response.status_code != probe.expected_status:
        return False, latency_ms, f"status {response.status_code}, expected {probe.expected_status}"
    return True, latency_ms, ""


def run_probe(probe, now=None):
    """Run one probe now and record its samples; returns whether it was up."""
    now = now or timezone.now()
    up, latency_ms, error = check(probe)
    stamp = now.isoformat()
    if probe.availability_indicator_id:
        record_samples(probe.availability_indicator, [{"t": stamp, "value": 1 if up else 0}], now=now)
    if probe.latency_indicator_id and up:
        record_samples(probe.latency_indicator, [{"t": stamp, "value": round(latency_ms, 3)}], now=now)
    HttpProbe.objects.filter(pk=probe.pk).update(
        last_run_at=now, last_up=up, last_latency_ms=latency_ms, last_error=error
    )
    return up


def run_due_probes(now=None):
    """Run every active probe whose time has come (each claimed first, so a probe runs once per interval)."""
    now = now or timezone.now()
    ran = 0
    for probe in due_probes(now).select_related("availability_indicator", "latency_indicator"):
        if claim(probe, now):
            run_probe(probe, now)
            ran += 1
    return ran
