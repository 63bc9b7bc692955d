"""CSV files of ticket events: read, check every line as one batch, report bad lines by their line number, and say
what storing the file will do before anything is stored.

The header names the columns ``id,ticket,type,at,customer,service,priority,state,title`` (order free; the last
five may be left out when no line needs them). One line is one event of ``monitoring.intake.ticket_events``; an
empty cell is a field not given.
"""

import csv
import io
from dataclasses import dataclass, field

from monitoring.choices import TicketEventKind
from monitoring.intake.ingest import BatchInvalid
from monitoring.intake.ticket_events import MAX_EVENTS, validate_events

COLUMNS = ("id", "ticket", "type", "at", "customer", "service", "priority", "state", "title")
REQUIRED = {"id", "ticket", "type", "at"}


def _error(line, column, message):
    return {"line": line, "field": column, "message": message}


def read_events(content):
    """(events, their line numbers, errors): the lines as event objects, or the errors of the file's shape."""
    reader = csv.DictReader(io.StringIO(content))
    header = [(name or "").strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in COLUMNS]
    doubled = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in COLUMNS if name in REQUIRED and name not in header]
    if unknown or doubled or missing:
        problems = []
        if missing:
            problems.append("it lacks " + ", ".join(missing))
        if unknown:
            problems.append("it names unknown columns " + ", ".join(unknown))
        if doubled:
            problems.append("it names twice " + ", ".join(doubled))
        message = f"the header must name the columns {','.join(COLUMNS)}: " + "; ".join(problems)
        return [], [], [_error(1, None, message)]
    reader.fieldnames = header
    events, lines, errors = [], [], []
    for row in reader:
        if len(events) + len(errors) >= MAX_EVENTS:
            return [], [], [_error(None, None, f"more than {MAX_EVENTS} events; split the file")]
        if None in row:
            errors.append(_error(reader.line_num, None, "more cells than the header names"))
            continue
        events.append({key: value.strip() for key, value in row.items() if value and value.strip()})
        lines.append(reader.line_num)
    if not events and not errors:
        return [], [], [_error(None, None, "the file has no events")]
    return events, lines, errors


def line_errors(errors, lines):
    """Batch errors (by event index) as errors by line number, sorted."""
    return sorted(
        (
            _error(None if error["index"] is None else lines[error["index"]], error["field"], error["message"])
            for error in errors
        ),
        key=lambda error: (error["line"] or 0, error["field"] or ""),
    )


@dataclass
class TicketLine:
    """What storing the file does to one ticket."""

    ticket: str
    new: bool
    customer: str
    service: str
    kinds: list = field(default_factory=list)
    first: object = None
    last: object = None

    @property
    def events(self):
        return len(self.kinds)

    @property
    def kind_labels(self):
        return [TicketEventKind(kind).label for kind in self.kinds]


@dataclass
class TicketPreview:
    """What storing a checked file will do: its events, those new to the portal, the tickets it creates, and per
    ticket the events it adds."""

    events: int
    new_events: int
    tickets: list

    @property
    def known_events(self):
        return self.events - self.new_events

    @property
    def new_tickets(self):
        return sum(1 for line in self.tickets if line.new)


def check(source, content, *, now=None):
    """(TicketPreview, []) for a good file, or (None, errors by line) for a bad one. Nothing is stored."""
    events, lines, errors = read_events(content)
    if errors:
        return None, sorted(errors, key=lambda error: (error["line"] or 0, error["field"] or ""))
    try:
        fresh, known = validate_events(source, events, now=now)
    except BatchInvalid as invalid:
        return None, line_errors(invalid.errors, lines)
    return _preview(len(events), fresh, known), []


def _preview(count, fresh, known):
    tickets = {}
    for event in sorted(fresh, key=lambda item: (item.at, item.kind != TicketEventKind.CREATED, item.event_id)):
        line = tickets.get(event.ticket)
        if line is None:
            existing = known.get(event.ticket)
            line = tickets[event.ticket] = TicketLine(
                ticket=event.ticket,
                new=existing is None,
                customer=event.customer if existing is None else existing.customer_code,
                service=event.service if existing is None else existing.service_code,
                first=event.at,
            )
        line.kinds.append(event.kind)
        line.last = event.at
    return TicketPreview(events=count, new_events=len(fresh), tickets=sorted(tickets.values(), key=lambda t: t.ticket))
