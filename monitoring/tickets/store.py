"""Ticket clocks kept in the database, and the measurements a ticket indicator is made of.

``rebuild_clocks(ticket_ids, now)`` replays each ticket's whole log (``clock.ticket_clock``) for every ticket
indicator of its customer and service, stores the clocks, and keeps the indicators' measurements equal to their
clocks' outcomes: at each instant an outcome was counted, ``good`` = clocks counted good then and ``total`` = clocks
counted then. A clock's outcome can move (a reopened ticket's resolution clock runs again; a late event changes the
past), so the instants an outcome left or reached are recomputed from the clocks, never added to blindly. The hour
rollups follow by the difference, as ingestion's do, so evaluation reads a ticket indicator like any other.

``settle_due_clocks(now)`` rebuilds the running clocks whose goal has run out by ``now``: a ticket left open past
its goal is counted bad at the instant it breached, without waiting for another event.
"""

import logging
from collections import defaultdict
from datetime import UTC, timedelta
from decimal import Decimal

import orjson
import psycopg
from django.db import connection, transaction
from django.db.models import Count, Q
from psycopg.types.json import set_json_dumps

from monitoring.choices import TicketCategory, TicketEventKind
from monitoring.intake.rollups import apply_minute_deltas, lock_indicator, minute_number
from monitoring.models import Measurement, Ticket, TicketClock, TicketEventRecord
from monitoring.signals import ticket_clocks_written
from monitoring.tickets.arrays import array_literal
from monitoring.tickets.book import TicketIndicators
from monitoring.tickets.clock import ClockState, TicketEvent, ticket_clock
from monitoring.tickets.ranks import Standing, rank_rows, standing_key, write_ranks

logger = logging.getLogger(__name__)

CLOCK_FIELDS = [
    "state",
    "priority",
    "goal",
    "started_at",
    "stopped_at",
    "running_time",
    "wall_time",
    "due_at",
    "breached_at",
    "warning_at",
    "percent_elapsed",
    "pauses",
    "warnings",
    "evaluated_at",
    "counted_at",
    "good",
]
MAX_PERCENT = Decimal("9999999.99")
_TICK = timedelta(microseconds=1)
ENDED = [TicketCategory.RESOLVED, TicketCategory.CLOSED, TicketCategory.CANCELLED]
CHUNK = 5000


_TICKET_COLUMNS = ["id", "customer_id", "service_id", "created_at", "priority", "state", "category", "updated_at"]
_LOG_COLUMNS = ["ticket_id", "event_id", "at", "kind", "category", "priority", "state"]
_PREVIOUS_COLUMNS = ["ticket_id", "indicator_id", "counted_at", "good", "state", "stopped_at", "due_at", "breached_at"]
_PREVIOUS_COLUMNS += ["warning_at", "percent_elapsed", "evaluated_at"]


def fetch_binary(sql, params):
    """The rows of a PostgreSQL statement, read in binary: on a cursor of its own on the same connection (so in the
    same transaction) that binds parameters server-side, since Django's client-side cursors cannot. Its instants
    come in UTC as Django's would, but parsed by the driver's C code, where Django's text loader for them is Python:
    a sixth of the CPU for rows of timestamps. It goes round Django's cursor (its query log and execute wrappers do
    not see it), so it is for reads only. The driver prepares a statement it has run five times on the connection
    (never preparing them cost a rebuild of 5,000 tickets a quarter more CPU); behind a pooler in transaction mode,
    PgBouncer 1.21 or later with ``max_prepared_statements`` set keeps them."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def _read(model, columns, ticket_ids, key="ticket_id"):
    """Rows of ``columns`` of ``model`` whose ``key`` (a ticket's id) is one of ``ticket_ids``. On PostgreSQL one
    array parameter and a binary read (``fetch_binary``); elsewhere the ORM."""
    if connection.vendor == "postgresql":
        return fetch_binary(
            f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE {key} = ANY(%s::bigint[])",  # noqa: S608 - names are constants
            [array_literal(ticket_ids)],
        )
    field = "pk" if key == "id" else key
    return list(model.objects.filter(**{f"{field}__in": ticket_ids}).order_by().values_list(*columns))


def logs_of(ticket_ids):
    """{ticket id: (its events as the clock reads them, (priority, state, category, updated_at) it stands at)}."""
    raw = defaultdict(list)
    for row in _read(TicketEventRecord, _LOG_COLUMNS, ticket_ids):
        raw[row[0]].append(row)
    return {ticket_id: log_and_status(rows) for ticket_id, rows in raw.items()}


def log_and_status(rows):
    """The clock's events of one ticket and where the ticket stands after them (its latest priority, the state of
    its latest state-setting event; a reopen of an ended ticket makes it open again)."""
    rows.sort(key=lambda row: (row[2], row[3] != TicketEventKind.CREATED, row[1]))
    log, priority, state, category = [], "", "", TicketCategory.OPEN.value
    for _ticket, event_id, at, kind, event_category, event_priority, event_state in rows:
        log.append(TicketEvent.stored(event_id, at, kind, event_category or None, event_priority or None))
        priority = event_priority or priority
        if kind == TicketEventKind.REOPENED:
            if category in ENDED:
                category, state = TicketCategory.OPEN.value, ""
        elif event_category:
            category, state = event_category, event_state
    return log, (priority, state, category, rows[-1][2])


def _iso(instant):
    """``instant.isoformat()``; for an instant in UTC (every clock's) written by orjson, the same text in a third of
    the time."""
    if instant is None:
        return None
    if instant.tzinfo is UTC:
        return orjson.dumps(instant)[1:-1].decode()
    return instant.isoformat()


def _percent(clock):
    """The clock's percentage of its goal rounded down to hundredths, as the column holds it: counted in whole
    hundredths from its running time and goal (exact), which costs a fraction of making the Fraction and dividing
    Decimals."""
    value = Decimal(clock.running_time // _TICK * 10000 // (clock.goal // _TICK)).scaleb(-2)
    return min(value, MAX_PERCENT)


def outcome(clock):
    """(counted_at, good) of a clock: good at its stop within the goal, bad at the instant it breached."""
    if clock.state is ClockState.MET:
        return clock.stop, True
    if clock.state is ClockState.BREACHED:
        return clock.breached_at, False
    return None, None


def clock_values(ticket_id, indicator_id, clock):
    """The stored row of a clock, in the order of ``COLUMNS``."""
    counted_at, good = outcome(clock)
    first_warning = None
    warnings = []
    for warning in clock.warnings:
        at = warning.at
        if at is not None:
            first_warning = first_warning or at
            at = _iso(at)
        warnings.append({"percent": str(warning.percent), "at": at})
    pauses = [{"start": _iso(p.start), "end": _iso(p.end), "category": p.category.value} for p in clock.pauses]
    return (
        ticket_id,
        indicator_id,
        clock.state.value,
        clock.priority,
        clock.goal,
        clock.start,
        clock.stop,
        clock.running_time,
        clock.wall_time,
        clock.due_at,
        clock.breached_at,
        first_warning,
        _percent(clock),
        pauses,
        warnings,
        clock.evaluated_at,
        counted_at,
        good,
    )


COLUMNS = ["ticket_id", "indicator_id", *CLOCK_FIELDS]


def rebuild_clocks(ticket_ids, now, new=None, book=None, rerank=False):
    """Rebuild the clocks of the given tickets as of ``now`` and bring their indicators' measurements along.
    Returns the number of clocks written.

    ``new`` ({ticket id: (customer id, service id, created at, log)}) names tickets the caller has just written
    where their whole log leaves them (``log_and_status`` of its rows): they have no clock yet, so theirs are built
    from that log and inserted, with nothing read back. ``book`` is the ``TicketIndicators`` the caller has read
    already; a chunk whose tickets it does not cover reads its own. A ticket's ranks are written again only when
    one of its clocks moved in what they rank by (``ranks.standing_key``), or with ``rerank`` (a ticket indicator was
    added, changed or deleted, so the ranks' metrics may have)."""
    ticket_ids = sorted(set(ticket_ids))
    if not ticket_ids and not new:
        return 0
    chunks = [ticket_ids[offset : offset + CHUNK] for offset in range(0, len(ticket_ids), CHUNK)] or [[]]
    return sum(
        _rebuild_chunk(chunk, now, new if number == 0 else None, book, rerank) for number, chunk in enumerate(chunks)
    )


def _rebuild_chunk(ticket_ids, now, new=None, book=None, rerank=False):
    new = new or {}
    # No savepoint inside a caller's transaction (the intake's): a failure here fails the whole of it anyway.
    with transaction.atomic(savepoint=False):
        tickets, logs, previous, rebuilt_at = [], {}, {}, defaultdict(set)
        if ticket_ids:
            tickets = _read(Ticket, _TICKET_COLUMNS, ticket_ids, key="id")
            logs = logs_of(ticket_ids)
            for ticket_id, indicator_id, counted_at, good, *stands, evaluated_at in _read(
                TicketClock, _PREVIOUS_COLUMNS, ticket_ids
            ):
                previous[ticket_id, indicator_id] = (counted_at, good, standing_key(*stands))
                rebuilt_at[ticket_id].add(evaluated_at)
        pairs = {(ticket[1], ticket[2]) for ticket in tickets} | {(row[0], row[1]) for row in new.values()}
        if book is None or not book.covers(pairs):
            book = TicketIndicators(pairs)
        rows, touched, standing, ranks, ranked = [], defaultdict(set), [], [], []
        for ticket_id, customer_id, service_id, created_at, *stood in tickets:
            if ticket_id not in logs:
                continue
            log, status = logs[ticket_id]
            if status != tuple(stood):
                standing.append((ticket_id, *status))
            clocks, standings = _clocks(book, ticket_id, customer_id, service_id, created_at, log, now)
            # Clocks of one ticket rebuilt at different instants: an earlier rebuild wrote some of them but could not
            # build another, and left the ticket's ranks as they were; they are made again from all of them now.
            moved = rerank or len(rebuilt_at.get(ticket_id, ())) > 1
            for row in clocks:
                rows.append(row)
                before, after = previous.get((ticket_id, row[1]), (None, None, None)), row[-2:]
                if before[:2] != after:
                    touched[row[1]].update(instant for instant in (before[0], after[0]) if instant)
            if standings is not None and not moved:
                moved = any(
                    previous.get((ticket_id, row[1]), (None, None, None))[2] != standing_key(*standing[1:])
                    for row, standing in zip(clocks, standings, strict=True)
                )
            if standings is not None and moved:
                ranked.append(ticket_id)
                ranks += rank_rows((ticket_id, customer_id, service_id, created_at), standings)
        # Clocks of new tickets were counted nowhere: their outcomes are added to the instants' counts.
        inserted, added, fresh = [], defaultdict(lambda: defaultdict(lambda: [0, 0])), []
        for ticket_id, (customer_id, service_id, created_at, log) in new.items():
            clocks, standings = _clocks(book, ticket_id, customer_id, service_id, created_at, log, now)
            for row in clocks:
                inserted.append(row)
                counted_at, good = row[-2:]
                if counted_at is not None:
                    counts = added[row[1]][counted_at]
                    counts[0] += good
                    counts[1] += 1
            if standings is not None:
                fresh.append(ticket_id)
                ranks += rank_rows((ticket_id, customer_id, service_id, created_at), standings)
        write_clocks(rows)
        insert_clocks(inserted)
        write_standing(standing)
        write_ranks(ranked, ranks, fresh)
        # Now, for readers in this transaction, and again once it commits, for those who read in between.
        customers = sorted({ticket[1] for ticket in tickets} | {row[0] for row in new.values()})
        ticket_clocks_written.send(sender=rebuild_clocks, customer_ids=customers)
        transaction.on_commit(lambda: ticket_clocks_written.send(sender=rebuild_clocks, customer_ids=customers))
        for indicator_id in sorted(touched.keys() | added.keys()):
            recount(indicator_id, touched.get(indicator_id, ()), added.get(indicator_id))
    return len(rows) + len(inserted)


def _clocks(book, ticket_id, customer_id, service_id, created_at, log, now):
    """The stored rows of a ticket's clocks, one per ticket indicator of its customer and service, and what the
    ticket's ranks are made of (``tickets.ranks``); None for that when a clock could not be built: it stays as it was,
    and so do the ranks that count it."""
    rows, standings = [], []
    for indicator in book.of(customer_id, service_id):
        try:
            clock = ticket_clock(
                log,
                indicator.ticket_metric,
                book.versions[indicator.pk].at(created_at),
                indicator.pause_categories,
                book.calendars[indicator.pk],
                now,
                book.points[indicator.pk],
            )
        except ValueError as problem:  # a goal removed since the ticket arrived: its clock stays as it was
            logger.warning("Ticket %s, indicator %s: no clock (%s)", ticket_id, indicator.code, problem)
            standings = None
            continue
        row = clock_values(ticket_id, indicator.pk, clock)
        rows.append(row)
        if standings is not None:
            standings.append(Standing(indicator.ticket_metric, row[2], row[6], row[9], row[10], row[11], row[12]))
    return rows, standings


_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS slm_staging_clock (
    ticket_id bigint, indicator_id bigint, state varchar(10), priority varchar(20), goal interval,
    started_at timestamptz, stopped_at timestamptz, running_time interval, wall_time interval, due_at timestamptz,
    breached_at timestamptz, warning_at timestamptz, percent_elapsed numeric, pauses jsonb, warnings jsonb,
    evaluated_at timestamptz, counted_at timestamptz, good boolean
) ON COMMIT DELETE ROWS
"""
# The staged clocks written: those the tickets have already updated in place (an index of theirs changes only
# when their state, due instant or count does, so PostgreSQL mostly keeps the new version beside the old without
# touching an index; an upsert checked every row against the unique index first), the others (an indicator added)
# inserted. Both parts read the table as it was before the statement; a row another transaction has inserted since
# (two rebuilds of a ticket at once, after an indicator was added) is updated as the upsert did.
_WRITE = """
WITH updated AS (
    UPDATE monitoring_ticketclock c SET {updates} FROM slm_staging_clock s
    WHERE c.ticket_id = ANY(%s::bigint[]) AND c.ticket_id = s.ticket_id AND c.indicator_id = s.indicator_id
    RETURNING c.ticket_id, c.indicator_id
)
INSERT INTO monitoring_ticketclock ({columns})
SELECT {staged} FROM slm_staging_clock s
WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.ticket_id = s.ticket_id AND u.indicator_id = s.indicator_id)
ORDER BY s.ticket_id, s.indicator_id
ON CONFLICT (ticket_id, indicator_id) DO UPDATE SET {excluded}
"""


_STANDING = """
UPDATE monitoring_ticket t SET priority = v.priority, state = v.state, category = v.category, updated_at = v.updated_at
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::timestamptz[]) AS v(id, priority, state, category,
    updated_at)
WHERE t.id = v.id
"""


def write_standing(rows):
    """Set (ticket id, priority, state, category, updated_at) of the tickets whose log moved them."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_STANDING, [array_literal(column) for column in zip(*rows, strict=True)])
        return
    tickets = [
        Ticket(pk=pk, priority=priority, state=state, category=category, updated_at=updated_at)
        for pk, priority, state, category, updated_at in rows
    ]
    Ticket.objects.bulk_update(tickets, ["priority", "state", "category", "updated_at"], batch_size=500)


# The types of ``COLUMNS``, for a binary COPY (the driver formats a row several times faster than as text).
COLUMN_TYPES = ["int8", "int8", "text", "text", "interval", "timestamptz", "timestamptz", "interval", "interval"]
COLUMN_TYPES += ["timestamptz", "timestamptz", "timestamptz", "numeric", "jsonb", "jsonb", "timestamptz"]
COLUMN_TYPES += ["timestamptz", "bool"]


def _copy_clocks(cursor, table, rows):
    set_json_dumps(orjson.dumps, cursor.cursor)  # the pauses and warnings: orjson writes them in a fifth of the time
    with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(COLUMN_TYPES)
        for row in rows:
            copy.write_row(row)


def insert_clocks(rows):
    """Insert the clock rows of tickets that have none yet: one COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _copy_clocks(cursor, "monitoring_ticketclock", rows)
        return
    TicketClock.objects.bulk_create(
        [TicketClock(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=500
    )


_WRITE_CLOCKS = _WRITE.format(
    updates=", ".join(f"{field} = s.{field}" for field in CLOCK_FIELDS),
    excluded=", ".join(f"{field} = EXCLUDED.{field}" for field in CLOCK_FIELDS),
    columns=", ".join(COLUMNS),
    staged=", ".join(f"s.{column}" for column in COLUMNS),
)


def write_clocks(rows):
    """Insert or update the clock rows: one COPY and one statement on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_STAGING)
            cursor.execute("TRUNCATE slm_staging_clock")
            _copy_clocks(cursor, "slm_staging_clock", rows)
            cursor.execute(_WRITE_CLOCKS, [array_literal(sorted({row[0] for row in rows}))])
        return
    TicketClock.objects.bulk_create(
        [TicketClock(**dict(zip(COLUMNS, row, strict=True))) for row in rows],
        update_conflicts=True,
        unique_fields=["ticket", "indicator"],
        update_fields=CLOCK_FIELDS,
        batch_size=500,
    )


_DELETE_COUNTED = (
    "DELETE FROM monitoring_measurement WHERE indicator_id = %s AND t = ANY(%s::timestamptz[]) RETURNING t, good, total"
)
# The clocks counted at each instant, one index probe per instant (a lateral aggregate). ``counted_at = ANY(%s)``
# made PostgreSQL's planner estimate every instant of the array against the column's most common values, which
# cost several times the count itself.
_INSERT_COUNTED = """
INSERT INTO monitoring_measurement (indicator_id, t, value, good, total)
SELECT %s, instant.t, NULL, counted.good, counted.total FROM unnest(%s::timestamptz[]) AS instant(t)
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE good) AS good, count(*) AS total FROM monitoring_ticketclock
    WHERE indicator_id = %s AND counted_at = instant.t
) AS counted
WHERE counted.total > 0
RETURNING t, good, total
"""


def recount(indicator_id, instants, added=None):
    """Make the indicator's measurements at ``instants`` equal to the clocks counted there, add ``added`` ({instant:
    (good, total)} of clocks counted nowhere before: new tickets') to the counts of the other instants, and move the
    hour rollups by the difference. Under the indicator's lock, so that each count holds every committed clock."""
    instants = set(instants)
    added = {instant: counts for instant, counts in (added or {}).items() if instant not in instants}
    if connection.vendor != "postgresql":  # the portable way: every instant counted from the clocks
        instants, added = instants | added.keys(), {}
    if not instants and not added:
        return
    lock_indicator(indicator_id)
    deltas = defaultdict(lambda: [0, 0, 0])
    if instants:
        for sign, rows in zip((-1, 1), _recounted(indicator_id, sorted(instants)), strict=True):
            for t, good, total in rows:
                counts = deltas[minute_number(t)]
                counts[0] += sign * good
                counts[1] += sign * total
                counts[2] += sign
    if added:
        for minute, good, total, new_rows in _added(indicator_id, added):
            counts = deltas[minute]
            counts[0] += good
            counts[1] += total
            counts[2] += new_rows
    apply_minute_deltas(indicator_id, [(minute, *counts) for minute, counts in deltas.items() if any(counts)])


# Adds the counts and returns them per minute as the hour rollups take them: (minute number, good, total, rows that
# are new). The instants already counted are found with one index probe each (a lateral sub-select per instant):
# with ``t = ANY(%s)`` PostgreSQL read every measurement of the indicator in the partition and filtered them, a cost
# that grew with each ticket counted. Every part of the statement reads the table as it was before the insert.
_ADD_COUNTED = """
WITH counts AS (
    SELECT * FROM unnest(%s::timestamptz[], %s::bigint[], %s::bigint[]) AS a(t, good, total)
), before AS (
    SELECT a.t FROM counts a
    CROSS JOIN LATERAL (
        SELECT 1 FROM monitoring_measurement m WHERE m.indicator_id = %s AND m.t = a.t LIMIT 1
    ) AS counted
), added AS (
    INSERT INTO monitoring_measurement AS m (indicator_id, t, value, good, total)
    SELECT %s, a.t, NULL, a.good, a.total FROM counts a ORDER BY a.t
    ON CONFLICT (indicator_id, t) DO UPDATE SET good = m.good + EXCLUDED.good, total = m.total + EXCLUDED.total
)
SELECT floor(extract(epoch FROM a.t) / 60)::bigint, sum(a.good)::bigint, sum(a.total)::bigint,
       count(*) FILTER (WHERE b.t IS NULL)
FROM counts a LEFT JOIN before b ON b.t = a.t
GROUP BY 1
"""


def _added(indicator_id, added):
    """Add the counts to the measurements (one statement); returns (minute number, good, total, new rows) of each
    minute they fall in."""
    instants = list(added)
    goods, totals = [added[t][0] for t in instants], [added[t][1] for t in instants]
    with connection.cursor() as cursor:
        cursor.execute(
            _ADD_COUNTED,
            [array_literal(instants), array_literal(goods), array_literal(totals), indicator_id, indicator_id],
        )
        return cursor.fetchall()


def _recounted(indicator_id, instants):
    """(the measurements removed at ``instants``, those counted anew there from the clocks), as (t, good, total)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_DELETE_COUNTED, [indicator_id, array_literal(instants)])
            old = cursor.fetchall()
            cursor.execute(_INSERT_COUNTED, [indicator_id, array_literal(instants), indicator_id])
            return old, cursor.fetchall()
    old = list(Measurement.objects.filter(indicator_id=indicator_id, t__in=instants).values_list("t", "good", "total"))
    new = list(
        TicketClock.objects.filter(indicator_id=indicator_id, counted_at__in=instants)
        .values("counted_at")
        .annotate(good_count=Count("pk", filter=Q(good=True)), total_count=Count("pk"))
        .values_list("counted_at", "good_count", "total_count")
        .order_by("counted_at")
    )
    Measurement.objects.filter(indicator_id=indicator_id, t__in=instants).delete()
    Measurement.objects.bulk_create(
        [Measurement(indicator_id=indicator_id, t=t, good=good, total=total) for t, good, total in new],
        batch_size=1000,
    )
    return old, new


def settle_due_clocks(now):
    """Rebuild the running clocks whose goal has run out by ``now`` and that are not counted yet."""
    due = (
        TicketClock.objects.filter(state=ClockState.RUNNING, due_at__lte=now, counted_at__isnull=True)
        .values_list("ticket_id", flat=True)
        .distinct()
    )
    return rebuild_clocks(list(due), now)


def open_ticket_ids(indicator_ids=None):
    """The tickets still open (not resolved, closed or cancelled) with a clock of these indicators (any when None),
    in id order."""
    tickets = Ticket.objects.exclude(category__in=ENDED)
    if indicator_ids is not None:
        tickets = tickets.filter(clocks__indicator_id__in=indicator_ids).distinct()
    return list(tickets.order_by("pk").values_list("pk", flat=True))


def rebuild_open_clocks(now, indicator_ids=None):
    """Rebuild the clocks of every ticket still open, breached ones included: after an edit of a calendar or of
    goals their due and breach instants may move. (The rebuild_ticket_clocks task shares this out in chunks.)"""
    return rebuild_clocks(open_ticket_ids(indicator_ids), now)


def rebuild_indicator(indicator, now):
    """Rebuild the clocks of every ticket of a ticket indicator's customer and service (a new indicator, or its
    goals or business hours changed): outcomes move to what the current settings give."""
    return rebuild_service_tickets(indicator.customer_id, indicator.service_id, now)


def rebuild_service_tickets(customer_id, service_id, now):
    """Rebuild the clocks of every ticket of a customer and service: after a ticket indicator of theirs was added,
    changed or deleted."""
    tickets = Ticket.objects.filter(customer_id=customer_id, service_id=service_id)
    return rebuild_clocks(list(tickets.values_list("pk", flat=True)), now, rerank=True)
