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

IN_FLIGHT = (ClockStatus.RUNNING.value, ClockStatus.PAUSED.value)
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
    """(worst, open_breach, breach_at, warning_at, due_at, percent) over ``clocks`` (Standings)."""
    breached = [clock for clock in clocks if clock.state == ClockStatus.BREACHED]
    in_flight = [clock for clock in clocks if clock.state in IN_FLIGHT]
    running = [clock for clock in in_flight if clock.state == ClockStatus.RUNNING]
    if breached:
        worst = TicketRank.WORST_BREACHED
    elif in_flight:
        worst = TicketRank.WORST_IN_FLIGHT
    else:
        worst = TicketRank.WORST_NEITHER
    warnings = [clock.warning_at for clock in in_flight if clock.warning_at is not None]
    dues = [clock.due_at for clock in running if clock.due_at is not None]
    breaches = [clock.breached_at for clock in breached if clock.breached_at is not None]
    return (
        worst,
        any(clock.stopped_at is None for clock in breached),
        max(breaches, default=None),
        min(warnings, default=None),
        min(dues, default=None),
        max((clock.percent for clock in in_flight), default=None),
    )


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


def write_ranks(ticket_ids, rows):
    """Replace the ranks of ``ticket_ids`` by ``rows``: a DELETE and a COPY on PostgreSQL, bulk_create elsewhere."""
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
