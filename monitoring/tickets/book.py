"""The ticket indicators a batch of clocks is built against, read once: per (customer, service) its ticket
indicators, each with its goal versions, warning points and business calendar.

Ingestion reads them once per batch, checks the priorities of the batch's events against them and hands them on to
the clocks (``store.rebuild_clocks``); a rebuild reads them once per chunk of tickets. On PostgreSQL one statement
reads everything (goals, working periods and holidays as arrays beside each indicator); elsewhere the ORM, with the
same answer.
"""

import datetime as dt
import json
from collections import defaultdict
from fractions import Fraction
from typing import NamedTuple

from django.db import connection

from agreements.calendars import WorkingCalendar
from monitoring.kinds import TICKET
from monitoring.models import Indicator
from monitoring.tickets.clock import DEFAULT_WARNING_POINTS

ALWAYS = WorkingCalendar.always("UTC")


class BookIndicator(NamedTuple):
    """What a clock needs of a ticket indicator."""

    pk: int
    code: str
    ticket_metric: str
    pause_categories: tuple


class GoalVersions:
    """An indicator's goals per priority over time. ``at(start)`` gives {priority: goal} in force for a clock
    started at ``start``: per priority the latest version effective by then (a goal edited later applies to clocks
    started afterwards); a priority whose first version came later takes that first version, so tickets loaded from
    before an indicator existed still get a clock. ``goals`` are TicketGoals, or (priority, effective from, goal)
    triples."""

    def __init__(self, goals):
        versions = defaultdict(list)
        for goal in goals:
            if isinstance(goal, tuple):
                priority, since, length = goal
            else:
                priority, since, length = goal.priority, goal.effective_from, goal.goal
            versions[priority].append((since, length))
        self.versions = {priority: sorted(rows) for priority, rows in versions.items()}
        # Most indicators have one version per priority: the same answer for every clock.
        self.constant = (
            {priority: rows[0][1] for priority, rows in self.versions.items()}
            if all(len(rows) == 1 for rows in self.versions.values())
            else None
        )

    def at(self, start):
        if self.constant is not None:
            return self.constant
        chosen = {}
        for priority, rows in self.versions.items():
            effective = [goal for since, goal in rows if since <= start]
            chosen[priority] = effective[-1] if effective else rows[0][1]
        return chosen


def warning_points(indicator):
    return points_of(indicator.warning_points)


def points_of(values):
    """An indicator's warning points (percentages of the goal) as Fractions; the defaults when it names none."""
    return [Fraction(str(point)) for point in values or ()] or list(DEFAULT_WARNING_POINTS)


class TicketIndicators:
    """The ticket indicators of each (customer, service), with their goal versions and calendars, read once: of the
    ``pairs`` given (every indicator with None). A calendar several indicators share is built once."""

    def __init__(self, pairs=None):
        self.pairs = None if pairs is None else frozenset(pairs)
        self.by_pair = defaultdict(list)
        self.calendars, self.points, self.versions = {}, {}, {}
        self._priorities = {}
        if self.pairs is not None and not self.pairs:
            return
        reader = _read_postgresql if connection.vendor == "postgresql" else _read_orm
        built = {None: ALWAYS}
        for row in reader(self.pairs):
            pk, customer_id, service_id, code, metric, pausing, points, calendar_id, goals, calendar = row
            if self.pairs is not None and (customer_id, service_id) not in self.pairs:
                continue  # of a customer and of a service asked for, but not of the two together
            self.by_pair[(customer_id, service_id)].append(BookIndicator(pk, code, metric, tuple(pausing)))
            if calendar_id not in built:
                built[calendar_id] = _calendar(*calendar)
            self.calendars[pk] = built[calendar_id]
            self.points[pk] = tuple(points_of(points))
            self.versions[pk] = GoalVersions(goals)

    def of(self, customer_id, service_id):
        return self.by_pair.get((customer_id, service_id), [])

    def covers(self, pairs):
        """Whether this book was read for every one of ``pairs``."""
        return self.pairs is None or self.pairs.issuperset(pairs)

    def priorities(self, customer_id, service_id):
        """The priorities every ticket indicator of the pair has a goal for; None when the pair has no ticket
        indicator (any priority is taken then, and no clock is kept)."""
        key = (customer_id, service_id)
        if key not in self._priorities:
            sets = [set(self.versions[indicator.pk].versions) for indicator in self.of(*key)]
            self._priorities[key] = set.intersection(*sets) if sets else None
        return self._priorities[key]


def _calendar(time_zone, periods, holidays):
    weekly = {}
    for weekday, start, end in sorted(periods):
        weekly.setdefault(weekday, []).append((start, end))
    return WorkingCalendar(time_zone=time_zone, weekly_hours=weekly, holidays=frozenset(holidays))


# Each ticket indicator of the customers and services asked for, with its goals, its calendar's zone, working
# periods and holidays as arrays (several aggregates of one sub-select list their rows in the same order).
_BOOK = """
SELECT i.id, i.customer_id, i.service_id, i.code, i.ticket_metric, i.pause_categories, i.warning_points,
       i.business_hours_id, c.time_zone, g.priorities, g.minutes, g.since, p.weekdays, p.starts, p.ends, h.dates
FROM monitoring_indicator i
LEFT JOIN agreements_businesscalendar c ON c.id = i.business_hours_id
CROSS JOIN LATERAL (
    SELECT array_agg(priority) AS priorities, array_agg(minutes) AS minutes, array_agg(effective_from) AS since
    FROM monitoring_ticketgoal WHERE indicator_id = i.id
) AS g
CROSS JOIN LATERAL (
    SELECT array_agg(weekday) AS weekdays, array_agg(start) AS starts, array_agg("end") AS ends
    FROM agreements_workingperiod WHERE calendar_id = c.id
) AS p
CROSS JOIN LATERAL (SELECT array_agg(date) AS dates FROM agreements_holiday WHERE calendar_id = c.id) AS h
WHERE i.kind = %s {where}
ORDER BY i.id
"""


def _json(value):
    """A JSON column as read by a plain cursor: Django has psycopg leave it as text."""
    return json.loads(value) if isinstance(value, str) else value


def _ids(ids):
    """A PostgreSQL array literal of ids."""
    return "{" + ",".join(str(int(pk)) for pk in sorted(ids)) + "}"


def _read_postgresql(pairs):
    where, params = "", [TICKET.value]
    if pairs is not None:
        where = "AND i.customer_id = ANY(%s::bigint[]) AND i.service_id = ANY(%s::bigint[])"
        params += [_ids({customer for customer, _ in pairs}), _ids({service for _, service in pairs})]
    with connection.cursor() as cursor:
        cursor.execute(_BOOK.format(where=where), params)
        rows = cursor.fetchall()
    for row in rows:
        pk, customer_id, service_id, code, metric, pausing, points, calendar_id, zone = row[:9]
        priorities, minutes, since, weekdays, starts, ends, dates = (value or [] for value in row[9:])
        goals = [
            (priority, effective, dt.timedelta(minutes=length))
            for priority, length, effective in zip(priorities, minutes, since, strict=True)
        ]
        calendar = (zone, list(zip(weekdays, starts, ends, strict=True)), dates)
        yield pk, customer_id, service_id, code, metric, _json(pausing), _json(points), calendar_id, goals, calendar


def _read_orm(pairs):
    indicators = Indicator.objects.filter(kind=TICKET.value).select_related("business_hours")
    if pairs is not None:
        customers = {customer for customer, _service in pairs}
        services = {service for _customer, service in pairs}
        indicators = indicators.filter(customer_id__in=customers, service_id__in=services)
    indicators = indicators.prefetch_related(
        "ticket_goals", "business_hours__working_periods", "business_hours__holidays"
    ).order_by("pk")
    for indicator in indicators:
        goals = [(goal.priority, goal.effective_from, goal.goal) for goal in indicator.ticket_goals.all()]
        hours = indicator.business_hours
        calendar = None
        if hours is not None:
            periods = [(period.weekday, period.start, period.end) for period in hours.working_periods.all()]
            calendar = (hours.time_zone, periods, [holiday.date for holiday in hours.holidays.all()])
        yield (
            indicator.pk,
            indicator.customer_id,
            indicator.service_id,
            indicator.code,
            indicator.ticket_metric,
            indicator.pause_categories,
            indicator.warning_points,
            indicator.business_hours_id,
            goals,
            calendar,
        )
