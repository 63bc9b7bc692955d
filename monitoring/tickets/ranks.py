"""Where each ticket stands in the ticket list, kept beside its clocks (``TicketRank``).

The list is worst first: tickets with a breached clock (those still running first, then the latest breach first),
then those at risk, then those in flight, then the rest, newest first; at risk and in flight, the running clock due
soonest first, then paused ones by the share of their goal used. Ranking 100,000 tickets by grouping their clocks at
every page view is too slow, so each time a ticket's clocks are written, its standing is written too: once over every
clock of the ticket, and once per metric over the clocks of that metric (the list filtered to one clock). Only "at
risk" depends on the hour; the list reads it from ``warning_at`` as it is drawn (``readout.ticket_list.ranked``).
"""

from collections import defaultdict
from typing import NamedTuple

from django.db import connection

from monitoring.choices import ClockStatus
from monitoring.models import TicketRank
from monitoring.tickets.arrays import array_literal

BREACHED, RUNNING = ClockStatus.BREACHED.value, ClockStatus.RUNNING.value
IN_FLIGHT = (RUNNING, ClockStatus.PAUSED.value)
COLUMNS = [
    "ticket_id",
    "customer_id",
    "service_id",
    "created_at",
    "metric",
    "worst",
    "open_breach",
    "breach_at",
    "warning_at",
    "due_at",
    "percent",
]


class Standing(NamedTuple):
    """What of a clock the list ranks by."""

    metric: str
    state: str
    stopped_at: object
    due_at: object
    breached_at: object
    warning_at: object
    percent: object


def standing_of(clocks):
    """(worst, open_breach, breach_at, warning_at, due_at, percent) over ``clocks`` (Standings), in one pass."""
    breached = open_breach = in_flight = False
    breach_at = warning_at = due_at = percent = None
    for clock in clocks:
        state = clock.state
        if state == BREACHED:
            breached = True
            open_breach = open_breach or clock.stopped_at is None
            if clock.breached_at is not None and (breach_at is None or clock.breached_at > breach_at):
                breach_at = clock.breached_at
        elif state in IN_FLIGHT:
            in_flight = True
            if clock.warning_at is not None and (warning_at is None or clock.warning_at < warning_at):
                warning_at = clock.warning_at
            if state == RUNNING and clock.due_at is not None and (due_at is None or clock.due_at < due_at):
                due_at = clock.due_at
            if percent is None or clock.percent > percent:
                percent = clock.percent
    if breached:
        worst = TicketRank.WORST_BREACHED
    else:
        worst = TicketRank.WORST_IN_FLIGHT if in_flight else TicketRank.WORST_NEITHER
    return worst, open_breach, breach_at, warning_at, due_at, percent


def standing_key(state, stopped_at, due_at, breached_at, warning_at, percent):
    """What of a clock ``standing_of`` reads, by its state: a ticket whose clocks all keep their keys keeps its ranks.
    A breached clock's share of its goal goes on growing, and a running clock's due instant stays while it runs."""
    if state == BREACHED:
        return state, stopped_at is None, breached_at
    if state in IN_FLIGHT:
        return state, warning_at, due_at if state == RUNNING else None, percent
    return (state,)


def rank_rows(ticket, clocks):
    """The TicketRank rows of a ticket, in the order of ``COLUMNS``: one over every clock (a ticket without clocks
    has that one too, neither in flight nor breached), one per metric it has clocks of. ``ticket`` is (id,
    customer id, service id, created at)."""
    by_metric = defaultdict(list)
    for clock in clocks:
        by_metric[clock.metric].append(clock)
    rows = [(*ticket, "", *standing_of(clocks))]
    rows += [(*ticket, metric, *standing_of(chosen)) for metric, chosen in sorted(by_metric.items())]
    return rows


# What of a rank row can change (its ticket's customer, service and arrival never do), after its ticket's id.
CHANGING = COLUMNS[4:]

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS slm_staging_rank (
    ticket_id bigint, customer_id bigint, service_id bigint, created_at timestamptz, metric varchar(20),
    worst smallint, open_breach boolean, breach_at timestamptz, warning_at timestamptz, due_at timestamptz,
    percent numeric(9, 2)
) ON COMMIT DELETE ROWS
"""
_STANDS = CHANGING[1:]  # what a rank row holds of its ticket's standing, after its metric
# The stored ranks of the tickets rebuilt made equal to the staged ones, in one statement: a row whose standing
# changed is updated in place (none of its indexed columns changes, so PostgreSQL can keep the new version beside
# the old without touching an index), a new one inserted, one no longer staged deleted. Every part reads the table
# as it was before the statement, and they touch different rows.
_SYNC = f"""
WITH stored AS (
    SELECT id, ticket_id, metric FROM monitoring_ticketrank WHERE ticket_id = ANY(%(ids)s::bigint[])
), updated AS (
    UPDATE monitoring_ticketrank r SET {", ".join(f"{name} = s.{name}" for name in _STANDS)}
    FROM slm_staging_rank s
    WHERE r.ticket_id = ANY(%(ids)s::bigint[]) AND r.ticket_id = s.ticket_id AND r.metric = s.metric
      AND ({", ".join(f"r.{name}" for name in _STANDS)}) IS DISTINCT FROM ({", ".join(f"s.{name}" for name in _STANDS)})
    RETURNING r.id
), inserted AS (
    INSERT INTO monitoring_ticketrank ({", ".join(COLUMNS)})
    SELECT {", ".join(f"s.{name}" for name in COLUMNS)} FROM slm_staging_rank s
    WHERE NOT EXISTS (SELECT 1 FROM stored g WHERE g.ticket_id = s.ticket_id AND g.metric = s.metric)
    ORDER BY s.ticket_id, s.metric
    RETURNING id
), deleted AS (
    DELETE FROM monitoring_ticketrank r USING stored g
    WHERE r.id = g.id
      AND NOT EXISTS (SELECT 1 FROM slm_staging_rank s WHERE s.ticket_id = g.ticket_id AND s.metric = g.metric)
    RETURNING r.id
)
SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted), (SELECT count(*) FROM deleted)
"""  # noqa: S608 - names are constants
# The types of ``COLUMNS``, for a binary COPY.
COLUMN_TYPES = ["int8", "int8", "int8", "timestamptz", "text", "int2", "bool"]
COLUMN_TYPES += ["timestamptz", "timestamptz", "timestamptz", "numeric"]


def write_ranks(ticket_ids, rows, new_ids=()):
    """Make the ranks of ``ticket_ids`` (and of ``new_ids``, tickets that have none yet) ``rows``, replacing only
    those of the tickets whose ranks changed. Rebuilding open tickets at a later hour moves the clocks' figures but
    seldom a ticket's place: a breached ticket's rank stays as it was, and so does a paused one's. On PostgreSQL the
    rows are copied to a temporary table and the stored ones made equal to them there, row by row (reading the
    stored ranks back into Python cost more than rewriting them); elsewhere they are compared here."""
    ticket_ids = list(ticket_ids)
    if connection.vendor == "postgresql":
        _write_ranks_postgresql(ticket_ids, rows, list(new_ids))
        return
    if ticket_ids:
        stored = defaultdict(set)
        found = TicketRank.objects.filter(ticket_id__in=ticket_ids).order_by().values_list("ticket_id", *CHANGING)
        for ticket_id, *standing in found:
            stored[ticket_id].add(tuple(standing))
        wanted = defaultdict(set)
        for row in rows:
            wanted[row[0]].add(tuple(row[4:]))
        changed = {
            ticket_id for ticket_id in ticket_ids if stored.get(ticket_id, set()) != wanted.get(ticket_id, set())
        }
        TicketRank.objects.filter(ticket_id__in=changed)._raw_delete(TicketRank.objects.db)
        changed.update(new_ids)
        rows = [row for row in rows if row[0] in changed]
    TicketRank.objects.bulk_create([TicketRank(**dict(zip(COLUMNS, row, strict=True))) for row in rows], 500)


def _write_ranks_postgresql(ticket_ids, rows, new_ids):
    with connection.cursor() as cursor:
        if not ticket_ids:  # new tickets only: nothing to compare with
            if rows:
                _copy(cursor, "monitoring_ticketrank", rows)
            return
        cursor.execute(_STAGING)
        cursor.execute("TRUNCATE slm_staging_rank")
        _copy(cursor, "slm_staging_rank", rows)
        cursor.execute(_SYNC, {"ids": array_literal(ticket_ids)})


def _copy(cursor, table, rows):
    with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(COLUMN_TYPES)
        for row in rows:
            copy.write_row(row)
