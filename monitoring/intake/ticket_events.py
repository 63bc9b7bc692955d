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
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.choices import TicketCategory, TicketEventKind
from monitoring.intake.ingest import BatchInvalid
from monitoring.intake.samples import problem
from monitoring.models import Ticket, TicketEventRecord
from monitoring.tickets.arrays import array_literal
from monitoring.tickets.book import TicketIndicators
from monitoring.tickets.store import log_and_status, rebuild_clocks

MAX_EVENTS = 5000
FIELDS = frozenset({"id", "ticket", "type", "at", "customer", "service", "priority", "state", "title"})
REQUIRED = ("id", "ticket", "type", "at")
REQUIRED_SET = frozenset(REQUIRED)
# Plain sets of the values: ``TextChoices.values`` builds its list (and every label) anew on each call.
KINDS = frozenset(TicketEventKind.values)
CREATED = TicketEventKind.CREATED.value
PRIORITY_CHANGED = TicketEventKind.PRIORITY_CHANGED.value
STATE_CHANGED = TicketEventKind.STATE_CHANGED.value
PRIORITY_KINDS = frozenset({CREATED, PRIORITY_CHANGED})
TEXT_LIMITS = {"id": 100, "ticket": 100, "customer": 50, "service": 50, "priority": 20, "state": 100, "title": 300}
ENDED = frozenset({TicketCategory.RESOLVED, TicketCategory.CLOSED, TicketCategory.CANCELLED})
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


@dataclass(slots=True)
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


def _instant(raw, index, latest):
    """(the instant in UTC, None) or (None, the problem); ``latest`` is the last instant taken (now and the skew)."""
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
    if instant > latest:
        return None, problem(index, "at", f"{raw!r} is in the future")
    return instant, None


def _texts(raw):
    """The event's text fields stripped, {field: text}, when its keys and text fields are all as they must be
    (``_field_problems`` finds none): the common case, checked in one pass. None otherwise."""
    keys = raw.keys()
    if not keys <= FIELDS or not keys >= REQUIRED_SET:
        return None
    texts = {}
    for key, value in raw.items():
        limit = TEXT_LIMITS.get(key)
        if limit is None:  # type and at, checked on their own
            continue
        if value is None:
            if key in REQUIRED_SET:
                return None
            continue
        if type(value) is not str or len(value) > limit or "\x00" in value:
            return None
        text = value.strip()
        if not text and key != "title":
            return None
        texts[key] = text
    return texts


def _field_problems(raw, index):
    """The problems of an event's keys and text fields (an empty list for a well-formed event)."""
    errors = []
    if not raw.keys() <= FIELDS:
        errors += [problem(index, key, "is not a field of ticket events") for key in sorted(set(raw) - FIELDS)]
    for key in REQUIRED:
        if key not in raw:
            errors.append(problem(index, key, "is required"))
    for key, limit in TEXT_LIMITS.items():
        value = raw.get(key)
        if value is None:
            if key in raw and key in REQUIRED_SET:  # "id": null is no id
                errors.append(problem(index, key, "must be non-empty text"))
            continue
        if not isinstance(value, str) or (key != "title" and not value.strip()):
            errors.append(problem(index, key, "must be non-empty text"))
        elif "\x00" in value:  # PostgreSQL refuses NUL in text, even in a lookup
            errors.append(problem(index, key, "must not hold a NUL character"))
        elif len(value) > limit:
            errors.append(problem(index, key, f"is longer than {limit} characters"))
    return errors


def _shape(categories, raw, index, latest):
    """(an _Event, []) or (None, the problems of this event alone). ``categories`` is the desk's
    ``category_of``, remembered for the batch."""
    if not isinstance(raw, dict):
        return None, [problem(index, None, "each event must be an object")]
    texts = _texts(raw)
    if texts is None:  # (every way _texts refuses an event is one of _field_problems')
        return None, _field_problems(raw, index) or [problem(index, None, "is not a ticket event")]
    kind = raw["type"]
    if not isinstance(kind, str) or kind not in KINDS:
        return None, [problem(index, "type", f"{kind!r} is not one of {', '.join(TicketEventKind.values)}")]
    at, time_problem = _instant(raw["at"], index, latest)
    if time_problem:
        return None, [time_problem]
    get = texts.get
    customer, service, priority = get("customer", ""), get("service", ""), get("priority", "")
    state, title = get("state", ""), get("title", "")
    errors = []
    if kind == CREATED:
        if not (customer and service and priority):
            errors += [
                problem(index, key, "is required for a created event")
                for key, value in (("customer", customer), ("service", service), ("priority", priority))
                if not value
            ]
    elif kind == PRIORITY_CHANGED and not priority:
        errors.append(problem(index, "priority", "is required for a priority change"))
    elif kind == STATE_CHANGED and not state:
        errors.append(problem(index, "state", "is required for a state change"))
    if priority and kind not in PRIORITY_KINDS:
        errors.append(problem(index, "priority", "is given only with created and priority_changed events"))
    if kind != CREATED and (customer or service or title):
        for key, value in (("customer", customer), ("service", service), ("title", title)):
            if value:
                errors.append(problem(index, key, "is given only with a created event"))
    category = ""
    if state:
        mapped = categories(state)
        if mapped is None:
            errors.append(problem(index, "state", f"{state!r} is not a state this desk has mapped"))
        elif kind == CREATED and mapped in ENDED:
            errors.append(problem(index, "state", f"a ticket cannot be created {mapped}"))
        else:
            category = mapped
    if errors:
        return None, errors
    if not category:
        category = KIND_CATEGORY.get(kind, "")
    event = _Event(index, texts["id"], texts["ticket"], kind, at, customer, service, priority, state, category, title)
    return event, []


def _categories(source):
    """The desk's ``category_of`` as a plain str, remembered per state name (a batch names a few states often)."""
    known = {}

    def category_of(state):
        if state not in known:
            category = source.category_of(state)
            known[state] = None if category is None else category.value
        return known[state]

    return category_of


# What the desk may write for: its customers and services by code, and which of their pairs have an agreement.
_SCOPE = """
SELECT 'customer', c.id, c.code, CAST(NULL AS bigint) FROM agreements_customer c
JOIN monitoring_ticketsource_customers x ON x.customer_id = c.id WHERE x.ticketsource_id = %s
UNION ALL
SELECT 'service', s.id, s.code, NULL FROM agreements_service s
JOIN monitoring_ticketsource_services x ON x.service_id = s.id WHERE x.ticketsource_id = %s
UNION ALL
SELECT 'agreement', a.customer_id, NULL, x.service_id FROM agreements_agreement a
JOIN agreements_agreement_services x ON x.agreement_id = a.id
WHERE a.customer_id IN (SELECT customer_id FROM monitoring_ticketsource_customers WHERE ticketsource_id = %s)
AND x.service_id IN (SELECT service_id FROM monitoring_ticketsource_services WHERE ticketsource_id = %s)
"""


class _Scope:
    """What the desk may write for — its customers' and services' ids by code, the (customer, service) pairs with
    an agreement — read in one statement, and the ticket indicators of the pairs the batch names
    (``tickets.book.TicketIndicators``), read once with ``read_book`` and handed on to the clocks."""

    def __init__(self, source):
        self.customers, self.services, self.agreed = {}, {}, set()
        with connection.cursor() as cursor:
            cursor.execute(_SCOPE, [source.pk] * 4)
            for what, pk, code, service_id in cursor.fetchall():
                if what == "customer":
                    self.customers[code] = pk
                elif what == "service":
                    self.services[code] = pk
                else:
                    self.agreed.add((pk, service_id))
        self.book = None

    def serves(self, customer_id, service_id):
        """Whether the customer has an agreement on the service."""
        return (customer_id, service_id) in self.agreed

    def read_book(self, pairs):
        self.book = TicketIndicators(pairs)

    def known_priorities(self, customer_id, service_id):
        """The priorities every ticket indicator of the pair has a goal for (None: the pair has no ticket indicator,
        so any priority is taken and no clock is kept)."""
        return self.book.priorities(customer_id, service_id)


def validate_events(source, events, *, now=None):
    """Check a batch; returns (events to store, tickets known) or raises BatchInvalid with every problem found."""
    fresh, tickets, _scope = _validate(source, events, now or timezone.now())
    return fresh, tickets


def _validate(source, events, now):
    """``validate_events``, with the desk's scope it read."""
    if not isinstance(events, list):
        raise BatchInvalid([problem(None, "events", "must be a list")])
    if not events:
        raise BatchInvalid([problem(None, "events", "must not be empty")])
    if len(events) > MAX_EVENTS:
        raise BatchInvalid([problem(None, "events", f"{len(events)} events; at most {MAX_EVENTS} in one batch")])
    latest = now + dt.timedelta(seconds=settings.SLM_MAX_FUTURE_SKEW_SECONDS)
    categories = _categories(source)
    shaped, errors = [], []
    for index, raw in enumerate(events):
        event, problems = _shape(categories, raw, index, latest)
        if problems:
            errors += problems
        else:
            shaped.append(event)
    scope = _Scope(source)
    stored, tickets = lookups(source, [e.event_id for e in shaped], {e.ticket for e in shaped})
    # The ticket indicators of every (customer, service) the batch writes for, read once: the priorities are
    # checked against them, and the clocks are built with them.
    pairs = {(ticket.customer_id, ticket.service_id) for ticket in tickets.values()}
    for event in shaped:
        if event.kind == CREATED:
            pair = (scope.customers.get(event.customer), scope.services.get(event.service))
            if None not in pair:
                pairs.add(pair)
    scope.read_book(pairs)
    created_here, seen, fresh = {}, {}, []
    for event in shaped:
        if event.event_id in seen:
            if not event.same_as(seen[event.event_id]):
                errors.append(problem(event.index, "id", f"the same id as event {seen[event.event_id].index}"))
            continue
        seen[event.event_id] = event
        record = stored.get(event.event_id)
        if record is not None:
            if record.ticket != event.ticket or not event.same_as(record):
                errors.append(problem(event.index, "id", f"{event.event_id!r} was stored before with other content"))
            continue
        if event.kind == CREATED:
            errors += _check_created(event, tickets, created_here, scope)
        fresh.append(event)
    # Tickets whose creation in this batch has errors of its own: their other events are not "unknown" as well.
    flawed = {
        raw["ticket"].strip()
        for raw in events
        if isinstance(raw, dict) and raw.get("type") == CREATED and isinstance(raw.get("ticket"), str)
    }
    for event in fresh:
        if event.kind == CREATED:
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
        if event.kind == PRIORITY_CHANGED:
            customer, service = _pair(ticket, creation, scope)
            known = None if None in (customer, service) else scope.known_priorities(customer, service)
            if known is not None and event.priority not in known:
                errors.append(problem(event.index, "priority", f"{event.priority!r} has no goal for this service"))
    if errors:
        raise BatchInvalid(sorted(errors, key=lambda item: (item["index"] is None, item["index"] or 0)))
    return fresh, tickets, scope


class StoredEvent(NamedTuple):
    """What a resent event is compared with: the event as stored before, and its ticket's id at the desk."""

    ticket: str
    kind: str
    at: dt.datetime
    priority: str
    state: str


class KnownTicket(NamedTuple):
    """A ticket the portal has: what a batch checks its events against, and what a preview shows of it."""

    pk: int
    customer_id: int
    service_id: int
    created_at: dt.datetime
    customer_code: str
    service_code: str


# The events the desk sent before and the tickets it created before, among those a batch names: one statement, one
# index probe per id (a lateral sub-select for each element of an array). ``event_id = ANY(%s)`` made PostgreSQL's
# planner estimate every element of the array against the column's most common values (several times the lookup
# itself), and a join on the unnested array may be planned as a scan of all the desk's rows. A row of a stored event
# has its id first; a row of a known ticket has NULL there.
_LOOKUPS = """
SELECT e.event_id, (SELECT t.external_id FROM monitoring_ticket t WHERE t.id = e.ticket_id), e.kind, e.at,
       e.priority, e.state, NULL::bigint, NULL::bigint, NULL::bigint, NULL::text, NULL::text
FROM unnest(%s::text[]) AS wanted(event_id)
CROSS JOIN LATERAL (
    SELECT * FROM monitoring_ticketeventrecord e WHERE e.source_id = %s AND e.event_id = wanted.event_id LIMIT 1
) AS e
UNION ALL
SELECT NULL, t.external_id, NULL, t.created_at, NULL, NULL, t.id, t.customer_id, t.service_id,
       (SELECT c.code FROM agreements_customer c WHERE c.id = t.customer_id),
       (SELECT s.code FROM agreements_service s WHERE s.id = t.service_id)
FROM unnest(%s::text[]) AS wanted(name)
CROSS JOIN LATERAL (
    SELECT t.id, t.external_id, t.created_at, t.customer_id, t.service_id FROM monitoring_ticket t
    WHERE t.source_id = %s AND t.external_id = wanted.name LIMIT 1
) AS t
"""


def lookups(source, event_ids, names):
    """({event id: StoredEvent} of the ids the desk sent before, {desk's ticket id: KnownTicket} of the named
    tickets the portal has): one statement on PostgreSQL (a desk that resends a batch must not cost a query per
    event), two ORM queries elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LOOKUPS, [array_literal(event_ids), source.pk, array_literal(names), source.pk])
            rows = cursor.fetchall()
        events = [row[:6] for row in rows if row[0] is not None]
        # (name, id, customer, service, created at, customer's code, service's code)
        tickets = [(row[1], row[6], row[7], row[8], row[3], row[9], row[10]) for row in rows if row[0] is None]
    else:
        events = tickets = []
        if event_ids:
            events = TicketEventRecord.objects.filter(source=source, event_id__in=event_ids).values_list(
                "event_id", "ticket__external_id", "kind", "at", "priority", "state"
            )
        if names:
            tickets = Ticket.objects.filter(source=source, external_id__in=names).values_list(
                "external_id", "pk", "customer_id", "service_id", "created_at", "customer__code", "service__code"
            )
    return (
        {event_id: StoredEvent(*rest) for event_id, *rest in events},
        {name: KnownTicket(*rest) for name, *rest in tickets},
    )


def stored_events(source, event_ids):
    """{event id: StoredEvent} of the ids the desk sent before (``lookups``)."""
    return lookups(source, list(event_ids), [])[0]


def known_tickets(source, names):
    """{desk's ticket id: KnownTicket} of the named tickets the portal has (``lookups``)."""
    return lookups(source, [], list(names))[1]


def _pair(ticket, creation, scope):
    """The (customer id, service id) of a ticket; None for either that the creation in this batch names but the desk
    may not write for (that event has its own error)."""
    if creation is not None:
        return scope.customers.get(creation.customer), scope.services.get(creation.service)
    return ticket.customer_id, ticket.service_id


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
EVENT_TYPES = ["int8", "int8", "text", "text", "timestamptz", "text", "text", "text", "timestamptz"]


def store_events(rows):
    """Insert event rows (in the order of ``EVENT_COLUMNS``): one binary COPY on PostgreSQL (the driver formats a
    row in a quarter of the time text takes), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            columns = ", ".join(EVENT_COLUMNS)
            with cursor.cursor.copy(
                f"COPY monitoring_ticketeventrecord ({columns}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(EVENT_TYPES)
                for row in rows:
                    copy.write_row(row)
        return
    TicketEventRecord.objects.bulk_create(
        [TicketEventRecord(**dict(zip(EVENT_COLUMNS, row, strict=True))) for row in rows], batch_size=1000
    )


TICKET_COLUMNS = [
    "source_id",
    "external_id",
    "customer_id",
    "service_id",
    "title",
    "priority",
    "state",
    "category",
    "created_at",
    "updated_at",
]
TICKET_TYPES = ["int8", "int8", "text", "int8", "int8", "text", "text", "text", "text", "timestamptz", "timestamptz"]


def insert_tickets(rows):
    """Insert new tickets (rows in the order of ``TICKET_COLUMNS``) and return their ids, in order. On PostgreSQL
    the ids are drawn from the table's sequence and the rows written with one COPY; bulk_create elsewhere."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('monitoring_ticket', 'id')) FROM generate_series(1, %s)",
                [len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns = ", ".join(["id", *TICKET_COLUMNS])
            with cursor.cursor.copy(f"COPY monitoring_ticket ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(TICKET_TYPES)
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row))
        return ids
    tickets = [Ticket(**dict(zip(TICKET_COLUMNS, row, strict=True))) for row in rows]
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    return [ticket.pk for ticket in tickets]


def record_ticket_events(source, events, *, now=None):
    """Validate and store a batch, then rebuild the clocks of every ticket it touched (one transaction).

    A ticket created in this batch has its whole log in it: it is written where that log leaves it (priority, state,
    category, last event) and its clocks are built from the batch's events, with nothing read back. The tickets
    known before have their logs read and their clocks rebuilt (``rebuild_clocks``)."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh, tickets, scope = _validate(source, events, now)
        created = {event.ticket: event for event in fresh if event.kind == CREATED}
        logs = {name: [] for name in created}
        for event in fresh:
            log = logs.get(event.ticket)
            if log is not None:
                log.append((None, event.event_id, event.at, event.kind, event.category, event.priority, event.state))
        new_rows = []
        for name, event in created.items():
            logs[name], (priority, state, category, updated_at) = log_and_status(logs[name])
            customer, service = scope.customers[event.customer], scope.services[event.service]
            new_rows.append(
                (source.pk, name, customer, service, event.title, priority, state, category, event.at, updated_at)
            )
        ids = {name: ticket.pk for name, ticket in tickets.items()}
        ids.update(zip(created, insert_tickets(new_rows), strict=True))
        source_id = source.pk
        store_events(
            [(ids[e.ticket], source_id, e.event_id, e.kind, e.at, e.state, e.category, e.priority, now) for e in fresh]
        )
        # Rebuilding the clocks also sets each known ticket's priority, state and category from its log.
        new = {ids[row[1]]: (row[2], row[3], row[8], logs[row[1]]) for row in new_rows}
        known = {ids[e.ticket] for e in fresh if e.ticket not in created}
        clocks = rebuild_clocks(known, now, new=new, book=scope.book)
    return TicketBatchResult(received=len(events), stored=len(fresh), tickets_created=len(new_rows), clocks=clocks)
