"""Reminders of service reviews (improvement/review_reminders.py): the agreement's owner is told by e-mail from
SLM_REVIEW_REMINDER_DAYS (14) days before the next review date, and once more when it has passed; each at most once
per review date, whatever the number of runs.

The scene: Acme's active SLA "acme-sla", owned by Minsu Park (manager@example.com), next review on 15 March 2027.
``send_review_reminders(today=...)`` is called with explicit days.
"""

import datetime as dt

import pytest
from django.core import mail

from agreements.choices import AgreementStatus, ReviewCycle
from improvement import tasks
from improvement.choices import ReminderKind
from improvement.models import ReviewReminder
from improvement.review_reminders import due_kind, send_review_reminders
from tests.factories import AgreementFactory, ManagerFactory
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db
REVIEW = dt.date(2027, 3, 15)


def day(offset):
    """A day relative to the review date: day(-14) is 1 March 2027."""
    return REVIEW + dt.timedelta(days=offset)


@pytest.fixture
def acme(agreement_a, manager):
    agreement_a.owner, agreement_a.next_review, agreement_a.review_cycle = manager, REVIEW, ReviewCycle.QUARTERLY
    agreement_a.save()
    return agreement_a


def reminders():
    return sorted(ReviewReminder.objects.values_list("agreement__code", "review_date", "kind", "recipient"))


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-15, None), (-14, ReminderKind.AHEAD), (-1, ReminderKind.AHEAD), (0, ReminderKind.AHEAD), (1, "overdue")],
)
def test_which_reminder_is_due_on_a_day(offset, expected):
    assert due_kind(REVIEW, day(offset), 14) == expected


def test_no_date_no_reminder():
    assert due_kind(None, day(0), 14) is None


def test_the_owner_is_reminded_once_ahead_and_once_when_the_date_has_passed(acme):
    assert send_review_reminders(today=day(-15)) == 0
    assert send_review_reminders(today=day(-14)) == 1
    assert send_review_reminders(today=day(-14)) == 0  # the same day again
    assert send_review_reminders(today=day(-3)) == 0  # later days before the date
    assert send_review_reminders(today=day(0)) == 0
    assert reminders() == [("acme-sla", REVIEW, "ahead", "manager@example.com")]
    message = mail.outbox[0]
    assert message.to == ["manager@example.com"]
    assert message.subject == "SLM Portal: The review of acme-sla with Acme Bank is coming"
    assert "The service review of acme-sla (Acme online banking) with Acme Bank is due on 15 Mar 2027, in 14 days." in (
        message.body
    )
    assert "/agreements/acme-sla/reviews/new/" in message.body

    assert send_review_reminders(today=day(1)) == 1
    assert send_review_reminders(today=day(30)) == 0
    assert [row[2] for row in reminders()] == ["ahead", "overdue"]
    overdue = mail.outbox[1]
    assert overdue.subject == "SLM Portal: The review of acme-sla with Acme Bank is overdue"
    assert "was due on 15 Mar 2027, 1 day ago, and no review has been recorded since." in overdue.body
    assert len(mail.outbox) == 2


def test_a_date_first_seen_after_it_passed_gets_only_the_overdue_reminder(acme):
    assert send_review_reminders(today=day(5)) == 1
    assert [row[2] for row in reminders()] == ["overdue"]
    assert "5 days ago" in mail.outbox[0].body


def test_a_new_date_after_a_review_has_reminders_of_its_own(acme):
    send_review_reminders(today=day(-14))
    acme.next_review = dt.date(2027, 6, 15)
    acme.save()
    assert send_review_reminders(today=dt.date(2027, 6, 1)) == 1
    assert [(row[1], row[2]) for row in reminders()] == [(REVIEW, "ahead"), (dt.date(2027, 6, 15), "ahead")]


def test_the_lead_comes_from_the_setting(acme, settings):
    settings.SLM_REVIEW_REMINDER_DAYS = 3
    assert send_review_reminders(today=day(-4)) == 0
    assert send_review_reminders(today=day(-3)) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda acme: setattr(acme, "owner", None),
        lambda acme: setattr(acme.owner, "email", ""),
        lambda acme: setattr(acme.owner, "is_active", False),
        lambda acme: setattr(acme, "status", AgreementStatus.EXPIRED),
        lambda acme: setattr(acme, "next_review", None),
    ],
    ids=["no owner", "no e-mail", "inactive owner", "expired", "no review date"],
)
def test_nobody_is_reminded_without_an_owner_to_tell_or_a_review_to_hold(acme, change):
    change(acme)
    if acme.owner:
        acme.owner.save()
    acme.save()
    assert send_review_reminders(today=day(0)) == 0
    assert mail.outbox == []
    assert reminders() == []


def test_each_owner_hears_of_their_own_agreements(acme, customer_b):
    erin = ManagerFactory(username="erin")
    other = AgreementFactory(code="globex-sla", customer=customer_b, owner=erin, next_review=day(-2))
    other.status = AgreementStatus.ACTIVE
    other.save()
    assert send_review_reminders(today=day(0)) == 2
    assert reminders() == [
        ("acme-sla", REVIEW, "ahead", "manager@example.com"),
        ("globex-sla", day(-2), "overdue", "erin@example.com"),
    ]


def test_a_reminder_the_mail_server_refused_is_tried_again(acme, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("improvement.review_reminders.send_mail", refuse)
    assert send_review_reminders(today=day(-10)) == 0
    assert reminders() == []
    monkeypatch.undo()
    assert send_review_reminders(today=day(-9)) == 1
    assert len(mail.outbox) == 1


def test_the_reminder_is_written_in_the_portals_language(acme, settings):
    settings.LANGUAGE_CODE = "ko"
    send_review_reminders(today=day(2))
    message = mail.outbox[0]
    assert message.subject == "SLM Portal: Acme Bank와(과)의 acme-sla 검토 기한이 지났습니다"
    assert "2027년 3월 15일" in message.body


def test_the_daily_task_takes_today_in_the_portals_time_zone(acme, time_machine):
    time_machine.move_to(kst(2027, 3, 1, 8, 5), tick=False)  # still 28 February in UTC
    assert tasks.send_review_reminders() == 1
    assert reminders() == [("acme-sla", REVIEW, "ahead", "manager@example.com")]


def test_beat_runs_the_task_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["review-reminders"]
    assert entry["task"] == "improvement.tasks.send_review_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {5})
