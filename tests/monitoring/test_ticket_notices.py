"""Ticket notices (monitoring/ticket_notices.py): an agreement's contacts hear of each warning point of a running
ticket clock and of its breach, once each, only inside the ticket indicator's working hours; another customer hears
nothing of it."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from monitoring import ticket_notices
from monitoring.choices import ChannelKind, Severity
from monitoring.models import NotificationChannel, TicketNotice, TicketNoticeDelivery
from monitoring.tasks import send_ticket_notices
from tests.factories import UserFactory
from tests.monitoring.evaluation_helpers import loopback_server
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

FRIDAY = kst(2026, 12, 4, 16, 30)  # P1, 4 business hours: 50 % at Mon 09:30, 75 % at 10:30, breached at 11:30
MONDAY = kst(2026, 12, 7)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def cast():
    cast = TicketCast()
    cast.customer.contact_email = "desk-contact@acme.example"
    cast.customer.save()
    cast.agreement.owner = UserFactory(username="owner", email="owner@portal.example")
    cast.agreement.save()
    cast.target()  # the agreement's ticket target measures the resolution indicator (first response: no target)
    return cast


def subjects():
    return sorted((message.to[0], message.subject.split(": ", 1)[1]) for message in mail.outbox)


def run(at):
    mail.outbox.clear()
    return ticket_notices.run(at)


def test_each_warning_point_and_the_breach_are_told_once_to_the_agreements_contacts(cast):
    cast.ticket("INC-1", FRIDAY)
    assert run(FRIDAY + 2 * MINUTE) == {"queued": 0, "dropped": 0, "sent": 0}

    assert run(MONDAY.replace(hour=9, minute=31))["sent"] == 2
    assert subjects() == [
        ("desk-contact@acme.example", "Ticket INC-1 (P1), Time to resolve: 50 % of the goal used"),
        ("owner@portal.example", "Ticket INC-1 (P1), Time to resolve: 50 % of the goal used"),
    ]
    body = mail.outbox[0].body
    assert "Time to resolve: 2 h of its 4 h in business time used (50 %)." in body
    assert "Due at 7 Dec 2026, 11:30 KST, if nothing pauses it." in body
    assert f"{cast.agreement.get_absolute_url()}\n" in body
    assert run(MONDAY.replace(hour=9, minute=32))["sent"] == 0  # told once

    assert run(MONDAY.replace(hour=10, minute=31))["sent"] == 2
    assert {subject for _to, subject in subjects()} == {"Ticket INC-1 (P1), Time to resolve: 75 % of the goal used"}

    # Still open at 11:31: the clock is settled as breached at 11:30, and that is told.
    assert run(MONDAY.replace(hour=11, minute=31))["sent"] == 2
    assert {subject for _to, subject in subjects()} == {"Ticket INC-1 (P1), Time to resolve: the goal is breached"}
    assert "the goal of 4 h in business time ran out at 7 Dec 2026, 11:30 KST." in mail.outbox[0].body
    assert run(MONDAY.replace(hour=12))["sent"] == 0
    notices = TicketNotice.objects.filter(clock__indicator=cast.resolution)
    assert sorted((notice.event, str(notice.point)) for notice in notices) == [
        ("breach", "100.00"),
        ("warning", "50.00"),
        ("warning", "75.00"),
    ]


def test_a_notice_due_after_hours_waits_for_the_next_working_instant(cast):
    # Created Friday 13:30; beat is down until 21:00, when the clock has breached at 17:30 (4 h). The breach is queued
    # at 21:00 and told on Monday at 09:00, not during the weekend; the warnings of a breached clock are not told.
    cast.ticket("INC-1", kst(2026, 12, 4, 13, 30))
    assert run(kst(2026, 12, 4, 21)) == {"queued": 1, "dropped": 0, "sent": 0}
    notice = TicketNotice.objects.get(clock__indicator=cast.resolution)
    assert (notice.event, notice.reached_at, notice.send_after) == (
        "breach",
        kst(2026, 12, 4, 17, 30),
        MONDAY + 9 * 60 * MINUTE,
    )
    assert run(kst(2026, 12, 5, 10))["sent"] == 0
    assert run(MONDAY.replace(hour=8, minute=59))["sent"] == 0
    assert run(MONDAY.replace(hour=9))["sent"] == 2
    assert run(MONDAY.replace(hour=9, minute=1))["sent"] == 0


def test_a_worker_that_comes_after_hours_waits_too(cast):
    # 50 % of a P1 created Friday 13:59 falls at 15:59, 75 % at 16:59: queued at 17:59, held when the worker comes
    # at 18:00, sent on Monday.
    cast.ticket("INC-1", kst(2026, 12, 4, 13, 59), now=kst(2026, 12, 4, 14))
    assert ticket_notices.queue_due(kst(2026, 12, 4, 17, 59)) == 2
    assert ticket_notices.send_pending(kst(2026, 12, 4, 18, 0)) == 0
    assert ticket_notices.send_pending(MONDAY.replace(hour=9)) == 4


def test_a_warning_whose_clock_has_stopped_before_it_could_go_out_is_not_sent(cast):
    cast.ticket("INC-1", kst(2026, 12, 4, 14, 30))  # 50 % at 16:30, 75 % at 17:30, due Monday 09:30
    assert run(kst(2026, 12, 4, 17, 45)) == {"queued": 2, "dropped": 0, "sent": 4}
    cast.ticket("INC-2", kst(2026, 12, 4, 14, 30), now=kst(2026, 12, 4, 14, 31))
    assert run(kst(2026, 12, 4, 19))["queued"] == 2  # held until Monday 09:00
    cast.send([cast.event("INC-2", "resolved", kst(2026, 12, 5, 10))], now=kst(2026, 12, 5, 10, 1))
    assert run(MONDAY.replace(hour=9)) == {"queued": 0, "dropped": 4, "sent": 0}
    assert not TicketNoticeDelivery.objects.filter(status="pending").exists()


def test_a_reopened_ticket_that_breaches_again_is_not_told_again(cast):
    cast.ticket("INC-1", MONDAY.replace(hour=9), now=MONDAY.replace(hour=9, minute=1))
    run(MONDAY.replace(hour=13, minute=1))  # beat was down all morning: only the breach (at 13:00) is told
    assert subjects() == [
        ("desk-contact@acme.example", "Ticket INC-1 (P1), Time to resolve: the goal is breached"),
        ("owner@portal.example", "Ticket INC-1 (P1), Time to resolve: the goal is breached"),
    ]
    cast.send(
        [
            cast.event("INC-1", "resolved", MONDAY.replace(hour=14)),
            cast.event("INC-1", "reopened", MONDAY.replace(hour=15)),
        ],
        now=MONDAY.replace(hour=15, minute=1),
    )
    # The desk then sends that the customer was awaited 10:00-12:00: 3 h used by the resolve, so the reopened clock
    # runs again and breaches anew at 16:00.
    cast.send(
        [
            cast.event("INC-1", "state_changed", MONDAY.replace(hour=10), state="Waiting for customer"),
            cast.event("INC-1", "state_changed", MONDAY.replace(hour=12), state="In progress"),
        ],
        now=MONDAY.replace(hour=15, minute=30),
    )
    assert run(MONDAY.replace(hour=16, minute=30)) == {"queued": 0, "dropped": 0, "sent": 0}
    assert TicketNotice.objects.filter(clock__indicator=cast.resolution, event="breach").count() == 1


def test_a_point_reached_long_before_it_is_first_seen_is_not_told(cast):
    cast.ticket("INC-1", FRIDAY)
    assert run(MONDAY.replace(hour=9, minute=31) + dt.timedelta(days=3)) == {"queued": 0, "dropped": 0, "sent": 0}


def test_channels_hear_as_alerts_do_and_another_customer_hears_nothing(cast):
    other = TicketCast()  # another customer, with its own agreement, contact and channel
    other.customer.contact_email = "other@globex.example"
    other.customer.save()
    other.target()
    with loopback_server() as hooks:
        mine = NotificationChannel.objects.create(
            name="Acme hook", kind=ChannelKind.WEBHOOK, address=hooks.url, agreement=cast.agreement
        )
        NotificationChannel.objects.create(
            name="Globex hook", kind=ChannelKind.WEBHOOK, address=hooks.url + "/globex", agreement=other.agreement
        )
        NotificationChannel.objects.create(
            name="Pager", kind=ChannelKind.SLACK, address=hooks.url + "/pager", minimum_severity=Severity.PAGE
        )
        NotificationChannel.objects.create(name="Desk mailbox", kind=ChannelKind.EMAIL, address="Desk@Portal.example")
        cast.ticket("INC-1", FRIDAY)
        run(MONDAY.replace(hour=9, minute=31))  # the 50 % warning
        warned = {message.to[0] for message in mail.outbox}
        run(MONDAY.replace(hour=10, minute=31))  # the 75 % warning
        run(MONDAY.replace(hour=11, minute=31))  # the breach
        paths = [path for _method, path, _body in hooks.requests]
        bodies = hooks.json_bodies()

    assert warned == {"desk-contact@acme.example", "owner@portal.example", "desk@portal.example"}
    assert "other@globex.example" not in {message.to[0] for message in mail.outbox}
    assert "/hook/globex" not in paths  # another customer's channel
    assert paths.count("/hook/pager") == 1  # pages only: the breach, not the warnings
    assert paths.count("/hook") == 3  # Acme's channel: 50 %, 75 %, breach
    breach = next(body for body in bodies if body.get("event") == "breach")
    assert breach["ticket"] == {"id": "INC-1", "title": "", "service": cast.service.code, "priority": "P1"}
    assert breach["clock"]["reached_at"] == "2026-12-07T02:30:00+00:00"
    assert breach["agreements"] == [cast.agreement.code]
    assert TicketNoticeDelivery.objects.filter(channel=mine, customer=cast.customer).count() == 3


def test_a_failed_webhook_is_tried_again_and_the_e_mails_are_not_sent_twice(cast):
    with loopback_server(statuses=(500, 200)) as hooks:
        NotificationChannel.objects.create(name="Hook", kind=ChannelKind.WEBHOOK, address=hooks.url)
        cast.ticket("INC-1", FRIDAY)
        assert run(MONDAY.replace(hour=9, minute=31))["sent"] == 2  # two e-mails; the webhook answered 500
        assert run(MONDAY.replace(hour=9, minute=32))["sent"] == 1  # the webhook, again
        assert len(mail.outbox) == 0
        assert len(hooks.requests) == 2


def test_notices_are_written_in_the_portals_language(cast, settings):
    settings.LANGUAGE_CODE = "ko"
    cast.ticket("INC-1", FRIDAY)
    run(MONDAY.replace(hour=9, minute=31))
    assert mail.outbox[0].subject.endswith("티켓 INC-1 (P1), 해결 시간: 목표의 50% 사용")
    assert "업무 시간" in mail.outbox[0].body


def test_beat_sends_ticket_notices_every_minute(cast, time_machine):
    assert settings.CELERY_BEAT_SCHEDULE["ticket-notices"] == {
        "task": "monitoring.tasks.send_ticket_notices",
        "schedule": 60,
    }
    cast.ticket("INC-1", FRIDAY)
    time_machine.move_to(MONDAY.replace(hour=9, minute=31), tick=False)
    assert send_ticket_notices() == {"queued": 1, "dropped": 0, "sent": 2}
