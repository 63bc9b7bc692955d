"""Maintenance notices on a real Celery worker: approving a window queues the notices task once the approval commits;
the worker queues the approval notices and sends them, through a real SMTP server on loopback, and a second run of
the task sends nothing more.

The worker is a separate process with settings of its own (as in test_digest_worker.py): the test settings with
Django's SMTP backend, pointed at this test's SMTP server through EMAIL_HOST and EMAIL_PORT. The window lies ten
days after the real clock, which is the one the worker reads.
"""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from agreements.choices import AgreementStatus, MaintenanceStatus
from agreements.models import MaintenanceWindow
from monitoring.choices import NotificationStatus
from monitoring.models import MaintenanceNotice
from monitoring.tasks import send_maintenance_notices
from tests.factories import AgreementFactory, ServiceFactory
from tests.integration.conftest import ROOT, ready_worker, wait_for
from tests.integration.test_digest_worker import WORKER_SETTINGS
from tests.smtp import smtp_server

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inbox():
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mailing_worker(celery_processes, inbox, tmp_path):
    (tmp_path / "notice_worker_settings.py").write_text(WORKER_SETTINGS)
    return ready_worker(
        celery_processes,
        extra_env={
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
            "DJANGO_SETTINGS_MODULE": "notice_worker_settings",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(inbox.port),
        },
    )


def finished_runs(celery_processes, worker):
    log = celery_processes.log(worker)
    return re.findall(r"Task monitoring\.tasks\.send_maintenance_notices\[[\w-]+\] succeeded in [\d.]+s: (\{.*\})", log)


def test_an_approval_is_announced_by_the_worker_once(celery_processes, mailing_worker, inbox, customer_a, alice):
    banking = ServiceFactory(code="internet-banking", name="Internet banking")
    AgreementFactory(customer=customer_a, services=[banking], status=AgreementStatus.ACTIVE)
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=10)
    window = MaintenanceWindow.objects.create(
        service=banking, title="Database upgrade", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )

    window.transition_to(MaintenanceStatus.APPROVED)  # commits, and so queues the task

    def runs(count):
        found = finished_runs(celery_processes, mailing_worker)
        return found if len(found) == count else None

    wait_for(lambda: runs(1), timeout=60, message="the run the approval queued")
    send_maintenance_notices.delay()
    finished = wait_for(lambda: runs(2), timeout=60, message="the second run")
    assert finished == [
        "{'queued': 2, 'completed': 0, 'sent': 2}",
        "{'queued': 0, 'completed': 0, 'sent': 0}",
    ]
    received = sorted((recipients, message["Subject"]) for recipients, message in inbox.messages)
    assert received == [
        (["alice@example.com"], "SLM Portal: Planned maintenance of Internet banking: Database upgrade"),
        (["contact@acme.example"], "SLM Portal: Planned maintenance of Internet banking: Database upgrade"),
    ]
    assert set(MaintenanceNotice.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
