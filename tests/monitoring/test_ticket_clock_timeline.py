"""A ticket clock finds its instants (warning points, due, breach) by binary search on its calendar's running totals
(``agreements.calendars.timeline``). These tests hold it to the plain way: walking the clock's running intervals,
day by day, and adding them up; and the totals themselves to ``working_time_between``."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.calendars import WorkingCalendar, timeline, working_time_between
from monitoring.tickets.clock import (
    ClockState,
    EventKind,
    Metric,
    StateCategory,
    TicketEvent,
    running_intervals,
    ticket_clock,
)
from monitoring.tickets.clock import _share as share

NINE_TO_SIX = [(time(9), time(18))]
CALENDARS = [
    WorkingCalendar("Asia/Seoul", dict.fromkeys(range(5), NINE_TO_SIX)),
    # Office hours across the end of summer time (Sunday 25 October 2026) and a lunch break, with a holiday.
    WorkingCalendar(
        "Europe/Berlin",
        {**dict.fromkeys(range(5), [(time(8), time(12)), (time(13), time(17))]), 6: [(time(0), time(4))]},
        frozenset({date(2026, 10, 27)}),
    ),
    WorkingCalendar.always("America/New_York"),
]
GOALS = {"P1": timedelta(hours=4), "P2": timedelta(hours=8), "P3": timedelta(hours=27)}
PAUSING = {StateCategory.WAITING_CUSTOMER, StateCategory.WAITING_THIRD_PARTY}
START = datetime(2026, 10, 20, tzinfo=UTC)

steps = st.tuples(
    st.timedeltas(timedelta(minutes=1), timedelta(days=3)),
    st.sampled_from([kind for kind in EventKind if kind is not EventKind.CREATED]),
    st.sampled_from([StateCategory.OPEN, StateCategory.WAITING_CUSTOMER, StateCategory.WAITING_THIRD_PARTY]),
    st.sampled_from(sorted(GOALS)),
)


@st.composite
def clocks(draw):
    calendar = draw(st.sampled_from(CALENDARS))
    instant = START + draw(st.timedeltas(timedelta(0), timedelta(days=8)))
    events = [TicketEvent("e0", instant, EventKind.CREATED, priority=draw(st.sampled_from(sorted(GOALS))))]
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
    now = instant + draw(st.timedeltas(timedelta(0), timedelta(days=6)))
    metric = draw(st.sampled_from(list(Metric)))
    return ticket_clock(events, metric, GOALS, PAUSING, calendar, now), calendar


def walked(intervals, amount, after):
    """The instant the intervals add up to ``amount`` (the earliest), or with ``after`` more than it, by walking
    them one by one; None if they never do."""
    used = timedelta(0)
    for begin, end in intervals:
        length = end - begin
        if used + length > amount or (not after and used + length >= amount):
            return begin + (amount - used)
        used += length
    return None


@settings(max_examples=400)
@given(clocks())
def test_instants_are_those_found_by_walking_the_running_intervals(case):
    clock, calendar = case
    intervals = running_intervals(clock, calendar)
    assert sum((end - begin for begin, end in intervals), timedelta(0)) == clock.running_time
    if clock.state is ClockState.BREACHED:
        assert clock.breached_at == walked(intervals, clock.goal, after=True)
    else:
        assert clock.breached_at is None
    if clock.due_at is not None and clock.goal <= clock.running_time:
        assert clock.due_at == walked(intervals, clock.goal, after=False)
    for warning in clock.warnings:
        amount = share(clock.goal, warning.percent)
        if amount <= clock.running_time and clock.state is not ClockState.CANCELLED:
            assert warning.at == walked(intervals, amount, after=False)


@given(
    st.sampled_from(CALENDARS),
    st.timedeltas(timedelta(0), timedelta(days=60)),
    st.timedeltas(timedelta(0), timedelta(days=60)),
)
def test_running_totals_give_the_working_time_between_two_instants(calendar, first, second):
    start, end = START + min(first, second), START + max(first, second)
    line = timeline(calendar, start, end)
    assert line.covers(start, end)
    assert line.elapsed(end) - line.elapsed(start) == working_time_between(calendar, start, end)


def test_the_kept_timeline_grows_to_cover_what_is_asked_and_keeps_its_totals():
    calendar = WorkingCalendar("Asia/Seoul", dict.fromkeys(range(5), NINE_TO_SIX))
    first = timeline(calendar, START, START + timedelta(days=1))
    assert timeline(calendar, START + timedelta(days=2), START + timedelta(days=3)) is first
    later = START + timedelta(days=400)
    grown = timeline(calendar, later, later + timedelta(days=1))
    assert grown is not first
    assert grown.covers(START, later + timedelta(days=1))
    # Monday 19 October 2026 09:00 KST (00:00Z) to Tuesday 20 October 09:00 KST: one working day.
    monday, tuesday = datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC)
    assert grown.elapsed(tuesday) - grown.elapsed(monday) == timedelta(hours=9)
    # Four working hours after Monday 09:00 KST: 13:00 KST; used up at 18:00 KST exactly, the instant from which
    # more has passed is the next working morning.
    assert grown.instant(grown.elapsed(monday) + timedelta(hours=4)) == monday + timedelta(hours=4)
    assert grown.instant(grown.elapsed(monday) + timedelta(hours=9)) == monday + timedelta(hours=9)
    assert grown.instant(grown.elapsed(monday) + timedelta(hours=9), after=True) == tuesday


def test_an_event_read_back_equals_the_event_checked_as_it_came_in():
    instant = datetime(2026, 12, 4, 7, 30, tzinfo=UTC)
    for args in [
        ("e1", instant, "created", None, "P1"),
        ("e2", instant, "state_changed", "waiting_customer", None),
        ("e3", instant, "resolved", None, None),
    ]:
        read_back = TicketEvent.stored(*args)
        assert read_back == TicketEvent(*args)
        assert read_back.kind is EventKind(args[2])
        assert read_back.category is (None if args[3] is None else StateCategory(args[3]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("e1", datetime(2026, 12, 4, tzinfo=UTC), "escalated", None, None), "escalated"),
        (("e2", datetime(2026, 12, 4, tzinfo=UTC), "state_changed", None, None), "needs a state category"),
        (("e3", datetime(2026, 12, 4, tzinfo=UTC), "state_changed", "on_hold", None), "on_hold"),
        (("e4", datetime(2026, 12, 4, tzinfo=UTC), "created", None, ""), "needs a priority"),
        (("e5", datetime(2026, 12, 4, tzinfo=UTC), "created", "resolved", "P1"), "cannot be created"),
    ],
)
def test_an_event_read_back_that_the_intake_would_have_refused_is_refused_as_it_would_have_been(args, message):
    with pytest.raises(ValueError, match=message):
        TicketEvent.stored(*args)
