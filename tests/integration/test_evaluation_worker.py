"""Evaluation on real Celery workers: beat schedules it, workers write snapshots, and a worker killed in the middle
of an evaluation leaves, once the work is run again, exactly the rows of one clean run."""

import datetime as dt
import os
import signal
import threading

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from agreements.choices import AgreementStatus
from monitoring.intake.ingest import record_samples
from monitoring.models import Alert, Breach, ComplianceSnapshot
from monitoring.tasks import fan_out_evaluation
from tests.factories import AgreementFactory, ManagerFactory, TargetFactory
from tests.integration.conftest import wait_for
from tests.monitoring.factories import TargetIndicatorFactory, ThresholdIndicatorFactory
from tests.services import unavailable

pytestmark = pytest.mark.integration

AT = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
SNAPSHOT_FIELDS = [f.attname for f in ComplianceSnapshot._meta.concrete_fields if f.name != "id"]


def estate(size=6, start=dt.datetime(2026, 11, 18, tzinfo=dt.UTC), now=AT):
    """``size`` active SLAs with one measured target each; target i had i * 10 bad minutes in the 1,440 from
    ``start``."""
    targets = []
    for number in range(size):
        agreement = AgreementFactory(code=f"kill-{number}", valid_from=dt.date(2026, 10, 1))
        target = TargetFactory(agreement=agreement, code="up", budgeting_method="timeslices")
        indicator = ThresholdIndicatorFactory(code=f"kill-up-{number}")
        TargetIndicatorFactory(target=target, indicator=indicator)
        samples = [
            {"t": (start + dt.timedelta(minutes=m)).isoformat(), "value": 0 if m < number * 10 else 1}
            for m in range(1440)
        ]
        record_samples(indicator, samples, now=now)
        agreement.status = AgreementStatus.ACTIVE
        agreement.save()
        targets.append(target)
    return targets


def rows():
    """Everything evaluation writes, without surrogate ids, in a stable order."""
    return {
        "snapshots": sorted(
            tuple(str(value) for value in row) for row in ComplianceSnapshot.objects.values_list(*SNAPSHOT_FIELDS)
        ),
        "breaches": sorted(
            Breach.objects.values_list("target_id", "period_start", "kind", "detected_at", "attainment")
        ),
        "alerts": sorted(Alert.objects.values_list("target_id", "rule_id", "state", "started_at")),
    }


def forget_results():
    Alert.objects.all().delete()
    Breach.objects.all().delete()
    ComplianceSnapshot.objects.all().delete()


def test_beat_schedules_an_evaluation_that_workers_write(celery_processes):
    # Beat evaluates at the workers' now, so the measurements are the day before it, whatever the date.
    now = timezone.now()
    start = now.replace(second=0, microsecond=0) - dt.timedelta(days=1)
    targets = estate(size=2, start=start, now=now)
    fast = {"SLM_EVALUATION_INTERVAL_SECONDS": "10"}
    celery_processes.worker(extra_env=fast)
    beat = celery_processes.beat(extra_env=fast)
    wait_for(
        lambda: ComplianceSnapshot.objects.filter(target__in=targets).count() >= 2,
        timeout=90,
        message="snapshots written by a scheduled evaluation",
    )
    assert "Sending due task evaluate-slos" in celery_processes.log(beat)
    # The period holding the last minute measured: usually the running one, but a period that turned in the last
    # minutes before the test (a month's end in the target's zone) is still open until its grace ends.
    last = start + dt.timedelta(minutes=1439)
    latest = ComplianceSnapshot.objects.get(target=targets[1], period_start__lte=last, period_end__gt=last)
    assert latest.total > 0
    counted = ComplianceSnapshot.objects.filter(target=targets[1]).aggregate(good=Sum("good"), total=Sum("total"))
    assert counted == {"good": 1430, "total": 1440}
    assert latest.status in {"on_track", "at_risk", "breached"}


def test_worker_killed_mid_evaluation_leaves_the_rows_of_one_clean_run(celery_processes):
    if connection.vendor != "postgresql":
        unavailable("the kill test holds a row lock to stop the worker mid-transaction: it needs PostgreSQL")
    targets = estate()
    fan_out_evaluation(AT, chunk_size=2)  # queued only: no worker runs yet
    celery_processes.worker()  # consumes the three chunks
    wait_for(lambda: ComplianceSnapshot.objects.count() >= len(targets) * 2, timeout=60, message="a clean run")
    clean = rows()
    for process in celery_processes.processes:
        process.terminate()
        process.wait(timeout=20)
    forget_results()

    # Hold a row the last chunk must update, so its worker stops inside its transaction, then kill that worker.
    blocker = ComplianceSnapshot.objects.create(
        target=targets[-1],
        period_start=dt.datetime(2026, 10, 31, 15, 0, tzinfo=dt.UTC),
        period_end=dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC),
        period_label="stale",
        objective=1,
        method="timeslices",
        budget_unit="minutes",
        status="no_data",
        computed_at=AT - dt.timedelta(days=1),
    )
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            ComplianceSnapshot.objects.select_for_update().get(pk=blocker.pk)
            locked.set()
            release.wait(timeout=120)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(timeout=10)
    fan_out_evaluation(AT, chunk_size=2)
    worker = celery_processes.worker()
    wait_for(
        lambda: ComplianceSnapshot.objects.exclude(pk=blocker.pk).count() >= (len(targets) - 2) * 2,
        timeout=60,
        message="the first two chunks committed",
    )
    wait_for(lambda: _waiting_on_lock(), timeout=30, message="the last chunk blocked inside its transaction")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)
    release.set()
    holder.join(timeout=30)

    half_done = rows()
    assert half_done != clean
    assert not ComplianceSnapshot.objects.filter(target=targets[-2]).exists()  # its chunk was rolled back

    fan_out_evaluation(AT, chunk_size=2)  # run again
    celery_processes.worker()
    wait_for(lambda: rows() == clean, timeout=60, message="the rows of one clean run")
    assert rows() == clean


def _waiting_on_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_evaluate_now_is_done_by_a_worker_and_the_page_then_shows_it(celery_worker, client):
    """A manager's "Evaluate now" on a target never evaluated: a real worker writes its snapshot, the page's status
    answer turns done, and the page shows the running period."""
    now = timezone.now()
    (target,) = estate(size=1, start=now.replace(second=0, microsecond=0) - dt.timedelta(days=1), now=now)
    manager = ManagerFactory()
    client.force_login(manager)
    page = f"/agreements/{target.agreement.code}/targets/{target.code}/"
    assert "Not evaluated yet." in client.get(page).text

    response = client.post(page + "evaluate/")
    queued = response["Location"].split("?", 1)[1]
    status = page + "evaluation/?" + queued

    wait_for(lambda: client.get(status).json()["done"], timeout=60, message="the evaluation a manager queued")
    shown = client.get(page).text
    assert "Not evaluated yet." not in shown
    assert 'id="period-summary"' in shown
    assert ComplianceSnapshot.objects.filter(target=target, is_current=True).exists()
