"""Real Celery processes for integration tests: a worker (and beat) on the configured broker and test database.

Locally the broker is Celery's file-system transport; CI sets CELERY_BROKER_URL to the local Redis. Either way the
worker is a separate process that reads this session's test database and consumes this session's own queue.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from slm_portal.celery import app as celery_app
from slm_portal.models import Heartbeat
from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def broker_reachable():
    from slm_portal.health import check_broker

    return check_broker()["ok"]


class CeleryProcesses:
    """Starts Celery processes against the test database; stops them all at the end of the test."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.processes = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url(),
            "PYTHONPATH": str(ROOT),
        }

    def start(self, *args, name, extra_env=None):
        log = open(self.tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "slm_portal", *args, "--loglevel", "INFO"],
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_file = log
        self.processes.append(process)
        return process

    def worker(self, *, concurrency=1, pool="solo", extra_env=None):
        name = f"worker-{uuid.uuid4().hex[:6]}"
        return self.start(
            "worker",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            name=name,
            extra_env=extra_env,
        )

    def beat(self, *, extra_env=None):
        return self.start(
            "beat", "--schedule", str(self.tmp_path / "celerybeat-schedule"), name="beat", extra_env=extra_env
        )

    def log(self, process):
        process.log_file.flush()
        return Path(process.log_file.name).read_text()

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log_file.close()


def wait_for(predicate, timeout=30.0, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture
def celery_processes(transactional_db, tmp_path):
    if not broker_reachable():
        unavailable(f"the Celery broker {settings.CELERY_BROKER_URL} is not reachable")
    # Unit tests queue real messages (a page's "Evaluate now", notifications after an evaluation) into this run's
    # queue and nothing consumes them there: drop them, so that a worker started here only does this test's work.
    celery_app.control.purge()
    processes = CeleryProcesses(tmp_path)
    yield processes
    processes.stop()


def ready_worker(celery_processes, **options):
    """Start a worker (``options`` go to ``CeleryProcesses.worker``) and return it once its start-up heartbeat has
    gone through the broker and into the database."""
    Heartbeat.objects.all().delete()
    worker = celery_processes.worker(**options)
    wait_for(
        lambda: Heartbeat.objects.exists() or worker.poll() is not None,
        timeout=60,
        message="the worker's first heartbeat",
    )
    assert worker.poll() is None, celery_processes.log(worker)
    return worker


@pytest.fixture
def celery_worker(celery_processes):
    """A running worker, ready once its start-up heartbeat is in the database."""
    return ready_worker(celery_processes)
