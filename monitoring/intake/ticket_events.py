"""Ticket events from a service desk: checked as a whole batch, stored, and the touched tickets' clocks rebuilt.

One event is a JSON object::

    {"id": "evt-1001", "ticket": "INC-1001", "type": "created", "at": "2026-12-01T09:00:00+09:00",
     "customer": "hanbit", "service": "wms", "priority": "P1", "state": "New", "title": "Orders stuck"}

``id`` (unique per desk), ``ticket``, ``type`` and ``at`` always (``at``: ISO 8601 with a zone; the form
``2026-12-01 00:00:00 UTC`` that Zammad's webhooks write their times in is taken too); ``customer``, ``service``
and ``priority`` with ``created``; ``priority`` with ``priority_changed``; ``state`` (one of the desk's mapped state
names, or a category) with ``state_changed`` and optionally with ``created``; ``title`` optionally with ``created``.
Text holds no NUL character.

A batch is all-or-nothing: every problem is listed with the event's index and nothing is stored. An event id
already stored is skipped (a desk may resend), unless it now says something else. Events may arrive in any order:
a clock is rebuilt from its ticket's whole sorted log.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.choices import TicketCategory, TicketEventKind
from monitoring.intake.ingest import BatchInvalid
from monitoring.intake.samples import problem
from monitoring.kinds import TICKET
from monitoring.models import Indicator, Ticket, TicketEventRecord
from monitoring.tickets.store import rebuild_clocks

MAX_EVENTS = 5000
FIELDS = {"id", "ticket", "type", "at", "customer", "service", "priority", "state", "title"}
TEXT_LIMITS = {"id": 100, "ticket": 100, "customer": 50, "service": 50, "priority": 20, "state": 100, "title": 300}
ENDED = {TicketCategory.RESOLVED, TicketCategory.CLOSED, TicketCategory.CANCELLED}
KIND_CATEGORY = {
    TicketEventKind.CREATED: TicketCategory.OPEN,
    TicketEventKind.RESOLVED: TicketCategory.RESOLVED,
    TicketEventKind.CLOSED: TicketCategory.CLOSED,
    TicketEventKind.CANCELLED: TicketCategory.CANCELLED,
}


@dataclass
class TicketBatchResult:
    received: int
    stored: int
    tickets_created: int
    clocks: int


@dataclass
class _Event:
    index: int
    event_id: str
    ticket: str
    kind: str
    at: dt.datetime
    customer: str = ""
    service: str = ""
    priority: str = ""
    state: str = ""
    category: str = ""
    title: str = ""

    def same_as(self, record):
        mine = (self.kind, self.at, self.priority, self.state)
        return (record.kind, record.at, record.priority, record.state) == mine


UTC_SUFFIX = " UTC"


def _instant(raw, index, now):
    if not isinstance(raw, str):
        return None, problem(index, "at", "must be an ISO 8601 time with its zone")
    text = raw[: -len(UTC_SUFFIX)] + "+00:00" if raw.endswith(UTC_SUFFIX) else raw
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        return None, problem(index, "at", f"{raw!r} is not an ISO 8601 time")
    if instant.utcoffset() is None:
        return None, problem(index, "at", f"{raw!r} has no zone")
    try:
        instant = instant.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+09:00 is before the first instant a datetime holds
        return None, problem(index, "at", f"{raw!r} is out of range")
    if instant > now + dt.timedelta(seconds=settings.SLM_MAX_FUTURE_SKEW_SECONDS):
        return None, problem(index, "at", f"{raw!r} is in the future")
    return instant, None


def _shape(source, raw, index, now):
    """(an _Event, []) or (None, the problems of this event alone)."""
    if not isinstance(raw, dict):
        return None, [problem(index, None, "each event must be an object")]
    errors = [problem(index, key, "is not a field of ticket events") for key in sorted(set(raw) - FIELDS)]
    for key in ("id", "ticket", "type", "at"):
        if key not in raw:
            errors.append(problem(index, key, "is required"))
    for key, limit in TEXT_LIMITS.items():
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or (key != "title" and not value.strip()):
            errors.append(problem(index, key, "must be non-empty text"))
        elif "\x00" in value:  # PostgreSQL refuses NUL in text, even in a lookup
            errors.append(problem(index, key, "must not hold a NUL character"))
        elif len(value) > limit:
            errors.append(problem(index, key, f"is longer than {limit} characters"))
    if errors:
        return None, errors
    kind = raw["type"]
    if kind not in TicketEventKind.values:
        return None, [problem(index, "type", f"{kind!r} is not one of {', '.join(TicketEventKind.values)}")]
    at, time_problem = _instant(raw["at"], index, now)
    if time_problem:
        return None, [time_problem]
    event = _Event(
        index=index,
        event_id=raw["id"].strip(),
        ticket=raw["ticket"].strip(),
        kind=kind,
        at=at,
        customer=(raw.get("customer") or "").strip(),
        service=(raw.get("service") or "").strip(),
        priority=(raw.get("priority") or "").strip(),
        state=(raw.get("state") or "").strip(),
        title=(raw.get("title") or "").strip(),
    )
    if kind == TicketEventKind.CREATED:
        errors += [
            problem(index, key, "is required for a created event")
            for key in ("customer", "service", "priority")
            if not getattr(event, key)
        ]
    elif kind == TicketEventKind.PRIORITY_CHANGED and not event.priority:
        errors.append(problem(index, "priority", "is required for a priority change"))
    elif kind == TicketEventKind.STATE_CHANGED and not event.state:
        errors.append(problem(index, "state", "is required for a state change"))
    if kind not in (TicketEventKind.CREATED, TicketEventKind.PRIORITY_CHANGED) and event.priority:
        errors.append(problem(index, "priority", "is given only with created and priority_changed events"))
    for key in ("customer", "service", "title"):
        if kind != TicketEventKind.CREATED and getattr(event, key):
            errors.append(problem(index, key, "is given only with a created event"))
    if event.state:
        category = source.category_of(event.state)
        if category is None:
            errors.append(problem(index, "state", f"{event.state!r} is not a state this desk has mapped"))
        elif kind == TicketEventKind.CREATED and category in ENDED:
            errors.append(problem(index, "state", f"a ticket cannot be created {category}"))
        else:
            event.category = category
    if kind in KIND_CATEGORY and not event.category:
        event.category = KIND_CATEGORY[kind]
    return (None, errors) if errors else (event, [])


class _Scope:
    """What the desk may write for, and the priorities each (customer, service) knows, read once per batch."""

    def __init__(self, source):
        self.customers = {customer.code: customer for customer in source.customers.all()}
        self.services = {service.code: service for service in source.services.all()}
        self.priorities = {}
        self.pairs = {}

    def serves(self, customer, service):
        """Whether the customer has an agreement on the service."""
        key = (customer.pk, service.pk)
        if key not in self.pairs:
            self.pairs[key] = service.agreements.filter(customer=customer).exists()
        return self.pairs[key]

    def known_priorities(self, customer, service):
        """The priorities every ticket indicator of the pair has a goal for (None: the pair has no ticket indicator,
        so any priority is taken and no clock is kept)."""
        key = (customer.pk, service.pk)
        if key not in self.priorities:
            indicators = Indicator.objects.filter(kind=TICKET.value, customer=customer, service=service)
            sets = [set(indicator.ticket_goals.values_list("priority", flat=True)) for indicator in indicators]
            self.priorities[key] = set.intersection(*sets) if sets else None
        return self.priorities[key]


def validate_events(source, events, *, now=None):
    """Check a batch; returns (events to store, tickets known) or raises BatchInvalid with every problem found."""
    now = now or timezone.now()
    if not isinstance(events, list):
        raise BatchInvalid([problem(None, "events", "must be a list")])
    if not events:
        raise BatchInvalid([problem(None, "events", "must not be empty")])
    if len(events) > MAX_EVENTS:
        raise BatchInvalid([problem(None, "events", f"{len(events)} events; at most {MAX_EVENTS} in one batch")])
    shaped, errors = [], []
    for index, raw in enumerate(events):
        event, problems = _shape(source, raw, index, now)
        errors += problems
        if event:
            shaped.append(event)
    scope = _Scope(source)
    # With their tickets: a desk that resends a batch must not cost a query per event already stored.
    stored = {
        record.event_id: record
        for record in TicketEventRecord.objects.filter(
            source=source, event_id__in=[e.event_id for e in shaped]
        ).select_related("ticket")
    }
    tickets = {
        ticket.external_id: ticket
        for ticket in Ticket.objects.filter(source=source, external_id__in={e.ticket for e in shaped}).select_related(
            "customer", "service"
        )
    }
    created_here, seen, fresh = {}, {}, []
    for event in shaped:
        if event.event_id in seen:
            if not event.same_as(seen[event.event_id]):
                errors.append(problem(event.index, "id", f"the same id as event {seen[event.event_id].index}"))
            continue
        seen[event.event_id] = event
        record = stored.get(event.event_id)
        if record is not None:
            if record.ticket.external_id != event.ticket or not event.same_as(record):
                errors.append(problem(event.index, "id", f"{event.event_id!r} was stored before with other content"))
            continue
        if event.kind == TicketEventKind.CREATED:
            errors += _check_created(event, tickets, created_here, scope)
        fresh.append(event)
    # Tickets whose creation in this batch has errors of its own: their other events are not "unknown" as well.
    flawed = {
        raw["ticket"].strip()
        for raw in events
        if isinstance(raw, dict) and raw.get("type") == TicketEventKind.CREATED and isinstance(raw.get("ticket"), str)
    }
    for event in fresh:
        if event.kind == TicketEventKind.CREATED:
            continue
        ticket, creation = tickets.get(event.ticket), created_here.get(event.ticket)
        if ticket is None and creation is None:
            if event.ticket not in flawed:
                errors.append(
                    problem(event.index, "ticket", f"{event.ticket!r} is unknown and not created in this batch")
                )
            continue
        opened = creation.at if creation else ticket.created_at
        if event.at < opened:
            errors.append(problem(event.index, "at", f"before ticket {event.ticket!r} was created"))
        if event.kind == TicketEventKind.PRIORITY_CHANGED:
            customer, service = _pair(ticket, creation, scope)
            known = scope.known_priorities(customer, service) if customer and service else None
            if known is not None and event.priority not in known:
                errors.append(problem(event.index, "priority", f"{event.priority!r} has no goal for this service"))
    if errors:
        raise BatchInvalid(sorted(errors, key=lambda item: (item["index"] is None, item["index"] or 0)))
    return fresh, tickets


def _pair(ticket, creation, scope):
    """The (customer, service) of a ticket; (None, None) for one whose creation in this batch names a customer or
    service the desk may not write for (that event has its own error)."""
    if creation is not None:
        return scope.customers.get(creation.customer), scope.services.get(creation.service)
    return ticket.customer, ticket.service


def _check_created(event, tickets, created_here, scope):
    errors = []
    if event.ticket in tickets or event.ticket in created_here:
        return [problem(event.index, "ticket", f"{event.ticket!r} was created already")]
    customer, service = scope.customers.get(event.customer), scope.services.get(event.service)
    if customer is None:
        errors.append(problem(event.index, "customer", f"this desk does not write for customer {event.customer!r}"))
    if service is None:
        errors.append(problem(event.index, "service", f"this desk does not write for service {event.service!r}"))
    elif customer is not None and not scope.serves(customer, service):
        errors.append(problem(event.index, "service", f"{event.service!r} is not a service of {event.customer!r}"))
    if not errors:
        known = scope.known_priorities(customer, service)
        if known is not None and event.priority not in known:
            errors.append(problem(event.index, "priority", f"{event.priority!r} has no goal for this service"))
    created_here[event.ticket] = event
    return errors


EVENT_COLUMNS = ["ticket_id", "source_id", "event_id", "kind", "at", "state", "category", "priority", "received_at"]


def store_events(rows):
    """Insert event rows (in the order of ``EVENT_COLUMNS``): one COPY on PostgreSQL, bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            columns = ", ".join(EVENT_COLUMNS)
            with cursor.cursor.copy(f"COPY monitoring_ticketeventrecord ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    TicketEventRecord.objects.bulk_create(
        [TicketEventRecord(**dict(zip(EVENT_COLUMNS, row, strict=True))) for row in rows], batch_size=1000
    )


def record_ticket_events(source, events, *, now=None):
    """Validate and store a batch, then rebuild the clocks of every ticket it touched (one transaction)."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh, tickets = validate_events(source, events, now=now)
        scope = _Scope(source)
        new_tickets = [
            Ticket(
                source=source,
                external_id=event.ticket,
                customer=scope.customers[event.customer],
                service=scope.services[event.service],
                title=event.title,
                priority=event.priority,
                state=event.state,
                category=event.category,
                created_at=event.at,
                updated_at=event.at,
            )
            for event in fresh
            if event.kind == TicketEventKind.CREATED
        ]
        Ticket.objects.bulk_create(new_tickets, batch_size=1000)
        tickets.update({ticket.external_id: ticket for ticket in new_tickets})
        store_events(
            [
                (tickets[e.ticket].pk, source.pk, e.event_id, e.kind, e.at, e.state, e.category, e.priority, now)
                for e in fresh
            ]
        )
        # Rebuilding the clocks also sets each ticket's priority, state and category from its log.
        clocks = rebuild_clocks({tickets[event.ticket].pk for event in fresh}, now)
    return TicketBatchResult(received=len(events), stored=len(fresh), tickets_created=len(new_tickets), clocks=clocks)
