"""Ticket clocks: how much business time a ticket has used of its response or resolution goal.

Plain Python with no Django import. A clock is rebuilt from the ticket's whole event log every time, so
events may arrive in any order and late ones simply change the answer.

The rules (docs/compliance.md, "Ticket clocks", with a test for each worked example):

* The log is replayed in order of (instant, event id), the ``created`` event first whatever its id. Events
  after the evaluation instant ``now`` are not known yet and are left out.
* Every event but ``first_response`` and ``priority_changed`` puts the ticket in a state category: created
  and reopened -> open, resolved / closed / cancelled -> their category, state_changed -> its own. A
  ``reopened`` event of a ticket that is not resolved, closed or cancelled changes nothing.
* The clock starts at ``created``. It is *paused* while the ticket is in one of the target's pausing
  categories, and it does not run between a resolve (or close or cancel) and the reopen that follows: those
  spans are listed as pauses too, with the category that caused them.
* The **resolution** clock stops when the ticket enters resolved or closed (resolved then closed stops at
  the resolve) and stays stopped unless reopened: a reopen continues the same clock. The **first-response**
  clock stops at the first ``first_response`` or the first resolve or close, whichever comes first.
* Running time = business time of the calendar between start and stop (or ``now``) less the business time
  of the pauses; a pause outside working hours changes nothing. Wall time is plain elapsed time.
* The goal is the one of the priority in force when the clock stopped (or now): a priority change applies
  to the whole clock, start and earlier pauses kept; a change after the stop does not re-judge it.
* ``due_at`` is the earliest instant running time reaches the goal: a past instant once it has, else, while
  running, ``now`` plus the remaining business time (nothing pausing again); ``None`` while paused or after a
  stop short of the goal. ``breached_at`` is the instant from which running time exceeds the goal, so a
  clock stopped exactly at the goal is met; a goal reached at closing time is breached only when work
  resumes (due Fri 18:00, resolved on Saturday: met). A clock breaches even while the ticket stays open.
* A ticket whose last state is cancelled is *cancelled* and counts nothing: no due, breach or warning.

All arithmetic is exact: timedeltas in microseconds, percentages as :class:`fractions.Fraction`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from agreements.calendars import WorkingCalendar, timeline, working_intervals, working_time_ahead

__all__ = [
    "DEFAULT_WARNING_POINTS",
    "Clock",
    "ClockState",
    "EventKind",
    "Metric",
    "Pause",
    "StateCategory",
    "TicketEvent",
    "WarningPoint",
    "running_intervals",
    "ticket_clock",
]

_TICK = timedelta(microseconds=1)


class EventKind(StrEnum):
    CREATED = "created"
    FIRST_RESPONSE = "first_response"
    STATE_CHANGED = "state_changed"
    PRIORITY_CHANGED = "priority_changed"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class StateCategory(StrEnum):
    OPEN = "open"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_THIRD_PARTY = "waiting_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


# Categories in which the clock has stopped (resolved, closed) or the ticket is gone (cancelled).
_ENDED = frozenset({StateCategory.RESOLVED, StateCategory.CLOSED, StateCategory.CANCELLED})
_STOPPING = frozenset({StateCategory.RESOLVED, StateCategory.CLOSED})
_CATEGORY_OF_KIND = {
    EventKind.CREATED: StateCategory.OPEN,
    EventKind.RESOLVED: StateCategory.RESOLVED,
    EventKind.CLOSED: StateCategory.CLOSED,
    EventKind.CANCELLED: StateCategory.CANCELLED,
}
DEFAULT_WARNING_POINTS: tuple[Fraction, ...] = (Fraction(50), Fraction(75))  # percent of the goal


@dataclass(frozen=True)
class TicketEvent:
    """One event of a ticket's log. ``category`` is required for state_changed (and optional for created,
    default open); ``priority`` is required for created and priority_changed."""

    event_id: str
    instant: datetime
    kind: EventKind
    category: StateCategory | None = None
    priority: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.instant, datetime) or self.instant.utcoffset() is None:
            raise ValueError(f"Event {self.event_id!r}: the instant must be a timezone-aware datetime.")
        object.__setattr__(self, "kind", EventKind(self.kind))
        if self.category is not None:
            object.__setattr__(self, "category", StateCategory(self.category))
        if self.kind is EventKind.STATE_CHANGED and self.category is None:
            raise ValueError(f"Event {self.event_id!r}: a state change needs a state category.")
        if self.kind in (EventKind.CREATED, EventKind.PRIORITY_CHANGED) and not self.priority:
            raise ValueError(f"Event {self.event_id!r}: a {self.kind} event needs a priority.")
        if self.kind is EventKind.CREATED and self.category in _ENDED:
            raise ValueError(f"Event {self.event_id!r}: a ticket cannot be created {self.category}.")

    @classmethod
    def stored(
        cls, event_id: str, instant: datetime, kind: str, category: str | None, priority: str | None
    ) -> TicketEvent:
        """An event as the portal keeps it, checked as it came in (the intake refuses what ``__post_init__`` would):
        built without those checks, which cost more than the clock when thousands of logs are read back. One the
        intake would not have taken (an unknown kind or category, a state change without one) is checked as any
        other, and refused with the same ``ValueError``."""
        known_kind, known_category = _KINDS.get(kind), _CATEGORIES.get(category)
        if (
            known_kind is None
            or (category is not None and known_category is None)
            or (known_kind is EventKind.STATE_CHANGED and known_category is None)
            or (known_kind in (EventKind.CREATED, EventKind.PRIORITY_CHANGED) and not priority)
            or (known_kind is EventKind.CREATED and known_category in _ENDED)
        ):
            return cls(event_id, instant, kind, category, priority)
        event = object.__new__(cls)
        event.__dict__.update(
            event_id=event_id, instant=instant, kind=known_kind, category=known_category, priority=priority
        )
        return event


_KINDS = {kind.value: kind for kind in EventKind}
_CATEGORIES = {category.value: category for category in StateCategory}


@dataclass(frozen=True)
class Pause:
    """A span in which the clock did not run: ``end`` is None while it lasts."""

    start: datetime
    end: datetime | None
    category: StateCategory


@dataclass(frozen=True)
class WarningPoint:
    """The instant running time reaches ``percent`` of the goal (None if it never will as things stand)."""

    percent: Fraction
    at: datetime | None


@dataclass(frozen=True)
class Clock:
    metric: Metric
    state: ClockState
    start: datetime
    stop: datetime | None
    priority: str
    goal: timedelta
    pauses: tuple[Pause, ...]
    running_time: timedelta
    wall_time: timedelta
    due_at: datetime | None
    breached_at: datetime | None
    warnings: tuple[WarningPoint, ...]
    evaluated_at: datetime

    @property
    def percent_elapsed(self) -> Fraction:
        """Running time as a percentage of the goal, exactly."""
        return Fraction(self.running_time // _TICK * 100, self.goal // _TICK)

    @property
    def remaining(self) -> timedelta:
        """Business time left before the goal (negative once breached)."""
        return self.goal - self.running_time

    @property
    def at_risk(self) -> bool:
        """Still in flight (running or paused) and past its first warning point."""
        return self.state in (ClockState.RUNNING, ClockState.PAUSED) and any(
            warning.at is not None and warning.at <= self.evaluated_at for warning in self.warnings
        )


def ticket_clock(
    events: Iterable[TicketEvent],
    metric: Metric,
    goals: Mapping[str, timedelta],
    pause_categories: Collection[StateCategory],
    calendar: WorkingCalendar,
    now: datetime,
    warning_points: Sequence[Fraction | Decimal | int] = DEFAULT_WARNING_POINTS,
) -> Clock:
    """Return the clock of one ticket for one metric as of ``now`` (see the module docstring for the rules).

    ``goals`` maps each priority to its goal in business time; ``pause_categories`` are the state categories
    that pause the clock (open and waiting ones only); ``warning_points`` are percentages of the goal,
    above 0 and at most 100. ``ValueError`` on a log or a setting the clock cannot use.
    """
    metric = metric if type(metric) is Metric else Metric(metric)
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime.")
    now = now if now.tzinfo is UTC else now.astimezone(UTC)
    pausing = _settings(_pausing, pause_categories)
    points = _settings(_points, warning_points)

    created, later = _known_log(events, now)
    start = created.instant.astimezone(UTC)
    priorities = [(start, created.priority or "")]
    category = created.category or StateCategory.OPEN
    since = start  # when the current pause or stop began
    pauses: list[Pause] = []
    first_stop: datetime | None = None  # the first-response clock's stop
    for event in later:
        instant = event.instant.astimezone(UTC)
        if event.kind is EventKind.PRIORITY_CHANGED:
            priorities.append((instant, event.priority or ""))
            continue
        if event.kind is EventKind.FIRST_RESPONSE:
            first_stop = first_stop or instant
            continue
        if event.kind is EventKind.REOPENED:
            new = StateCategory.OPEN if category in _ENDED else category
        else:
            new = event.category or _CATEGORY_OF_KIND[event.kind]
        if new in _STOPPING:
            first_stop = first_stop or instant
        if new == category or (new in _ENDED and category in _ENDED):
            category = new  # resolved -> closed is the same stop, begun at the resolve
            continue
        if category in pausing or category in _ENDED:
            pauses.append(Pause(since, instant, category))
        category, since = new, instant

    if metric is Metric.RESOLUTION:
        stop = since if category in _ENDED else None
    else:
        stop = first_stop or (since if category is StateCategory.CANCELLED else None)
    if category in pausing or category in _ENDED:
        pauses.append(Pause(since, None, category))  # dropped below if it is the stop itself
    end = stop or now
    pauses = [Pause(pause.start, _earlier(pause.end, stop), pause.category) for pause in pauses if pause.start < end]
    priority = next(value for instant, value in reversed(priorities) if instant <= end)
    if priority not in goals:
        raise ValueError(f"No goal for priority {priority!r}.")
    goal = goals[priority]
    if not isinstance(goal, timedelta) or goal <= timedelta(0):
        raise ValueError(f"The goal for priority {priority!r} must be a positive timedelta.")

    spans = _unpaused(start, end, pauses)
    line = timeline(calendar, start, end)
    # Per span where the clock could run: the working time before it on the timeline, and its working time.
    counted = []
    running_time = timedelta(0)
    for begin, stop_at in spans:
        before = line.elapsed(begin)
        length = line.elapsed(stop_at) - before
        counted.append((before, running_time, length))
        running_time += length
    cancelled = category is StateCategory.CANCELLED
    still_running = stop is None and category not in pausing and not cancelled

    def within(amount: timedelta, after: bool = False) -> datetime:
        """The instant running time comes to ``amount`` (at most the running time; with ``after``, less than it):
        the earliest such instant, or with ``after`` the one from which it is more."""
        for before, used, length in counted:
            if used + length > amount or (not after and used + length >= amount):
                return line.instant(before + (amount - used), after=after)
        raise AssertionError("unreachable: the amount is within the running time")  # pragma: no cover

    def reaches(amount: timedelta) -> datetime | None:
        if amount <= running_time:
            return within(amount)
        if still_running:
            return working_time_ahead(calendar, now).add(amount - running_time)
        return None

    if cancelled:
        state = ClockState.CANCELLED
    elif running_time > goal:
        state = ClockState.BREACHED
    elif stop is not None:
        state = ClockState.MET
    else:
        state = ClockState.RUNNING if still_running else ClockState.PAUSED
    warnings = tuple(
        WarningPoint(point, None if cancelled else reaches(share))
        for point, share in zip(points, _shares(goal, points), strict=True)
    )
    return Clock(
        metric=metric,
        state=state,
        start=start,
        stop=stop,
        priority=priority,
        goal=goal,
        pauses=tuple(pauses),
        running_time=running_time,
        wall_time=end - start,
        due_at=None if cancelled else reaches(goal),
        breached_at=within(goal, after=True) if state is ClockState.BREACHED else None,
        warnings=warnings,
        evaluated_at=now,
    )


# Settings already checked, by the very object they came in (see ``_settings``).
_SETTLED: dict[tuple[object, int], tuple[object, object]] = {}


def _settings(check: Callable[[tuple], object], given: Collection) -> object:
    """``check(tuple(given))``, remembered for the very tuple ``given`` when it is one: rebuilding clocks passes an
    indicator's settings thousands of times, and hashing them (Fractions) for ``check``'s cache cost more than the
    check. Other collections may change between calls, so they are looked up afresh."""
    if type(given) is not tuple:
        return check(tuple(given))
    key = (check, id(given))
    seen = _SETTLED.get(key)
    if seen is not None and seen[0] is given:  # the tuple itself is kept below, so its id is not reused meanwhile
        return seen[1]
    if len(_SETTLED) >= 256:
        _SETTLED.clear()
    checked = check(given)
    _SETTLED[key] = (given, checked)
    return checked


def _shares(goal: timedelta, points: tuple[Fraction, ...]) -> tuple[timedelta, ...]:
    """``_share`` of the goal at each point, remembered per goal for the checked points (``_points`` keeps them)."""
    key = (goal, id(points))
    seen = _SETTLED.get(key)
    if seen is not None and seen[0] is points:
        return seen[1]
    if len(_SETTLED) >= 256:
        _SETTLED.clear()
    shares = tuple(_share(goal, point) for point in points)
    _SETTLED[key] = (points, shares)
    return shares


@lru_cache(maxsize=64)
def _pausing(categories: tuple[str, ...]) -> frozenset[StateCategory]:
    pausing = frozenset(StateCategory(category) for category in categories)
    if pausing & _ENDED:
        raise ValueError("Only open and waiting categories can pause a clock.")
    return pausing


@lru_cache(maxsize=64)
def _points(points: tuple[Fraction | Decimal | int, ...]) -> tuple[Fraction, ...]:
    """The warning points, checked, without repeats, in order."""
    fractions = tuple(Fraction(point) for point in points)
    if any(not 0 < point <= 100 for point in fractions):
        raise ValueError("Warning points are percentages above 0 and at most 100.")
    return tuple(sorted(set(fractions)))


def running_intervals(clock: Clock, calendar: WorkingCalendar) -> list[tuple[datetime, datetime]]:
    """The spans in which ``clock`` ran, in order: the calendar's working time from its start to its stop (or the
    instant it was evaluated at), less its pauses. Their lengths add up to its running time."""
    return _running_intervals(calendar, clock.start, clock.stop or clock.evaluated_at, clock.pauses)


def _known_log(events: Iterable[TicketEvent], now: datetime) -> tuple[TicketEvent, list[TicketEvent]]:
    """Return the created event and the other events known at ``now``, in replay order."""
    known = [event for event in events if event.instant <= now]
    created = [event for event in known if event.kind is EventKind.CREATED]
    if not created:
        raise ValueError("The ticket has no created event at or before the evaluation instant.")
    if len(created) > 1:
        raise ValueError(f"The ticket was created more than once (events {[e.event_id for e in created]}).")
    first = created[0]
    later = sorted((event for event in known if event is not first), key=lambda e: (e.instant, e.event_id))
    for event in later:
        if event.instant < first.instant:
            raise ValueError(f"Event {event.event_id!r} ({event.kind}) is earlier than the ticket's creation.")
    return first, later


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    """The earlier of two instants where None means "not yet"."""
    if first is None or second is None:
        return second if first is None else first
    return min(first, second)


def _unpaused(start: datetime, end: datetime, pauses: Sequence[Pause]) -> list[tuple[datetime, datetime]]:
    """The spans of ``[start, end)`` outside the pauses (which are ordered and do not overlap), in order."""
    spans: list[tuple[datetime, datetime]] = []
    cursor = start
    for pause in pauses:
        if pause.start > cursor:
            spans.append((cursor, min(pause.start, end)))
        cursor = max(cursor, end if pause.end is None else pause.end)
    if cursor < end:
        spans.append((cursor, end))
    return spans


def _running_intervals(
    calendar: WorkingCalendar, start: datetime, end: datetime, pauses: Sequence[Pause]
) -> list[tuple[datetime, datetime]]:
    """The working intervals of ``[start, end)`` less the pauses (which are ordered and do not overlap)."""
    gaps = [(pause.start, end if pause.end is None else pause.end) for pause in pauses]
    result: list[tuple[datetime, datetime]] = []
    index = 0
    for begin, stop in working_intervals(calendar, start, end):
        while index < len(gaps) and gaps[index][1] <= begin:
            index += 1
        cursor, skip = begin, index
        while skip < len(gaps) and gaps[skip][0] < stop:
            if gaps[skip][0] > cursor:
                result.append((cursor, gaps[skip][0]))
            cursor = max(cursor, gaps[skip][1])
            skip += 1
        if cursor < stop:
            result.append((cursor, stop))
    return result


def _share(goal: timedelta, percent: Fraction) -> timedelta:
    """``percent`` of ``goal``, rounded up to the microsecond so that reaching it means reaching the point."""
    numerator = goal // _TICK * percent.numerator
    denominator = 100 * percent.denominator
    return timedelta(microseconds=-(-numerator // denominator))
