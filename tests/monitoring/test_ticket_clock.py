"""Tests for monitoring.tickets.clock: hand-worked known answers for the rules of docs/compliance.md "Ticket clocks".

Unless a test says otherwise: Seoul office hours (Mon-Fri 09:00-18:00 KST), resolution goals P1 4 h, P2 8 h,
P3 27 h (three working days), and waiting for the customer pauses the clock. 4 Dec 2026 is a Friday.
"""

import dataclasses
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agreements.calendars import WorkingCalendar, working_time_between
from monitoring.tickets.clock import (
    ClockState,
    EventKind,
    Metric,
    Pause,
    StateCategory,
    TicketEvent,
    WarningPoint,
    ticket_clock,
)

KST = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")  # 2026: clocks go back from 03:00 CEST to 02:00 CET on Sun 25 Oct (01:00Z)

NINE_TO_SIX = [(time(9), time(18))]
SEOUL_OFFICE = WorkingCalendar("Asia/Seoul", dict.fromkeys(range(5), NINE_TO_SIX))
RESOLVE_GOALS = {"P1": timedelta(hours=4), "P2": timedelta(hours=8), "P3": timedelta(hours=27)}
RESPONSE_GOALS = {"P1": timedelta(minutes=30), "P2": timedelta(hours=2), "P3": timedelta(hours=4)}
WAITING = {StateCategory.WAITING_CUSTOMER}

OPEN = StateCategory.OPEN
WAITING_CUSTOMER = StateCategory.WAITING_CUSTOMER


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


class Log:
    """Builds an event log with ids e1, e2, ... in the order written."""

    def __init__(self) -> None:
        self.events: list[TicketEvent] = []

    def add(self, instant: datetime, kind: EventKind, **fields: object) -> "Log":
        self.events.append(TicketEvent(f"e{len(self.events) + 1}", instant, kind, **fields))
        return self

    def created(self, instant: datetime, priority: str = "P1") -> "Log":
        return self.add(instant, EventKind.CREATED, priority=priority)

    def state(self, instant: datetime, category: StateCategory) -> "Log":
        return self.add(instant, EventKind.STATE_CHANGED, category=category)

    def priority(self, instant: datetime, priority: str) -> "Log":
        return self.add(instant, EventKind.PRIORITY_CHANGED, priority=priority)

    def first_response(self, instant: datetime) -> "Log":
        return self.add(instant, EventKind.FIRST_RESPONSE)

    def resolved(self, instant: datetime) -> "Log":
        return self.add(instant, EventKind.RESOLVED)

    def reopened(self, instant: datetime) -> "Log":
        return self.add(instant, EventKind.REOPENED)

    def closed(self, instant: datetime) -> "Log":
        return self.add(instant, EventKind.CLOSED)

    def cancelled(self, instant: datetime) -> "Log":
        return self.add(instant, EventKind.CANCELLED)


def resolution(log: Log | list[TicketEvent], now: datetime, calendar: WorkingCalendar = SEOUL_OFFICE, **kwargs):
    events = log.events if isinstance(log, Log) else log
    return ticket_clock(events, Metric.RESOLUTION, RESOLVE_GOALS, WAITING, calendar, now, **kwargs)


def first_response(log: Log, now: datetime):
    return ticket_clock(log.events, Metric.FIRST_RESPONSE, RESPONSE_GOALS, WAITING, SEOUL_OFFICE, now)


# --- The worked example -----------------------------------------------------------------------


def test_worked_example_p1_created_friday_afternoon_is_due_monday_1130():
    # Fri 16:30-18:00 = 1 h 30; Mon 09:00-10:00 = 1 h; 2 h 30 of 4 h used, 1 h 30 left -> Mon 11:30.
    clock = resolution(Log().created(kst(2026, 12, 4, 16, 30)), now=kst(2026, 12, 7, 10))
    assert clock.state is ClockState.RUNNING
    assert clock.start == kst(2026, 12, 4, 16, 30)
    assert clock.stop is None
    assert clock.goal == hours(4)
    assert clock.running_time == hours(2.5)
    assert clock.remaining == hours(1.5)
    assert clock.wall_time == timedelta(days=2, hours=17, minutes=30)
    assert clock.due_at == kst(2026, 12, 7, 11, 30)
    assert clock.due_at.tzinfo is UTC
    assert clock.breached_at is None
    assert clock.percent_elapsed == Fraction(125, 2)  # 62.5 %
    # 50 % = 2 h was reached Mon 09:30; 75 % = 3 h will be reached Mon 10:30 if nothing pauses.
    assert clock.warnings == (
        WarningPoint(Fraction(50), kst(2026, 12, 7, 9, 30)),
        WarningPoint(Fraction(75), kst(2026, 12, 7, 10, 30)),
    )


def test_a_clock_is_at_risk_once_past_its_first_warning_point():
    log = Log().created(kst(2026, 12, 4, 16, 30))
    assert not resolution(log, kst(2026, 12, 7, 9, 29)).at_risk  # 1 h 59 of 4 h
    assert resolution(log, kst(2026, 12, 7, 9, 30)).at_risk  # 2 h: 50 %
    assert not resolution(log, kst(2026, 12, 7, 12)).at_risk  # breached, no longer at risk
    # Warning points may be given as Decimal percentages: 62.5 % is 2 h 30, reached Mon 10:00.
    clock = resolution(log, kst(2026, 12, 7, 9), warning_points=[Decimal("62.5")])
    assert clock.warnings == (WarningPoint(Fraction(125, 2), kst(2026, 12, 7, 10)),)
    assert not clock.at_risk


def test_worked_example_resolved_at_1130_exactly_is_met():
    clock = resolution(Log().created(kst(2026, 12, 4, 16, 30)).resolved(kst(2026, 12, 7, 11, 30)), kst(2026, 12, 8))
    assert clock.state is ClockState.MET
    assert clock.stop == kst(2026, 12, 7, 11, 30)
    assert clock.running_time == hours(4)
    assert clock.percent_elapsed == 100
    assert clock.due_at == kst(2026, 12, 7, 11, 30)
    assert clock.breached_at is None


def test_worked_example_resolved_at_1131_is_breached_at_1130():
    clock = resolution(Log().created(kst(2026, 12, 4, 16, 30)).resolved(kst(2026, 12, 7, 11, 31)), kst(2026, 12, 8))
    assert clock.state is ClockState.BREACHED
    assert clock.running_time == hours(4) + timedelta(minutes=1)
    assert clock.breached_at == kst(2026, 12, 7, 11, 30)


def test_an_open_ticket_breaches_while_still_open():
    clock = resolution(Log().created(kst(2026, 12, 4, 16, 30)), now=kst(2026, 12, 7, 12))
    assert clock.state is ClockState.BREACHED
    assert clock.stop is None
    assert clock.running_time == hours(4.5)
    assert clock.breached_at == kst(2026, 12, 7, 11, 30)
    assert clock.due_at == kst(2026, 12, 7, 11, 30)  # in the past now
    assert clock.percent_elapsed == Fraction(225, 2)


def test_a_goal_used_up_at_closing_time_is_breached_only_when_work_resumes():
    # Created Fri 14:00: 4 h runs out at Fri 18:00. Running time stays at 4 h all weekend.
    log = Log().created(kst(2026, 12, 4, 14))
    assert resolution(log, kst(2026, 12, 5, 12)).state is ClockState.RUNNING
    assert resolution(log, kst(2026, 12, 7, 9)).running_time == hours(4)
    assert resolution(log, kst(2026, 12, 7, 9)).due_at == kst(2026, 12, 4, 18)
    breached = resolution(log, kst(2026, 12, 7, 9, 0, 1))
    assert breached.state is ClockState.BREACHED
    assert breached.breached_at == kst(2026, 12, 7, 9)
    # Resolved on Saturday: exactly at the goal in business time, so met.
    assert resolution(log.resolved(kst(2026, 12, 5, 10)), kst(2026, 12, 8)).state is ClockState.MET


# --- Pauses --------------------------------------------------------------------------------------------


def pause_over_the_weekend() -> Log:
    # P2 (8 h) created Fri 10:00; waiting for the customer from Fri 15:00 until Tue 8 Dec 10:00.
    log = Log().created(kst(2026, 12, 4, 10), "P2")
    return log.state(kst(2026, 12, 4, 15), WAITING_CUSTOMER).state(kst(2026, 12, 8, 10), OPEN)


def test_a_pause_over_a_weekend_moves_the_due_time():
    # Without the pause it would be due Fri 18:00. Paused business time: Fri 15-18 = 3 h, Mon 9 h, Tue 09-10
    # = 1 h, so 13 h of the 20 h between Fri 10:00 and Tue 12:00 -> 7 h running (Fri 10-15 and Tue 10-12).
    clock = resolution(pause_over_the_weekend(), now=kst(2026, 12, 8, 12))
    assert clock.state is ClockState.RUNNING
    assert clock.pauses == (Pause(kst(2026, 12, 4, 15), kst(2026, 12, 8, 10), WAITING_CUSTOMER),)
    assert clock.running_time == hours(7)
    assert clock.due_at == kst(2026, 12, 8, 13)
    # 50 % = 4 h was reached Fri 14:00; 75 % = 6 h on Tue 11:00 (5 h on Friday, 1 h on Tuesday).
    assert [warning.at for warning in clock.warnings] == [kst(2026, 12, 4, 14), kst(2026, 12, 8, 11)]


def test_while_paused_there_is_no_due_time():
    clock = resolution(pause_over_the_weekend(), now=kst(2026, 12, 7, 12))
    assert clock.state is ClockState.PAUSED
    assert clock.pauses == (Pause(kst(2026, 12, 4, 15), None, WAITING_CUSTOMER),)
    assert clock.running_time == hours(5)
    assert clock.due_at is None
    # 50 % was reached before the pause; 75 % has no instant while paused.
    assert [warning.at for warning in clock.warnings] == [kst(2026, 12, 4, 14), None]


def test_a_pause_wholly_outside_working_hours_changes_nothing():
    # The worked example, with the customer awaited from Fri 19:00 to Sat 11:00 and Sun 10:00 to Sun 12:00.
    log = Log().created(kst(2026, 12, 4, 16, 30))
    log.state(kst(2026, 12, 4, 19), WAITING_CUSTOMER).state(kst(2026, 12, 5, 11), OPEN)
    log.state(kst(2026, 12, 6, 10), WAITING_CUSTOMER).state(kst(2026, 12, 6, 12), OPEN)
    paused = resolution(log, now=kst(2026, 12, 7, 10))
    plain = resolution(Log().created(kst(2026, 12, 4, 16, 30)), now=kst(2026, 12, 7, 10))
    assert len(paused.pauses) == 2
    assert paused.running_time == plain.running_time == hours(2.5)
    assert paused.due_at == plain.due_at == kst(2026, 12, 7, 11, 30)
    assert paused.warnings == plain.warnings
    assert dataclasses.replace(paused, pauses=()) == plain


def test_a_category_that_does_not_pause_keeps_the_clock_running():
    log = Log().created(kst(2026, 12, 7, 9)).state(kst(2026, 12, 7, 10), StateCategory.WAITING_THIRD_PARTY)
    assert resolution(log, kst(2026, 12, 7, 12)).running_time == hours(3)
    both = {WAITING_CUSTOMER, StateCategory.WAITING_THIRD_PARTY}
    paused = ticket_clock(log.events, Metric.RESOLUTION, RESOLVE_GOALS, both, SEOUL_OFFICE, kst(2026, 12, 7, 12))
    assert paused.state is ClockState.PAUSED
    assert paused.running_time == hours(1)


# --- Holidays, priorities, reopening ---------------------------------------------------------------------


def test_a_holiday_has_no_business_time():
    calendar = dataclasses.replace(SEOUL_OFFICE, holidays=frozenset({date(2026, 12, 7)}))
    # Fri 16:30-18:00 = 1 h 30; Mon 7 Dec is a holiday; Tue 09:00-11:30 = 2 h 30.
    log = Log().created(kst(2026, 12, 4, 16, 30))
    assert resolution(log, kst(2026, 12, 7, 17), calendar).running_time == hours(1.5)
    assert resolution(log, kst(2026, 12, 7, 17), calendar).due_at == kst(2026, 12, 8, 11, 30)
    clock = resolution(log.resolved(kst(2026, 12, 8, 11)), kst(2026, 12, 9), calendar)
    assert clock.state is ClockState.MET
    assert clock.running_time == hours(3.5)


def priority_raised_after_a_pause() -> Log:
    # P3 created Mon 09:00; waiting 10:00-14:00; raised to P1 at 15:00.
    log = Log().created(kst(2026, 12, 7, 9), "P3")
    log.state(kst(2026, 12, 7, 10), WAITING_CUSTOMER).state(kst(2026, 12, 7, 14), OPEN)
    return log.priority(kst(2026, 12, 7, 15), "P1")


def test_a_priority_change_after_a_pause_keeps_the_start_and_the_pause():
    # Running: 09-10 and 14-15:30 = 2 h 30 of P1's 4 h -> due 17:00 (not 19:00, as a restart at 15:00 would
    # give, and not breached, as forgetting the pause would give: 6 h 30).
    clock = resolution(priority_raised_after_a_pause(), now=kst(2026, 12, 7, 15, 30))
    assert clock.priority == "P1"
    assert clock.goal == hours(4)
    assert clock.start == kst(2026, 12, 7, 9)
    assert clock.pauses == (Pause(kst(2026, 12, 7, 10), kst(2026, 12, 7, 14), WAITING_CUSTOMER),)
    assert clock.running_time == hours(2.5)
    assert clock.due_at == kst(2026, 12, 7, 17)
    assert resolution(priority_raised_after_a_pause().resolved(kst(2026, 12, 7, 17)), kst(2026, 12, 8)).state == "met"
    late = resolution(priority_raised_after_a_pause().resolved(kst(2026, 12, 7, 17, 1)), kst(2026, 12, 8))
    assert late.state is ClockState.BREACHED
    assert late.breached_at == kst(2026, 12, 7, 17)


def test_before_the_priority_change_the_old_goal_applies():
    clock = resolution(priority_raised_after_a_pause(), now=kst(2026, 12, 7, 14, 30))
    assert clock.priority == "P3"
    assert clock.goal == hours(27)
    assert clock.percent_elapsed == Fraction(150, 27)  # 1 h 30 of 27 h


def test_a_priority_change_after_the_stop_does_not_rejudge_the_clock():
    # P1 resolved after 6 h (breached); lowered to P3 afterwards.
    log = Log().created(kst(2026, 12, 7, 9)).resolved(kst(2026, 12, 7, 15)).priority(kst(2026, 12, 7, 16), "P3")
    clock = resolution(log, kst(2026, 12, 8))
    assert clock.priority == "P1"
    assert clock.state is ClockState.BREACHED
    assert clock.breached_at == kst(2026, 12, 7, 13)


def reopened_ticket() -> Log:
    # P2 (8 h) created Mon 09:00, resolved 12:00, reopened Tue 10:00.
    log = Log().created(kst(2026, 12, 7, 9), "P2").resolved(kst(2026, 12, 7, 12))
    return log.reopened(kst(2026, 12, 8, 10))


def test_a_reopen_continues_the_resolution_clock():
    # Mon 09-12 = 3 h, then nothing until the reopen, Tue 10-12 = 2 h: 5 h used, 3 h left -> Tue 15:00.
    clock = resolution(reopened_ticket(), now=kst(2026, 12, 8, 12))
    assert clock.state is ClockState.RUNNING
    assert clock.stop is None
    assert clock.pauses == (Pause(kst(2026, 12, 7, 12), kst(2026, 12, 8, 10), StateCategory.RESOLVED),)
    assert clock.running_time == hours(5)
    assert clock.due_at == kst(2026, 12, 8, 15)
    late = resolution(reopened_ticket().resolved(kst(2026, 12, 8, 15, 30)), kst(2026, 12, 9))
    assert late.state is ClockState.BREACHED
    assert late.stop == kst(2026, 12, 8, 15, 30)
    assert late.running_time == hours(8.5)
    assert late.breached_at == kst(2026, 12, 8, 15)


def test_before_the_reopen_the_ticket_was_met():
    clock = resolution(reopened_ticket(), now=kst(2026, 12, 7, 17))
    assert clock.state is ClockState.MET
    assert clock.stop == kst(2026, 12, 7, 12)
    assert clock.running_time == hours(3)
    assert clock.due_at is None


def test_resolved_then_closed_stops_at_the_resolve():
    log = Log().created(kst(2026, 12, 7, 9)).resolved(kst(2026, 12, 7, 11)).closed(kst(2026, 12, 9, 9))
    clock = resolution(log, kst(2026, 12, 10))
    assert clock.stop == kst(2026, 12, 7, 11)
    assert clock.running_time == hours(2)
    assert clock.state is ClockState.MET


# --- First response ------------------------------------------------------------------------------------


def test_first_response_clock_stops_at_the_first_response_and_ignores_the_reopen():
    log = reopened_ticket().first_response(kst(2026, 12, 7, 10, 30)).first_response(kst(2026, 12, 7, 11))
    clock = first_response(log, kst(2026, 12, 8, 12))
    assert clock.metric is Metric.FIRST_RESPONSE
    assert clock.stop == kst(2026, 12, 7, 10, 30)
    assert clock.goal == hours(2)  # P2
    assert clock.running_time == hours(1.5)
    assert clock.state is ClockState.MET
    assert clock.pauses == ()


def test_a_resolve_without_a_response_stops_the_first_response_clock():
    clock = first_response(Log().created(kst(2026, 12, 7, 9)).resolved(kst(2026, 12, 7, 9, 45)), kst(2026, 12, 8))
    assert clock.stop == kst(2026, 12, 7, 9, 45)
    assert clock.state is ClockState.BREACHED  # 45 min against 30 min
    assert clock.breached_at == kst(2026, 12, 7, 9, 30)


def test_a_pause_that_lasts_past_the_first_response_counts_up_to_it():
    # Created Mon 09:00, waiting from 09:10, answered at 10:00 while still waiting: 10 min used.
    log = Log().created(kst(2026, 12, 7, 9)).state(kst(2026, 12, 7, 9, 10), WAITING_CUSTOMER)
    clock = first_response(log.first_response(kst(2026, 12, 7, 10)), kst(2026, 12, 7, 12))
    assert clock.pauses == (Pause(kst(2026, 12, 7, 9, 10), kst(2026, 12, 7, 10), WAITING_CUSTOMER),)
    assert clock.running_time == timedelta(minutes=10)
    assert clock.state is ClockState.MET


# --- Order of events, cancellation ---------------------------------------------------------------------


def test_events_in_any_order_give_the_same_clock():
    in_order = pause_over_the_weekend().resolved(kst(2026, 12, 8, 12, 30)).events
    expected = resolution(in_order, kst(2026, 12, 9))
    assert expected.running_time == hours(7.5)
    assert expected.state is ClockState.MET
    shuffled = list(in_order)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert resolution(shuffled, kst(2026, 12, 9)) == expected


def test_events_at_the_same_instant_replay_in_event_id_order():
    created = TicketEvent("a", kst(2026, 12, 7, 9), EventKind.CREATED, priority="P1")
    opened = TicketEvent("x1", kst(2026, 12, 7, 10), EventKind.STATE_CHANGED, category=OPEN)
    waiting = TicketEvent("x2", kst(2026, 12, 7, 10), EventKind.STATE_CHANGED, category=WAITING_CUSTOMER)
    assert resolution([waiting, opened, created], kst(2026, 12, 7, 11)).state is ClockState.PAUSED
    reopened = dataclasses.replace(opened, event_id="x3")
    assert resolution([reopened, waiting, created], kst(2026, 12, 7, 11)).state is ClockState.RUNNING
    # The created event comes first at its instant whatever its id.
    first = TicketEvent("0", kst(2026, 12, 7, 9), EventKind.STATE_CHANGED, category=WAITING_CUSTOMER)
    assert resolution([first, created], kst(2026, 12, 7, 11)).state is ClockState.PAUSED


def test_events_after_the_evaluation_instant_are_not_known_yet():
    log = Log().created(kst(2026, 12, 4, 16, 30)).resolved(kst(2026, 12, 7, 11))
    assert resolution(log, kst(2026, 12, 7, 10)) == resolution(log.events[:1], kst(2026, 12, 7, 10))


def test_a_cancelled_ticket_counts_nothing():
    log = Log().created(kst(2026, 12, 4, 16, 30)).cancelled(kst(2026, 12, 7, 12))  # after the breach at 11:30
    clock = resolution(log, kst(2026, 12, 8))
    assert clock.state is ClockState.CANCELLED
    assert clock.stop == kst(2026, 12, 7, 12)
    assert clock.due_at is None
    assert clock.breached_at is None
    assert [warning.at for warning in clock.warnings] == [None, None]
    answered = log.first_response(kst(2026, 12, 4, 16, 40))
    assert first_response(answered, kst(2026, 12, 8)).state is ClockState.CANCELLED


# --- Daylight saving (Europe/Berlin, clocks back on Sun 25 Oct 2026) ---------------------------------------


def test_office_hours_across_the_clock_change_keep_business_time_and_add_a_wall_hour():
    # Mon-Fri 09:00-18:00 Berlin. Fri 23 Oct 16:30 CEST (14:30Z): 1 h 30 on Friday, 2 h 30 on Monday -> due
    # Mon 26 Oct 11:30 CET (10:30Z). Wall time to then: 67 h on the wall clock plus the repeated hour = 68 h.
    office = WorkingCalendar("Europe/Berlin", dict.fromkeys(range(5), NINE_TO_SIX))
    log = Log().created(berlin(2026, 10, 23, 16, 30))
    assert resolution(log, berlin(2026, 10, 26, 10), office).due_at == utc(2026, 10, 26, 10, 30)
    clock = resolution(log.resolved(berlin(2026, 10, 26, 11, 30)), berlin(2026, 10, 27), office)
    assert clock.state is ClockState.MET
    assert clock.running_time == hours(4)
    assert clock.wall_time == hours(68)


def test_a_round_the_clock_calendar_counts_the_repeated_hour():
    # 24x7 in Berlin. Created Sun 25 Oct 00:30 CEST (24 Oct 22:30Z); waiting from 02:00 CEST (00:00Z) to
    # 02:30 CET (01:30Z, the second 02:30). 1 h 30 before the pause; 2 h 30 left from 01:30Z -> 04:00Z
    # = 05:00 CET, although the wall clock shows only 4 h 30 since creation.
    always = WorkingCalendar.always("Europe/Berlin")
    log = Log().created(berlin(2026, 10, 25, 0, 30))
    log.state(berlin(2026, 10, 25, 2), WAITING_CUSTOMER).state(berlin(2026, 10, 25, 2, 30, fold=1), OPEN)
    clock = resolution(log, berlin(2026, 10, 25, 3), always)
    assert clock.pauses == (Pause(utc(2026, 10, 25, 0), utc(2026, 10, 25, 1, 30), WAITING_CUSTOMER),)
    assert clock.running_time == hours(2)  # 22:30Z-00:00Z and 01:30Z-02:00Z
    assert clock.due_at == utc(2026, 10, 25, 4)
    assert clock.due_at == berlin(2026, 10, 25, 5)


# --- Bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "kwargs", "message"),
    [
        pytest.param([], {}, "no created event", id="no-created"),
        pytest.param(Log().created(kst(2026, 12, 8)).events, {}, "no created event", id="created-later"),
        pytest.param(Log().created(kst(2026, 12, 7)).created(kst(2026, 12, 7)).events, {}, "more than once", id="2x"),
        pytest.param(Log().created(kst(2026, 12, 7)).resolved(kst(2026, 12, 6)).events, {}, "earlier", id="early"),
        pytest.param(Log().created(kst(2026, 12, 7), "P9").events, {}, "No goal for priority 'P9'", id="priority"),
        pytest.param(Log().created(kst(2026, 12, 7)).events, {"warning_points": [0]}, "above 0", id="warning-0"),
        pytest.param(Log().created(kst(2026, 12, 7)).events, {"warning_points": [101]}, "at most 100", id="w-101"),
        pytest.param(Log().created(kst(2026, 12, 7)).events, {"now": datetime(2026, 12, 7, 12)}, "aware", id="now"),
    ],
)
def test_a_log_or_setting_the_clock_cannot_use_is_refused(events, kwargs, message):
    arguments = {"now": kst(2026, 12, 7, 12), **kwargs}
    with pytest.raises(ValueError, match=message):
        ticket_clock(events, Metric.RESOLUTION, RESOLVE_GOALS, WAITING, SEOUL_OFFICE, **arguments)


def test_ended_categories_cannot_pause_a_clock():
    with pytest.raises(ValueError, match="pause"):
        ticket_clock(
            Log().created(kst(2026, 12, 7)).events,
            Metric.RESOLUTION,
            RESOLVE_GOALS,
            {StateCategory.RESOLVED},
            SEOUL_OFFICE,
            kst(2026, 12, 7, 12),
        )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(lambda: TicketEvent("e", datetime(2026, 12, 7), EventKind.CREATED, priority="P1"), "aware"),
        pytest.param(lambda: TicketEvent("e", kst(2026, 12, 7), EventKind.STATE_CHANGED), "state category"),
        pytest.param(lambda: TicketEvent("e", kst(2026, 12, 7), EventKind.PRIORITY_CHANGED), "priority"),
        pytest.param(lambda: TicketEvent("e", kst(2026, 12, 7), "escalated"), "escalated"),
        pytest.param(
            lambda: TicketEvent("e", kst(2026, 12, 7), EventKind.CREATED, category="resolved", priority="P1"),
            "cannot be created resolved",
        ),
    ],
)
def test_malformed_events_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


# --- Properties ----------------------------------------------------------------------------------------

LUNCH_AND_HOLIDAY = WorkingCalendar(
    "Europe/Berlin",
    {weekday: [(time(8), time(12)), (time(13), time(17))] for weekday in range(6)},
    frozenset({date(2026, 10, 26)}),
)
steps = st.tuples(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    st.sampled_from([kind for kind in EventKind if kind is not EventKind.CREATED]),
    st.sampled_from(list(StateCategory)),
    st.sampled_from(sorted(RESOLVE_GOALS)),
)


@st.composite
def ticket_logs(draw) -> tuple[list[TicketEvent], datetime, WorkingCalendar]:
    calendar = draw(st.sampled_from([SEOUL_OFFICE, LUNCH_AND_HOLIDAY, WorkingCalendar.always("Europe/Berlin")]))
    instant = datetime(2026, 10, 22, tzinfo=UTC) + draw(st.timedeltas(timedelta(0), timedelta(days=5)))
    events = [TicketEvent("e0", instant, EventKind.CREATED, priority=draw(st.sampled_from(sorted(RESOLVE_GOALS))))]
    for number, (gap, kind, category, priority) in enumerate(draw(st.lists(steps, max_size=8)), start=1):
        instant += gap
        events.append(
            TicketEvent(
                f"e{number}",
                instant,
                kind,
                category=category if kind is EventKind.STATE_CHANGED else None,
                priority=priority if kind is EventKind.PRIORITY_CHANGED else None,
            )
        )
    now = instant + draw(st.timedeltas(timedelta(0), timedelta(days=4)))
    return events, now, calendar


@given(ticket_logs(), st.sampled_from(list(Metric)), st.randoms(use_true_random=False))
def test_running_time_is_business_time_less_paused_business_time(case, metric, shuffler):
    events, now, calendar = case
    clock = ticket_clock(events, metric, RESOLVE_GOALS, WAITING, calendar, now)
    end = clock.stop or now
    paused = sum(
        (working_time_between(calendar, pause.start, pause.end or end) for pause in clock.pauses), timedelta(0)
    )
    assert clock.running_time == working_time_between(calendar, clock.start, end) - paused
    assert clock.wall_time == end - clock.start
    for earlier, later in zip(clock.pauses, clock.pauses[1:], strict=False):
        assert earlier.end is not None
        assert earlier.end <= later.start
    if clock.state is ClockState.RUNNING and clock.remaining:
        assert clock.due_at is not None
        assert clock.due_at > now
        assert working_time_between(calendar, now, clock.due_at) == clock.remaining
    elif clock.state is ClockState.RUNNING:  # used up at closing time, not breached until work resumes
        assert clock.due_at is not None
        assert clock.due_at <= now
    if clock.state is ClockState.BREACHED:
        assert clock.breached_at is not None
        assert clock.breached_at < end
    assert (clock.state is ClockState.BREACHED) == (clock.running_time > clock.goal and clock.state != "cancelled")
    shuffled = list(events)
    shuffler.shuffle(shuffled)
    assert ticket_clock(shuffled, metric, RESOLVE_GOALS, WAITING, calendar, now) == clock
