"""A real worker and a real beat on a real broker keep the heartbeat fresh, and /health shows it."""

import pytest

from slm_portal.models import Heartbeat
from slm_portal.tasks import heartbeat
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_worker_runs_a_task_sent_through_the_broker(celery_worker):
    Heartbeat.objects.all().delete()
    heartbeat.delay()
    beat = wait_for(lambda: Heartbeat.objects.first(), message="the heartbeat row")
    assert beat.hostname.startswith("worker-")


def test_beat_schedules_heartbeats_that_the_worker_records(celery_processes, client):
    fast = {"SLM_HEARTBEAT_INTERVAL_SECONDS": "1"}
    celery_processes.worker(extra_env=fast)
    beat_process = celery_processes.beat(extra_env=fast)
    first = wait_for(lambda: Heartbeat.objects.first(), timeout=60, message="a first heartbeat")
    later = wait_for(
        lambda: (row := Heartbeat.objects.first()) and row.beat_at > first.beat_at and row,
        timeout=30,
        message="a second, scheduled heartbeat",
    )
    assert later.beat_at > first.beat_at
    assert "Sending due task heartbeat" in celery_processes.log(beat_process)
    report = client.get("/health").json()
    assert report["heartbeat"]["ok"] is True
    assert report["status"] == "ok"
