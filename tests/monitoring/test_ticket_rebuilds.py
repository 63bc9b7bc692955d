"""Clocks of open tickets follow edits of their business hours: rebuilt once the edit has committed, by a task."""

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Holiday
from monitoring.models import TicketClock
from monitoring.tasks import rebuild_ticket_chunk, rebuild_ticket_clocks, settle_ticket_clocks
from monitoring.tickets.store import rebuild_open_clocks
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

FRIDAY = kst(2026, 12, 4, 16, 30)


def test_a_holiday_added_to_the_business_hours_moves_the_due_time_of_open_tickets(
    django_capture_on_commit_callbacks, monkeypatch
):
    cast = TicketCast()
    cast.ticket("INC-1", FRIDAY, now=FRIDAY + dt.timedelta(minutes=1))
    assert TicketClock.objects.get(indicator=cast.resolution).due_at == kst(2026, 12, 7, 11, 30)
    queued = []
    monkeypatch.setattr(rebuild_ticket_clocks, "delay", lambda ids: queued.append(sorted(ids)))
    with django_capture_on_commit_callbacks(execute=True):
        Holiday.objects.create(calendar=cast.calendar, date=dt.date(2026, 12, 7), name="Office closed")
        Holiday.objects.create(calendar=cast.calendar, date=dt.date(2026, 12, 9), name="Office closed")
    assert queued == [sorted([cast.resolution.pk, cast.response.pk])]  # one task for both edits
    rebuild_open_clocks(FRIDAY + dt.timedelta(minutes=2), queued[0])
    assert TicketClock.objects.get(indicator=cast.resolution).due_at == kst(2026, 12, 8, 11, 30)


def test_resolved_tickets_are_left_as_they_are_by_the_rebuild_of_open_ones():
    cast = TicketCast()
    cast.ticket("INC-1", FRIDAY, resolved=FRIDAY + dt.timedelta(hours=1))
    cast.ticket("INC-2", FRIDAY, now=FRIDAY + dt.timedelta(hours=1))
    assert rebuild_open_clocks(FRIDAY + dt.timedelta(hours=2)) == 2  # INC-2's two clocks


def test_the_settling_task_counts_tickets_whose_goal_ran_out():
    cast = TicketCast()
    opened = timezone.now() - dt.timedelta(days=8)  # a week and a day: more than 4 business hours whatever the day
    cast.ticket("INC-1", opened, now=opened + dt.timedelta(minutes=1))
    assert TicketClock.objects.get(indicator=cast.resolution).state == "running"
    settle_ticket_clocks()
    clock = TicketClock.objects.get(indicator=cast.resolution)
    assert (clock.state, clock.good) == ("breached", False)
    assert clock.counted_at == clock.breached_at < timezone.now()


def test_the_rebuild_after_an_edit_is_shared_out_in_chunks_of_open_tickets(settings, monkeypatch, time_machine):
    cast = TicketCast()
    for number in range(5):
        cast.ticket(f"INC-{number}", FRIDAY, now=FRIDAY + dt.timedelta(minutes=1))
    cast.ticket("DONE", FRIDAY, resolved=FRIDAY + dt.timedelta(hours=1))
    Holiday.objects.create(calendar=cast.calendar, date=dt.date(2026, 12, 7), name="Office closed")
    settings.SLM_TICKET_REBUILD_CHUNK = 2
    queued = []
    monkeypatch.setattr(rebuild_ticket_chunk, "delay", lambda ids, at: queued.append((ids, at)))
    time_machine.move_to(FRIDAY + dt.timedelta(minutes=5), tick=False)

    assert rebuild_ticket_clocks([cast.resolution.pk]) == 3
    assert [len(ids) for ids, _at in queued] == [2, 2, 1]  # the five open tickets; the resolved one stays as it was
    assert {dt.datetime.fromisoformat(at) for _ids, at in queued} == {FRIDAY + dt.timedelta(minutes=5)}
    for ids, at in queued:  # as the workers run them
        assert rebuild_ticket_chunk(ids, at) == 2 * len(ids)
    # Friday 16:30 + 4 business hours, Monday a holiday: due Tuesday 11:30.
    due = set(
        TicketClock.objects.filter(indicator=cast.resolution, ticket__category="open").values_list("due_at", flat=True)
    )
    assert due == {kst(2026, 12, 8, 11, 30)}
