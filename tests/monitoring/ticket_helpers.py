"""The cast of the ticket tests: an active agreement on a service with office hours (Mon–Fri 09:00–18:00 Seoul),
two ticket indicators of the agreement's customer (first response and resolution) with goals per priority, a
service desk that may write for them, and a builder of the events that desk sends.

Events go in through ``monitoring.intake.ticket_events.record_ticket_events``, the path the API, the webhook and the
CSV import take; what is read back is clocks, measurements, rollups and snapshots.
"""

import datetime as dt
import itertools
from decimal import Decimal

from agreements.choices import BudgetingMethod
from monitoring.choices import TicketMetric
from monitoring.intake.ticket_events import record_ticket_events
from monitoring.kinds import TICKET
from monitoring.models import Indicator, TargetIndicator, TicketGoal, TicketSource
from tests.factories import BusinessCalendarFactory, TargetFactory
from tests.monitoring.evaluation_helpers import active_agreement, kst

_numbers = itertools.count(1)
HOURS = 60  # minutes
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def ticket_indicator(customer, service, metric, goals, *, calendar=None, pause=(), warnings=(), since=LONG_AGO):
    """A ticket indicator with ``goals`` {priority: business minutes} effective from ``since``."""
    number = next(_numbers)
    indicator = Indicator.objects.create(
        service=service,
        customer=customer,
        code=f"tickets-{metric.replace('_', '-')}-{number}",
        name=f"{TicketMetric(metric).label} {number}",
        kind=TICKET.value,
        unit="tickets",
        ticket_metric=metric,
        business_hours=calendar,
        pause_categories=list(pause),
        warning_points=list(warnings),
    )
    for priority, minutes in goals.items():
        TicketGoal.objects.create(indicator=indicator, priority=priority, minutes=minutes, effective_from=since)
    return indicator


def desk(customers, services, *, state_map=None, code=None):
    """A service desk allowed to write for ``customers`` and ``services``, and its plaintext token."""
    number = next(_numbers)
    source = TicketSource(code=code or f"desk-{number}", name=f"Desk {number}", state_map=state_map or {})
    token = source.issue_token()
    source.save()
    source.customers.set(customers)
    source.services.set(services)
    return source, token


class TicketCast:
    """An active agreement, office hours, resolution (P1 4 h, P2 8 h, P3 3 business days) and first-response
    (P1 30 min, P2 1 h, P3 4 h) indicators pausing while waiting for the customer, and a desk."""

    STATE_MAP = {
        "New": "open",
        "In progress": "open",
        "Waiting for customer": "waiting_customer",
        "Waiting for vendor": "waiting_third_party",
        "Solved": "resolved",
        "Closed": "closed",
    }

    def __init__(self, *, agreement=None, pause=("waiting_customer",)):
        self.agreement = agreement or active_agreement()
        self.customer = self.agreement.customer
        self.service = self.agreement.services.first()
        self.calendar = BusinessCalendarFactory()
        self.resolution = ticket_indicator(
            self.customer,
            self.service,
            TicketMetric.RESOLUTION,
            {"P1": 4 * HOURS, "P2": 8 * HOURS, "P3": 27 * HOURS},
            calendar=self.calendar,
            pause=pause,
        )
        self.response = ticket_indicator(
            self.customer,
            self.service,
            TicketMetric.FIRST_RESPONSE,
            {"P1": 30, "P2": HOURS, "P3": 4 * HOURS},
            calendar=self.calendar,
            pause=pause,
        )
        self.source, self.token = desk([self.customer], [self.service], state_map=self.STATE_MAP)
        self._events = itertools.count(1)

    def target(self, indicator=None, objective="95", **fields):
        """A monthly occurrences target of the agreement measuring a ticket indicator (resolution by default)."""
        target = TargetFactory(
            agreement=self.agreement,
            budgeting_method=BudgetingMethod.OCCURRENCES,
            objective=Decimal(objective),
            **fields,
        )
        TargetIndicator.objects.create(target=target, indicator=indicator or self.resolution)
        return target

    def event(self, ticket, kind, at, **fields):
        """One event as the desk sends it (``at`` an aware datetime)."""
        body = {"id": f"evt-{next(self._events)}", "ticket": ticket, "type": kind, "at": at.isoformat(), **fields}
        if kind == "created":
            body.setdefault("customer", self.customer.code)
            body.setdefault("service", self.service.code)
            body.setdefault("priority", "P1")
        return body

    def send(self, events, now):
        return record_ticket_events(self.source, events, now=now)

    def ticket(self, name, created, resolved=None, priority="P1", now=None):
        """Send a ticket created at ``created`` and (optionally) resolved at ``resolved``."""
        events = [self.event(name, "created", created, priority=priority)]
        if resolved:
            events.append(self.event(name, "resolved", resolved))
        return self.send(events, now or (resolved or created) + dt.timedelta(minutes=1))


__all__ = ["HOURS", "TicketCast", "desk", "kst", "ticket_indicator"]
