"""The monthly service reports on a real Celery worker: the task run twice e-mails each report once, with its PDF,
through a real SMTP server on loopback, and records the delivery as sent.

The worker takes the test settings with Django's SMTP backend (as the digest test does) and renders the PDF itself.
The agreement ended on 30 November 2026, so that whatever month the real clock says, the worker has nothing else to
queue: November's report is queued by the test and sent by the worker.
"""

import datetime as dt
import os
import re

import pytest

from agreements.choices import AgreementStatus
from monitoring.choices import NotificationStatus
from monitoring.models import ReportDelivery
from monitoring.report_delivery import queue_monthly_reports
from monitoring.tasks import deliver_service_reports
from tests.factories import AgreementFactory
from tests.integration.conftest import ROOT, ready_worker, wait_for
from tests.monitoring.evaluation_helpers import kst
from tests.smtp import smtp_server

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_SETTINGS = '''"""A worker that sends real mail (written by tests/integration/test_report_delivery_worker.py)."""
from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
'''


@pytest.fixture
def inbox():
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mailing_worker(celery_processes, inbox, tmp_path):
    (tmp_path / "report_worker_settings.py").write_text(WORKER_SETTINGS)
    return ready_worker(
        celery_processes,
        extra_env={
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
            "DJANGO_SETTINGS_MODULE": "report_worker_settings",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(inbox.port),
        },
    )


def test_the_monthly_reports_run_twice_send_each_report_once(celery_processes, mailing_worker, inbox):
    pytest.importorskip("weasyprint")
    agreement = AgreementFactory(
        code="hanbit-digital",
        title="Digital banking",
        status=AgreementStatus.ACTIVE,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 11, 30),  # so that no later month is in force, whatever the real date
        report_recipients="cio@hanbit.example",
    )
    assert queue_monthly_reports(kst(2026, 12, 2, 6)) == 1
    deliver_service_reports.delay()
    deliver_service_reports.delay()

    def both_finished():
        log = celery_processes.log(mailing_worker)
        runs = re.findall(r"Task monitoring\.tasks\.deliver_service_reports\[[\w-]+\] succeeded in [\d.]+s: (.+)", log)
        return runs if len(runs) == 2 else None

    runs = wait_for(both_finished, timeout=120, message="both report runs finished")
    assert runs == ["(0, 1)", "(0, 0)"]
    ((recipients, mail),) = inbox.messages
    assert recipients == ["cio@hanbit.example"]
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "hanbit-digital-2026-11.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    delivery = ReportDelivery.objects.get(agreement=agreement)
    assert (delivery.status, delivery.attempts, delivery.period_label) == (NotificationStatus.SENT, 1, "2026-11")
