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


def stored_standings(ticket_ids):
    """{ticket id: {(metric, worst, open_breach, breach_at, warning_at, due_at, percent)}} of the stored ranks of
    ``ticket_ids``: one query (one array parameter on PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ticket_id, {', '.join(CHANGING)} FROM monitoring_ticketrank WHERE ticket_id = ANY(%s)",  # noqa: S608 - names are constants
                [list(ticket_ids)],
            )
            found = cursor.fetchall()
    else:
        found = TicketRank.objects.filter(ticket_id__in=ticket_ids).order_by().values_list("ticket_id", *CHANGING)
    stored = defaultdict(set)
    for ticket_id, *standing in found:
        stored[ticket_id].add(tuple(standing))
    return stored


def write_ranks(ticket_ids, rows, new_ids=()):
    """Make the ranks of ``ticket_ids`` (and of ``new_ids``, tickets that have none yet) ``rows``: only those of the
    tickets whose ranks changed are replaced (a DELETE and a COPY on PostgreSQL, bulk_create elsewhere). Rebuilding
    open tickets at a later hour moves the clocks' figures but seldom a ticket's place: a breached ticket's rank stays
    as it was, and so does a paused one's."""
    ticket_ids = list(ticket_ids)
    if ticket_ids:
        stored = stored_standings(ticket_ids)
        wanted = defaultdict(set)
        for row in rows:
            wanted[row[0]].add(tuple(row[4:]))
        changed = {
            ticket_id for ticket_id in ticket_ids if stored.get(ticket_id, set()) != wanted.get(ticket_id, set())
        }
        ticket_ids = sorted(changed)
        changed.update(new_ids)
        rows = [row for row in rows if row[0] in changed]
    if ticket_ids:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM monitoring_ticketrank WHERE ticket_id = ANY(%s)", [ticket_ids])
        else:
            TicketRank.objects.filter(ticket_id__in=ticket_ids)._raw_delete(TicketRank.objects.db)
    if not rows:
        return
    if connection.vendor == "postgresql":
        statement = f"COPY monitoring_ticketrank ({', '.join(COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    TicketRank.objects.bulk_create([TicketRank(**dict(zip(COLUMNS, row, strict=True))) for row in rows], 500)
