"""A ticket clock's timeline: the events of the ticket's log in order, each with the business time the clock ran and
the wall-clock time since the step before, the spans it was paused or stopped, and the instants it passed its
warning points, reached its goal and breached. Plain Python with no Django import.

The clock is the one ``clock.ticket_clock`` gives for the log; its running intervals (working time less pauses) are
what every figure here is read from, so the rows add up to the clock's running time. A clock still running is
followed past ``now`` to its due instant, as things stand (nothing pausing it again): those steps are marked
``ahead``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from agreements.calendars import WorkingCalendar, working_intervals
from monitoring.tickets.clock import Clock, ClockState, EventKind, StateCategory, TicketEvent, running_intervals

__all__ = ["Mark", "Step", "Timeline", "clock_timeline"]

_ZERO = timedelta(0)


class Mark(StrEnum):
    """What a step is when it is not an event of the log."""

    WARNING = "warning"
    DUE = "due"
    BREACHED = "breached"
    NOW = "now"


# Order of steps at one instant: the clock's own marks before the event that happens then (a ticket resolved at
# the instant its goal runs out reads "goal reached, then resolved"), and "now" last.
_RANK = {Mark.WARNING: 0, Mark.DUE: 1, Mark.BREACHED: 2}


@dataclass(frozen=True)
class Step:
    at: datetime
    event: TicketEvent | None  # the log's event, or None for a mark
    mark: Mark | None
    percent: Fraction | None  # a warning point's percentage of the goal
    ran: timedelta  # business time the clock ran since the step before
    wall: timedelta  # wall-clock time since the step before
    total: timedelta  # business time the clock had run by this instant
    paused: StateCategory | None  # the span since the step before lay in a pause of this category
    stopped: bool  # the span since the step before lay after the clock had stopped
    ahead: bool  # later than the instant the clock was evaluated at: where it goes if nothing changes


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...]
    intervals: tuple[tuple[datetime, datetime], ...]  # the spans the clock ran (and will run, up to its due instant)
    end: datetime  # the last instant the timeline shows


def clock_timeline(clock: Clock, events: list[TicketEvent], calendar: WorkingCalendar) -> Timeline:
    """The timeline of ``clock`` (computed by ``ticket_clock`` from ``events`` on ``calendar``)."""
    now = clock.evaluated_at
    known = [event for event in events if event.instant <= now]
    known.sort(key=lambda event: (event.kind is not EventKind.CREATED, event.instant, event.event_id))
    items: list[tuple[datetime, int, TicketEvent | None, Mark | None, Fraction | None]] = []
    for order, event in enumerate(known):
        items.append((event.instant, 10 + order, event, None, None))
    for warning in clock.warnings:
        if warning.at is not None:
            items.append((warning.at, _RANK[Mark.WARNING], None, Mark.WARNING, warning.percent))
    if clock.due_at is not None and clock.due_at != clock.breached_at:
        items.append((clock.due_at, _RANK[Mark.DUE], None, Mark.DUE, None))
    if clock.breached_at is not None:
        items.append((clock.breached_at, _RANK[Mark.BREACHED], None, Mark.BREACHED, None))
    # A clock not stopped yet (running, paused, or breached while the ticket stays open) is followed up to now.
    if clock.stop is None and clock.state is not ClockState.CANCELLED:
        items.append((now, 10 + len(known), None, Mark.NOW, None))
    items.sort(key=lambda item: (item[0], item[1]))

    intervals = list(running_intervals(clock, calendar))
    last = max(item[0] for item in items)
    if clock.state is ClockState.RUNNING and last > now:
        intervals += _merge_after(intervals, list(working_intervals(calendar, now, last)))

    steps, previous = [], None
    for at, _order, event, mark, percent in items:
        total = _ran_until(intervals, at)
        before = previous.at if previous else at
        steps.append(
            Step(
                at=at,
                event=event,
                mark=mark,
                percent=percent,
                ran=total - (previous.total if previous else _ZERO),
                wall=at - before,
                total=total,
                paused=_pause_over(clock, before, at),
                stopped=clock.stop is not None and before >= clock.stop and at > before,
                ahead=at > now,
            )
        )
        previous = steps[-1]
    return Timeline(steps=tuple(steps), intervals=tuple(intervals), end=last)


def _merge_after(intervals, later):
    """``later`` intervals, the first joined to the last of ``intervals`` when they touch."""
    if intervals and later and later[0][0] <= intervals[-1][1]:
        intervals[-1] = (intervals[-1][0], max(intervals[-1][1], later[0][1]))
        return later[1:]
    return later


def _ran_until(intervals, instant) -> timedelta:
    """Business time the clock had run by ``instant``."""
    total = _ZERO
    for begin, end in intervals:
        if begin >= instant:
            break
        total += min(end, instant) - begin
    return total


def _pause_over(clock: Clock, start: datetime, end: datetime) -> StateCategory | None:
    """The category of the clock's pause that covers part of ``[start, end)``, or None."""
    if end <= start:
        return None
    for pause in clock.pauses:
        pause_end = pause.end or clock.stop or clock.evaluated_at
        if pause.start < end and pause_end > start:
            return pause.category
    return None
