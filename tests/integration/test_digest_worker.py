"""The daily action digest on a real Celery worker: the task queued twice sends each owner one e-mail, through a real
SMTP server on loopback, and leaves one DigestDelivery row per owner.

The worker is a separate process, so the test's ``settings`` fixture cannot reach it: it is started on a settings
module of its own, written to tmp_path, that takes the test settings and swaps their in-memory mail backend for
Django's SMTP backend. slm_portal/settings.py reads EMAIL_HOST and EMAIL_PORT from the environment, which points
the worker at the SMTP server this test runs.
"""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from improvement.choices import ActionStatus, PlanStatus
from improvement.models import DigestDelivery
from improvement.tasks import send_action_digests
from tests.factories import UserFactory
from tests.improvement.factories import ActionFactory, plan_in
from tests.integration.conftest import ROOT, ready_worker, wait_for
from tests.smtp import smtp_server

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_SETTINGS = '''"""A worker that sends real mail (written by tests/integration/test_digest_worker.py)."""
from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
'''


@pytest.fixture
def inbox():
    """An SMTP server for the worker (a separate process: it gets the port through its environment)."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mailing_worker(celery_processes, inbox, tmp_path):
    """A worker whose mail goes to ``inbox``; ready once its start-up heartbeat is in the database."""
    (tmp_path / "digest_worker_settings.py").write_text(WORKER_SETTINGS)
    return ready_worker(
        celery_processes,
        extra_env={
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
            "DJANGO_SETTINGS_MODULE": "digest_worker_settings",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(inbox.port),
        },
    )


@pytest.fixture
def due_actions(agreement_a):
    """Two owners with open actions due around today (two days either side, so that a date change between the test
    and the worker changes nothing), and one whose only action is done."""
    plan = plan_in(PlanStatus.IN_PROGRESS, services=list(agreement_a.services.all()))
    today = timezone.localdate()
    owners = [UserFactory(username=name) for name in ("minsu", "dana", "erin")]
    ActionFactory(plan=plan, owner=owners[0], description="Find the root cause", due_date=today - dt.timedelta(2))
    ActionFactory(plan=plan, owner=owners[0], description="Load-test salary day", due_date=today + dt.timedelta(2))
    ActionFactory(plan=plan, owner=owners[1], description="Check the backups", due_date=today + dt.timedelta(2))
    ActionFactory(plan=plan, owner=owners[2], due_date=today, status=ActionStatus.DONE, completion_note="Done.")
    return owners


def finished_runs(celery_processes, worker):
    """The return values of the digest task runs the worker has logged as succeeded, in order."""
    log = celery_processes.log(worker)
    return re.findall(r"Task improvement\.tasks\.send_action_digests\[[\w-]+\] succeeded in [\d.]+s: (\d+)", log)


def test_the_digest_task_queued_twice_mails_each_owner_once(celery_processes, mailing_worker, due_actions, inbox):
    send_action_digests.delay()
    send_action_digests.delay()

    def both_finished():
        runs = finished_runs(celery_processes, mailing_worker)
        return runs if len(runs) == 2 else None

    runs = wait_for(both_finished, timeout=60, message="both digest runs finished")
    assert runs == ["2", "0"]  # the second run finds both owners' digests already claimed

    rows = DigestDelivery.objects.select_related("owner").order_by("owner__username")
    assert [(row.owner.username, row.actions) for row in rows] == [("dana", 1), ("minsu", 2)]
    received = sorted((recipients, message["Subject"]) for recipients, message in inbox.messages)
    assert received == [
        (["dana@example.com"], "SLM Portal: 0 overdue and 1 soon-due improvement actions"),
        (["minsu@example.com"], "SLM Portal: 1 overdue and 1 soon-due improvement actions"),
    ]
    minsu = next(message for recipients, message in inbox.messages if recipients == ["minsu@example.com"])
    text = minsu.get_content()
    assert "- Find the root cause" in text
    assert "- Load-test salary day" in text
