"""Maintenance notices: the customers of a service are told when a window is approved, a set number of days before
each occurrence starts, and when each ends; never about a window they may not see, never a customer whose agreements
do not cover the service; each notice once, sent to a real SMTP server and real HTTP servers on loopback.

Every run is given its instant (``now=``): nothing here depends on today's date. The window is Internet banking's
"Database upgrade", 10 Dec 2026 02:00-04:00 KST.
"""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core import mail

from agreements.choices import AgreementStatus, MaintenanceStatus, Recurrence
from agreements.models import MaintenanceWindow
from monitoring.choices import MaintenanceEvent, NotificationStatus
from monitoring.maintenance_notices import complete_finished, queue_due, run, send_pending_notices
from monitoring.models import MaintenanceNotice, NotificationChannel
from monitoring.tasks import send_maintenance_notices
from tests.factories import AgreementFactory, BusinessCalendarFactory, MembershipFactory, ServiceFactory, UserFactory
from tests.monitoring.evaluation_helpers import kst, loopback_server
from tests.test_settings_env import fresh_process

pytestmark = pytest.mark.django_db

START = kst(2026, 12, 10, 2)  # Thursday
END = START + dt.timedelta(hours=2)
APPROVED_AT = kst(2026, 11, 20, 9)  # 20 days ahead
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
APPROVED, REMINDER, ENDED = MaintenanceEvent.APPROVED, MaintenanceEvent.REMINDER, MaintenanceEvent.ENDED


@pytest.fixture
def banking():
    return ServiceFactory(code="internet-banking", name="Internet banking")


@pytest.fixture
def acme_sla(customer_a, banking):
    return AgreementFactory(code="acme-sla", customer=customer_a, services=[banking], status=AgreementStatus.ACTIVE)


@pytest.fixture
def acme_people(customer_a, alice):
    """Acme's contact (contact@acme.example), alice@example.com, and a member whose address is the contact's in other
    letters (told once); an inactive member and one without an address are not told."""
    MembershipFactory(user=UserFactory(username="acme-ops", email="Contact@Acme.example"), customer=customer_a)
    MembershipFactory(user=UserFactory(username="gone", is_active=False), customer=customer_a)
    MembershipFactory(user=UserFactory(username="no-mail", email=""), customer=customer_a)
    return {"contact@acme.example", "alice@example.com"}


@pytest.fixture
def globex_elsewhere(customer_b, bob):
    """Globex (contact@globex.example, bob@example.com) has an active agreement, on another service."""
    return AgreementFactory(code="globex-sla", customer=customer_b, status=AgreementStatus.ACTIVE)


def channel(kind, address, **fields):
    return NotificationChannel.objects.create(name=f"{kind} {address}", kind=kind, address=address, **fields)


def maintenance(service, start=START, minutes=120, approved_at=APPROVED_AT, **fields):
    """A window of ``service`` approved at ``approved_at`` (None: left planned)."""
    window = MaintenanceWindow.objects.create(
        service=service,
        title=fields.pop("title", "Database upgrade"),
        description=fields.pop("description", "Online banking answers with a maintenance page."),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        **fields,
    )
    if approved_at is not None:
        window.transition_to(MaintenanceStatus.APPROVED, now=approved_at)
    return window


def queued(**filters):
    """{(event, recipient)} of the notices queued."""
    return {(notice.event, notice.recipient) for notice in MaintenanceNotice.objects.filter(**filters)}


def events_for(address):
    return sorted(
        (notice.event, notice.occurrence_start)
        for notice in MaintenanceNotice.objects.filter(address=address).order_by("pk")
    )


# --- who is told ---------------------------------------------------------------------------------------------------


def test_an_approved_window_is_announced_once_to_each_address_and_channel(
    banking, acme_sla, acme_people, globex_elsewhere, customer_a, customer_b
):
    with loopback_server() as hooks:
        webhook = channel("webhook", hooks.url, agreement=acme_sla)
        slack = channel("slack", hooks.url + "/slack", service=banking)
        everything = channel("email", "noc@portal.example")
        channel("email", "ALICE@example.com", agreement=acme_sla)  # one more way to name alice
        channel("webhook", hooks.url + "/globex", agreement=globex_elsewhere)  # Globex's: not this service's
        channel("webhook", hooks.url + "/off", is_active=False)
        maintenance(banking)

        assert queue_due(now=APPROVED_AT) == 5
        assert queue_due(now=APPROVED_AT + MINUTE) == 0  # the next run queues nothing more

    assert queued() == {
        (APPROVED, "contact@acme.example"),
        (APPROVED, "alice@example.com"),
        (APPROVED, everything.address),
        (APPROVED, str(webhook)),
        (APPROVED, str(slack)),
    }
    assert {notice.customer for notice in MaintenanceNotice.objects.filter(channel__isnull=True)} == {
        customer_a,
        None,  # the channel of everything belongs to no customer
    }
    assert not MaintenanceNotice.objects.filter(customer=customer_b).exists()


def test_every_customer_whose_active_agreement_covers_the_service_is_told(banking, acme_sla, customer_b, bob):
    AgreementFactory(customer=customer_b, services=[banking], status=AgreementStatus.ACTIVE)
    maintenance(banking)

    queue_due(now=APPROVED_AT)

    assert {address for _event, address in queued()} == {
        "contact@acme.example",
        "contact@globex.example",
        "bob@example.com",
    }


def test_nobody_hears_of_a_service_no_active_agreement_covers(customer_a, alice):
    draft_only = ServiceFactory(code="draft-only")
    AgreementFactory(customer=customer_a, services=[draft_only], status=AgreementStatus.DRAFT)
    channel("email", "noc@portal.example")  # of everything: still only for a service someone has agreed to
    window = maintenance(draft_only)

    for now in (APPROVED_AT, START - 3 * DAY, END):
        run(now=now)

    assert not MaintenanceNotice.objects.exists()
    window.refresh_from_db()
    assert window.status == MaintenanceStatus.COMPLETED  # it is still completed


def test_nothing_is_ever_queued_or_sent_for_a_window_customers_do_not_see(banking, acme_sla, acme_people):
    channel("email", "noc@portal.example")
    window = maintenance(banking, customer_visible=False)

    for now in (APPROVED_AT, START - 3 * DAY, START, END, END + MINUTE):
        run(now=now)

    assert not MaintenanceNotice.objects.exists()
    assert mail.outbox == []
    window.refresh_from_db()
    assert window.status == MaintenanceStatus.COMPLETED


def test_a_planned_window_is_not_announced(banking, acme_sla, acme_people):
    maintenance(banking, approved_at=None)

    for now in (APPROVED_AT, START - 3 * DAY, END):
        queue_due(now=now)

    assert not MaintenanceNotice.objects.exists()


def test_pending_notices_of_a_window_hidden_or_cancelled_since_are_dropped_not_sent(banking, acme_sla, acme_people):
    hidden = maintenance(banking)
    cancelled = maintenance(banking, start=START + 7 * DAY, title="Network change")
    queue_due(now=APPROVED_AT)
    assert MaintenanceNotice.objects.count() == 4

    hidden.customer_visible = False
    hidden.save()
    cancelled.transition_to(MaintenanceStatus.CANCELLED, now=APPROVED_AT)
    sent = send_pending_notices(now=APPROVED_AT)  # claimed only while still shown: nothing goes out

    assert sent == 0
    assert mail.outbox == []
    queue_due(now=APPROVED_AT + MINUTE)
    assert not MaintenanceNotice.objects.exists()


# --- when ----------------------------------------------------------------------------------------------------------


def test_the_reminder_comes_the_set_number_of_days_before_the_occurrence_starts(banking, acme_sla, customer_a):
    maintenance(banking)
    queue_due(now=APPROVED_AT)

    queue_due(now=START - 3 * DAY - MINUTE)
    assert events_for("contact@acme.example") == [(APPROVED, START)]

    queue_due(now=START - 3 * DAY)
    queue_due(now=START - DAY)
    assert events_for("contact@acme.example") == [(APPROVED, START), (REMINDER, START)]

    queue_due(now=START - MINUTE)
    queue_due(now=START + MINUTE)  # running: nothing new
    assert events_for("contact@acme.example") == [(APPROVED, START), (REMINDER, START)]


def test_the_reminder_days_are_a_setting(banking, acme_sla, customer_a, settings):
    settings.SLM_MAINTENANCE_REMINDER_DAYS = 7
    maintenance(banking)

    queue_due(now=START - 7 * DAY - MINUTE)
    assert (REMINDER, START) not in events_for("contact@acme.example")
    queue_due(now=START - 7 * DAY)
    assert (REMINDER, START) in events_for("contact@acme.example")


def test_no_reminders_with_the_setting_at_zero(banking, acme_sla, customer_a, settings):
    settings.SLM_MAINTENANCE_REMINDER_DAYS = 0
    maintenance(banking)

    for now in (APPROVED_AT, START - 3 * DAY, START - MINUTE, END):
        queue_due(now=now)

    assert [event for event, _start in events_for("contact@acme.example")] == [APPROVED, ENDED]


def test_a_window_approved_within_the_reminder_days_gets_no_reminder_after_its_announcement(
    banking, acme_sla, customer_a
):
    maintenance(banking, approved_at=START - 2 * DAY)

    for now in (START - 2 * DAY, START - DAY, START - MINUTE, END):
        queue_due(now=now)

    assert events_for("contact@acme.example") == [(APPROVED, START), (ENDED, START)]


def test_the_end_is_told_when_the_occurrence_ends_and_the_window_is_completed(banking, acme_sla, customer_a):
    window = maintenance(banking)
    run(now=END - MINUTE)
    assert (ENDED, START) not in events_for("contact@acme.example")
    window.refresh_from_db()
    assert window.status == MaintenanceStatus.APPROVED

    result = run(now=END)

    assert events_for("contact@acme.example") == [(APPROVED, START), (ENDED, START)]
    assert result["completed"] == 1
    window.refresh_from_db()
    assert window.status == MaintenanceStatus.COMPLETED
    assert window.history.first().status == MaintenanceStatus.COMPLETED  # the step is in the window's history
    assert run(now=END + MINUTE) == {"queued": 0, "completed": 0, "sent": 0}


def test_an_occurrence_that_ended_more_than_a_day_before_it_was_seen_is_not_announced_late(
    banking, acme_sla, customer_a
):
    late = maintenance(banking)
    in_time = maintenance(banking, start=START + 7 * DAY, title="Network change")
    MaintenanceNotice.objects.all().delete()

    queue_due(now=END + DAY + MINUTE)  # first seen a day and a minute after it ended
    queue_due(now=in_time.ends_at + DAY - MINUTE)

    assert not MaintenanceNotice.objects.filter(window=late).exists()
    assert MaintenanceNotice.objects.filter(window=in_time, event=ENDED).exists()  # seen 23 h 59 min after: told
    assert complete_finished(now=in_time.ends_at) == 2  # both are completed all the same


def test_each_occurrence_of_a_weekly_window_is_reminded_and_its_end_told_and_the_window_completed_after_the_last(
    banking, acme_sla, customer_a
):
    # Every Thursday 02:00-04:00 KST from 10 Dec to 24 Dec: three occurrences.
    window = maintenance(banking, recurrence=Recurrence.WEEKLY, repeat_until=dt.date(2026, 12, 24))
    starts = [START, START + 7 * DAY, START + 14 * DAY]
    instants = [APPROVED_AT]
    for start in starts:
        instants += [start - 3 * DAY, start + 2 * 60 * MINUTE]

    for now in instants:
        run(now=now)
        if now < starts[-1]:
            window.refresh_from_db()
            assert window.status == MaintenanceStatus.APPROVED

    assert events_for("contact@acme.example") == sorted(
        [(APPROVED, START)] + [(REMINDER, start) for start in starts] + [(ENDED, start) for start in starts]
    )
    window.refresh_from_db()
    assert window.status == MaintenanceStatus.COMPLETED


def test_an_occurrence_over_before_the_approval_is_not_told_to_have_ended(banking, acme_sla, customer_a):
    # Weekly from 10 Dec; approved on 12 Dec, after the first occurrence.
    window = maintenance(
        banking, recurrence=Recurrence.WEEKLY, repeat_until=dt.date(2026, 12, 17), approved_at=START + 2 * DAY
    )

    for now in (START + 2 * DAY, START + 7 * DAY + 2 * 60 * MINUTE):
        queue_due(now=now)

    assert events_for("contact@acme.example") == [(APPROVED, START), (ENDED, START + 7 * DAY)]
    assert window.status == MaintenanceStatus.APPROVED


def test_a_run_repeated_queues_and_sends_each_notice_once(banking, acme_sla, acme_people):
    maintenance(banking)

    first = run(now=APPROVED_AT)
    second = run(now=APPROVED_AT)

    assert first == {"queued": 2, "completed": 0, "sent": 2}
    assert second == {"queued": 0, "completed": 0, "sent": 0}
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.com", "contact@acme.example"]
    assert set(MaintenanceNotice.objects.values_list("status", "attempts")) == {(NotificationStatus.SENT, 1)}


def test_approving_a_window_runs_the_notices_task_once_the_approval_commits(
    banking, monkeypatch, django_capture_on_commit_callbacks
):
    queued_tasks = []
    monkeypatch.setattr(send_maintenance_notices, "delay", lambda: queued_tasks.append("notices"))
    hidden = maintenance(banking, approved_at=None, customer_visible=False)
    window = maintenance(banking, start=START + 7 * DAY, approved_at=None)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        window.transition_to(MaintenanceStatus.APPROVED, now=APPROVED_AT)
        hidden.transition_to(MaintenanceStatus.APPROVED, now=APPROVED_AT)
    assert queued_tasks == []  # not before the approval is committed

    for callback in callbacks:
        callback()
    assert queued_tasks == ["notices"]  # the visible window's; a hidden one is announced to nobody


def test_beat_runs_the_notices_task_every_few_minutes(banking, acme_sla, customer_a):
    entry = settings.CELERY_BEAT_SCHEDULE["maintenance-notices"]
    assert entry["task"] == "monitoring.tasks.send_maintenance_notices"
    assert entry["schedule"] <= 300
    maintenance(banking, start=kst(2020, 1, 1), approved_at=kst(2019, 12, 1))  # long over at the real clock

    assert send_maintenance_notices() == {"queued": 0, "completed": 1, "sent": 0}


# --- what is said --------------------------------------------------------------------------------------------------


def test_the_email_names_the_service_title_time_in_the_portals_zone_what_customers_notice_and_the_link(
    banking, acme_sla, customer_a, smtp_inbox
):
    window = maintenance(banking)

    run(now=APPROVED_AT)

    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["contact@acme.example"]
    assert message["Subject"] == "SLM Portal: Planned maintenance of Internet banking: Database upgrade"
    body = message.get_content().replace("\r\n", "\n")
    assert "Maintenance of Internet banking is planned and approved." in body
    assert "When: 10 Dec 2026, 02:00 KST – 04:00 KST" in body
    assert "What you will notice:\nOnline banking answers with a maintenance page." in body
    assert f"Details: {settings.SLM_PORTAL_URL}/maintenance/{window.pk}/" in body


def test_a_reminder_and_an_end_say_so(banking, acme_sla, customer_a):
    maintenance(banking)
    run(now=APPROVED_AT)
    mail.outbox.clear()

    run(now=START - 3 * DAY)
    run(now=END)

    assert [message.subject for message in mail.outbox] == [
        "SLM Portal: Maintenance of Internet banking starts in 3 days: Database upgrade",
        "SLM Portal: Maintenance of Internet banking has ended: Database upgrade",
    ]
    assert "A reminder: maintenance of Internet banking is coming up." in mail.outbox[0].body
    assert "When: 10 Dec 2026, 02:00 KST – 04:00 KST" in mail.outbox[1].body


def test_an_approval_of_a_repeating_window_lists_its_next_occurrences_and_its_own_zone(banking, acme_sla, customer_a):
    berlin = BusinessCalendarFactory(code="berlin", time_zone="Europe/Berlin")
    # Every Wednesday 18:00-20:00 in Berlin (02:00-04:00 KST on Thursday) until 31 Dec.
    maintenance(banking, calendar=berlin, recurrence=Recurrence.WEEKLY, repeat_until=dt.date(2026, 12, 31))

    run(now=APPROVED_AT)

    [message] = mail.outbox
    assert (
        "When (the next occurrences):\n- 10 Dec 2026, 02:00 KST – 04:00 KST\n- 17 Dec 2026, 02:00 KST" in message.body
    )
    assert "The window keeps its local time in Europe/Berlin." in message.body
    assert "Repeats: Every week, same weekday and time, until 31 Dec 2026." in message.body


def test_the_email_is_in_the_portals_language(banking, acme_sla, customer_a, settings):
    settings.LANGUAGE_CODE = "ko"
    maintenance(banking)

    run(now=APPROVED_AT)

    [message] = mail.outbox
    assert message.subject == "SLM Portal: Internet banking 계획 유지보수: Database upgrade"
    assert "2026년 12월 10일 02:00 KST – 04:00 KST" in message.body
    assert "고객이 겪게 되는 일:" in message.body


def test_webhooks_get_the_notice_as_json_and_slack_as_text(banking, acme_sla):
    with loopback_server() as hooks:
        channel("webhook", hooks.url + "/json", agreement=acme_sla)
        channel("slack", hooks.url + "/slack", service=banking)
        acme_sla.customer.contact_email = ""
        acme_sla.customer.save()
        window = maintenance(banking)

        run(now=START - 3 * DAY)

    url = f"{settings.SLM_PORTAL_URL}/maintenance/{window.pk}/"
    assert len(hooks.requests) == 4  # approved and reminder on both
    json_bodies = [json.loads(body) for _m, path, body in hooks.requests if path == "/hook/json"]
    reminder = next(body for body in json_bodies if body["event"] == "reminder")
    assert reminder == {
        "type": "maintenance",
        "event": "reminder",
        "portal": "SLM Portal",
        "url": url,
        "text": f"Maintenance of Internet banking starts in 3 days: Database upgrade "
        f"(10 Dec 2026, 02:00 KST – 04:00 KST). {url}",
        "service": {"code": "internet-banking", "name": "Internet banking"},
        "window": {
            "id": window.pk,
            "title": "Database upgrade",
            "description": "Online banking answers with a maintenance page.",
            "status": "approved",
            "recurrence": "none",
            "repeat_until": None,
            "time_zone": "Asia/Seoul",
        },
        "occurrence": {"start": "2026-12-09T17:00:00+00:00", "end": "2026-12-09T19:00:00+00:00"},
        "occurrences": [{"start": "2026-12-09T17:00:00+00:00", "end": "2026-12-09T19:00:00+00:00"}],
    }
    slack_texts = sorted(json.loads(body)["text"] for _m, path, body in hooks.requests if path == "/hook/slack")
    assert slack_texts[0].startswith("Maintenance of Internet banking starts in 3 days: Database upgrade (10 Dec")
    assert slack_texts[1].startswith("Planned maintenance of Internet banking: Database upgrade (10 Dec 2026")


def test_a_failed_webhook_is_tried_again_three_times_then_given_up(banking, acme_sla):
    acme_sla.customer.contact_email = ""
    acme_sla.customer.save()
    with loopback_server(statuses=(500,)) as hooks:
        channel("webhook", hooks.url, agreement=acme_sla)
        maintenance(banking)
        for minutes in range(5):
            run(now=APPROVED_AT + minutes * 3 * MINUTE)
    notice = MaintenanceNotice.objects.get()
    assert (notice.status, notice.attempts) == (NotificationStatus.FAILED, 3)
    assert "500" in notice.error
    assert len(hooks.requests) == 3


def test_a_webhook_that_fails_once_is_sent_by_the_next_run(banking, acme_sla):
    acme_sla.customer.contact_email = ""
    acme_sla.customer.save()
    with loopback_server(statuses=(503, 200)) as hooks:
        channel("webhook", hooks.url, agreement=acme_sla)
        maintenance(banking)
        assert run(now=APPROVED_AT)["sent"] == 0
        assert run(now=APPROVED_AT + 3 * MINUTE)["sent"] == 1
    notice = MaintenanceNotice.objects.get()
    assert (notice.status, notice.attempts, notice.error) == (NotificationStatus.SENT, 2, "")


def test_a_notice_claimed_by_another_worker_is_not_sent_again(banking, acme_sla, customer_a):
    maintenance(banking)
    queue_due(now=APPROVED_AT)
    MaintenanceNotice.objects.update(status=NotificationStatus.SENDING)  # another worker has it

    assert send_pending_notices(now=APPROVED_AT) == 0
    assert mail.outbox == []


def test_the_reminder_days_are_read_from_the_environment(tmp_path):
    script = "from django.conf import settings; print(settings.SLM_MAINTENANCE_REMINDER_DAYS)"
    assert fresh_process(tmp_path, "-c", script, DEBUG="1").stdout.strip() == "3"
    assert fresh_process(tmp_path, "-c", script, DEBUG="1", SLM_MAINTENANCE_REMINDER_DAYS="5").stdout.strip() == "5"
    refused = fresh_process(tmp_path, "-c", script, DEBUG="1", SLM_MAINTENANCE_REMINDER_DAYS="-1")
    assert "SLM_MAINTENANCE_REMINDER_DAYS='-1' must be at least 0." in refused.stderr


def test_a_window_approved_again_after_a_change_is_announced_again_with_its_new_times(banking, acme_sla, acme_people):
    window = maintenance(banking)
    queue_due(now=APPROVED_AT + MINUTE)
    # Its end moves (same start): it goes back to planned and is approved again a day later.
    MaintenanceWindow.objects.filter(pk=window.pk).update(
        ends_at=END + dt.timedelta(hours=1), status=MaintenanceStatus.PLANNED, approved_at=None
    )
    window.refresh_from_db()
    window.transition_to(MaintenanceStatus.APPROVED, now=APPROVED_AT + DAY)
    queue_due(now=APPROVED_AT + DAY + MINUTE)
    approvals = MaintenanceNotice.objects.filter(event=APPROVED, address="alice@example.com").order_by("announced_at")
    assert [(notice.announced_at, notice.occurrence_end) for notice in approvals] == [
        (APPROVED_AT, END),
        (APPROVED_AT + DAY, END + dt.timedelta(hours=1)),
    ]
    queue_due(now=APPROVED_AT + DAY + 2 * MINUTE)
    assert MaintenanceNotice.objects.filter(event=APPROVED, address="alice@example.com").count() == 2


def test_customers_told_of_a_window_are_told_once_when_it_is_cancelled(banking, acme_sla, acme_people):
    window = maintenance(banking)
    queue_due(now=APPROVED_AT + MINUTE)
    send_pending_notices(now=APPROVED_AT + MINUTE)
    mail.outbox.clear()
    window.transition_to(MaintenanceStatus.CANCELLED, now=APPROVED_AT + DAY)
    run(now=APPROVED_AT + DAY + MINUTE)
    run(now=APPROVED_AT + DAY + 2 * MINUTE)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(acme_people)
    assert {message.subject for message in mail.outbox} == {
        "SLM Portal: Maintenance of Internet banking is cancelled: Database upgrade"
    }
    assert "announced earlier is cancelled: it will not take place" in mail.outbox[0].body
    # Nothing more: no reminder and no end notice of a cancelled window.
    run(now=START - DAY)
    run(now=END + MINUTE)
    assert len(mail.outbox) == len(acme_people)
