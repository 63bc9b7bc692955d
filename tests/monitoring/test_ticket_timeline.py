"""A ticket clock's timeline (monitoring.tickets.timeline): the steps of the log with the business and wall-clock
time between them, pauses and stops marked, and the instants of the warning points, the goal and the breach.

Seoul office hours (Mon-Fri 09:00-18:00 KST); 4 Dec 2026 is a Friday; resolution P1 4 h, P2 8 h; waiting for the
customer pauses the clock (the worked examples of docs/compliance.md, "Ticket clocks")."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from agreements.calendars import WorkingCalendar
from core.formatting import duration_text
from monitoring.tickets.clock import ClockState, StateCategory, TicketEvent, ticket_clock
from monitoring.tickets.timeline import Mark, clock_timeline

KST = ZoneInfo("Asia/Seoul")
OFFICE = WorkingCalendar("Asia/Seoul", dict.fromkeys(range(5), [(time(9), time(18))]))
GOALS = {"P1": timedelta(hours=4), "P2": timedelta(hours=8)}
WAITING = [StateCategory.WAITING_CUSTOMER]


def kst(*args):
    return datetime(*args, tzinfo=KST)


def event(number, at, kind, **fields):
    return TicketEvent(event_id=f"e{number}", instant=at, kind=kind, **fields)


def timeline_of(events, now, metric="resolution"):
    clock = ticket_clock(events, metric, GOALS, WAITING, OFFICE, now)
    return clock, clock_timeline(clock, events, OFFICE)


def table(timeline):
    """(local time, what, ran, wall, total, paused) of each step."""
    return [
        (
            step.at.astimezone(KST).strftime("%a %H:%M"),
            step.event.kind if step.event else step.mark.value,
            step.ran,
            step.wall,
            step.total,
            step.paused,
        )
        for step in timeline.steps
    ]


H = timedelta(hours=1)
M = timedelta(minutes=1)


def test_the_worked_example_resolved_late_has_its_warnings_and_breach_between_the_events():
    events = [
        event(1, kst(2026, 12, 4, 16, 30), "created", priority="P1"),
        event(2, kst(2026, 12, 7, 11, 31), "resolved"),
    ]
    clock, timeline = timeline_of(events, kst(2026, 12, 7, 12))

    assert clock.state is ClockState.BREACHED
    # 1 h 30 on Friday, then Monday from 09:00: 50 % at 09:30, 75 % at 10:30, the goal used up at 11:30.
    assert table(timeline) == [
        ("Fri 16:30", "created", 0 * H, 0 * H, 0 * H, None),
        ("Mon 09:30", "warning", 2 * H, 65 * H, 2 * H, None),
        ("Mon 10:30", "warning", 1 * H, 1 * H, 3 * H, None),
        ("Mon 11:30", "breached", 1 * H, 1 * H, 4 * H, None),
        ("Mon 11:31", "resolved", 1 * M, 1 * M, 4 * H + M, None),
    ]
    assert sum((step.ran for step in timeline.steps), timedelta(0)) == clock.running_time


def test_a_pause_is_marked_on_the_span_it_covers_and_adds_no_business_time():
    events = [
        event(1, kst(2026, 12, 4, 10), "created", priority="P2"),
        event(2, kst(2026, 12, 4, 15), "state_changed", category="waiting_customer"),
        event(3, kst(2026, 12, 8, 10), "state_changed", category="open"),
    ]
    clock, timeline = timeline_of(events, kst(2026, 12, 8, 12))

    rows = table(timeline)
    assert rows[0][:2] == ("Fri 10:00", "created")
    assert rows[1] == ("Fri 14:00", "warning", 4 * H, 4 * H, 4 * H, None)  # 50 % of 8 h
    assert rows[2] == ("Fri 15:00", "state_changed", 1 * H, 1 * H, 5 * H, None)
    assert rows[3] == ("Tue 10:00", "state_changed", 0 * H, 91 * H, 5 * H, StateCategory.WAITING_CUSTOMER)
    # The 75 % point at Tue 11:00; now (Tue 12:00) 7 h used; due at 13:00 if nothing pauses it again: ahead of now.
    assert rows[4:6] == [
        ("Tue 11:00", "warning", 1 * H, 1 * H, 6 * H, None),
        ("Tue 12:00", "now", 1 * H, 1 * H, 7 * H, None),
    ]
    due = timeline.steps[-1]
    assert (due.mark, due.at, due.total, due.ahead) == (Mark.DUE, kst(2026, 12, 8, 13), 8 * H, True)


def test_after_the_stop_the_steps_are_marked_stopped_and_the_clock_does_not_run():
    events = [
        event(1, kst(2026, 12, 7, 9), "created", priority="P1"),
        event(2, kst(2026, 12, 7, 10), "resolved"),
        event(3, kst(2026, 12, 7, 15), "closed"),
    ]
    clock, timeline = timeline_of(events, kst(2026, 12, 8, 9))

    assert clock.state is ClockState.MET
    last = timeline.steps[-1]
    assert (last.event.kind, last.ran, last.wall, last.stopped) == ("closed", timedelta(0), 5 * H, True)
    assert not any(step.mark is Mark.NOW for step in timeline.steps)  # a stopped clock is not followed to now


def test_a_ticket_breached_and_still_open_is_followed_to_now():
    events = [event(1, kst(2026, 12, 7, 9), "created", priority="P1")]
    clock, timeline = timeline_of(events, kst(2026, 12, 7, 14))

    assert [step.mark for step in timeline.steps][-2:] == [Mark.BREACHED, Mark.NOW]
    assert timeline.steps[-1].total == 5 * H


def test_durations_read_in_hours_and_minutes_and_days_only_for_wall_time():
    assert duration_text(timedelta(hours=27, minutes=5, seconds=59)) == "27 h 5 min"
    assert duration_text(timedelta(hours=27), days=True) == "1 d 3 h"
    assert duration_text(timedelta(hours=51, minutes=5), days=True) == "2 d 3 h 5 min"
    assert duration_text(timedelta(days=2, seconds=30), days=True) == "2 d"
    assert duration_text(timedelta(seconds=59), days=True) == "59 s"
    assert duration_text(timedelta(hours=4)) == "4 h"
