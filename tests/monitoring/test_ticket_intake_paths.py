"""The intake's two ways to a clock (``monitoring.intake.ticket_events``): a ticket created in the batch is written
where its log in the batch leaves it and its clocks are built from the batch, with nothing read back; a ticket known
before has its log read and its clocks rebuilt. Both must give the same rows, and the measurements must count every
clock at its instant whichever way it came. Known answers on office hours (Mon–Fri 09:00–18:00 Seoul)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from monitoring.intake.ingest import BatchInvalid
from monitoring.intake.rollups import minute_counts
from monitoring.intake.ticket_events import known_tickets, stored_events
from monitoring.models import Measurement, Ticket, TicketClock
from monitoring.tickets.arrays import array_literal
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

FRIDAY = kst(2026, 12, 4, 16, 30)
MONDAY = kst(2026, 12, 7, 9)
NOW = kst(2026, 12, 7, 12)


@pytest.fixture
def cast():
    return TicketCast()


def story(cast, name):
    """Created P2 on Friday 16:30, answered at 16:50, waiting for the customer from 17:30 to Monday 09:30, made P1
    at 10:00, resolved at 11:00: listed out of order."""
    return [
        cast.event(name, "resolved", MONDAY + dt.timedelta(hours=2)),
        cast.event(name, "state_changed", MONDAY + dt.timedelta(minutes=30), state="In progress"),
        cast.event(name, "created", FRIDAY, priority="P2", title="Transfers fail", state="New"),
        cast.event(name, "priority_changed", MONDAY + dt.timedelta(hours=1), priority="P1"),
        cast.event(name, "first_response", FRIDAY + dt.timedelta(minutes=20)),
        cast.event(name, "state_changed", FRIDAY + dt.timedelta(hours=1), state="Waiting for customer"),
    ]


def ticket_row(name):
    ticket = Ticket.objects.get(external_id=name)
    return (ticket.title, ticket.priority, ticket.state, ticket.category, ticket.created_at, ticket.updated_at)


def clock_rows(name):
    return list(
        TicketClock.objects.filter(ticket__external_id=name)
        .order_by("indicator__ticket_metric")
        .values_list(
            "indicator__ticket_metric",
            "state",
            "priority",
            "goal",
            "running_time",
            "wall_time",
            "due_at",
            "breached_at",
            "warning_at",
            "percent_elapsed",
            "pauses",
            "counted_at",
            "good",
        )
    )


def test_a_ticket_created_in_its_batch_is_written_where_its_log_leaves_it(cast):
    result = cast.send(story(cast, "INC-1"), now=NOW)

    assert (result.stored, result.tickets_created, result.clocks) == (6, 1, 2)
    # The last state-setting event is the resolve; the priority is the change's; the last event is at 11:00.
    assert ticket_row("INC-1") == ("Transfers fail", "P1", "", "resolved", FRIDAY, MONDAY + dt.timedelta(hours=2))
    # First response: stopped at 16:50 while the ticket was P2 (1 h): 20 minutes, no warning reached, no due time
    # after a stop short of the goal. Resolution: P1 when it stopped (4 h); Friday 16:30-17:30 and Monday
    # 09:30-11:00 running, 2 h 30; half the goal reached at 10:30.
    assert clock_rows("INC-1") == [
        (
            "first_response",
            "met",
            "P2",
            dt.timedelta(hours=1),
            dt.timedelta(minutes=20),
            dt.timedelta(minutes=20),
            None,
            None,
            None,
            Decimal("33.33"),
            [],
            FRIDAY + dt.timedelta(minutes=20),
            True,
        ),
        (
            "resolution",
            "met",
            "P1",
            dt.timedelta(hours=4),
            dt.timedelta(hours=2, minutes=30),
            MONDAY + dt.timedelta(hours=2) - FRIDAY,
            None,
            None,
            MONDAY + dt.timedelta(hours=1, minutes=30),
            Decimal("62.50"),
            [
                {
                    "start": (FRIDAY + dt.timedelta(hours=1)).astimezone(dt.UTC).isoformat(),
                    "end": (MONDAY + dt.timedelta(minutes=30)).astimezone(dt.UTC).isoformat(),
                    "category": "waiting_customer",
                }
            ],
            MONDAY + dt.timedelta(hours=2),
            True,
        ),
    ]


def test_the_batch_way_and_the_read_back_way_give_the_same_ticket_and_clocks(cast):
    cast.send(story(cast, "IN-ONE-BATCH"), now=NOW)
    events = story(cast, "ONE-BY-ONE")
    creation = events.pop(2)
    cast.send([creation], now=NOW)  # the other events find the ticket known: their clocks are rebuilt from its log
    for event in events:
        cast.send([event], now=NOW)

    assert ticket_row("IN-ONE-BATCH") == ticket_row("ONE-BY-ONE")
    assert clock_rows("IN-ONE-BATCH") == clock_rows("ONE-BY-ONE")


def test_a_batch_of_a_new_and_a_known_ticket_counts_both_at_their_shared_instant(cast):
    solved = MONDAY + dt.timedelta(hours=1)
    cast.send([cast.event("OLD", "created", FRIDAY, priority="P3")], now=NOW)  # 3 business days: still running
    assert Measurement.objects.filter(indicator=cast.resolution).count() == 0

    result = cast.send(
        [
            cast.event("OLD", "resolved", solved),
            cast.event("NEW", "created", FRIDAY + dt.timedelta(minutes=10)),
            cast.event("NEW", "resolved", solved),
        ],
        now=NOW,
    )

    assert (result.stored, result.tickets_created, result.clocks) == (3, 1, 4)
    rows = Measurement.objects.filter(indicator=cast.resolution).values_list("t", "good", "total")
    assert list(rows) == [(solved, 2, 2)]
    # A third ticket resolved at the same instant in a later batch: the instant counts three.
    cast.send(
        [cast.event("LATER", "created", FRIDAY), cast.event("LATER", "resolved", solved)],
        now=NOW,
    )
    assert list(rows.all()) == [(solved, 3, 3)]
    # The hour rollup holds the same minute: three clocks in one measurement row.
    assert minute_counts(cast.resolution.pk, solved, solved + dt.timedelta(minutes=1)) == {solved: (3, 3, 1)}


def test_a_new_tickets_clocks_count_beside_a_known_tickets_moved_outcome(cast):
    first, second = MONDAY + dt.timedelta(hours=1), MONDAY + dt.timedelta(hours=2)
    cast.send(
        [cast.event("OLD", "created", FRIDAY), cast.event("OLD", "resolved", first)],
        now=NOW,
    )
    # OLD reopens and is resolved again at the second instant, where NEW is resolved too; nothing stays at the first.
    cast.send(
        [
            cast.event("OLD", "reopened", first + dt.timedelta(minutes=10)),
            cast.event("OLD", "resolved", second),
            cast.event("NEW", "created", FRIDAY),
            cast.event("NEW", "resolved", second),
        ],
        now=NOW,
    )

    rows = Measurement.objects.filter(indicator=cast.resolution).values_list("t", "good", "total")
    assert list(rows) == [(second, 2, 2)]
    assert minute_counts(cast.resolution.pk, first, second + dt.timedelta(minutes=1)) == {second: (2, 2, 1)}


def test_the_lookups_of_stored_events_and_known_tickets_find_exactly_the_named_ones(cast):
    cast.send(story(cast, "INC-1"), now=NOW)
    created = Ticket.objects.get(external_id="INC-1")

    found = stored_events(cast.source, ["evt-3", "evt-1", "no-such-event", "evt-3"])
    assert set(found) == {"evt-1", "evt-3"}
    assert found["evt-3"] == ("INC-1", "created", FRIDAY, "P2", "New")
    assert found["evt-1"] == ("INC-1", "resolved", MONDAY + dt.timedelta(hours=2), "", "")
    assert {name: ticket.pk for name, ticket in known_tickets(cast.source, {"INC-1", "INC-2"}).items()} == {
        "INC-1": created.pk
    }
    assert known_tickets(cast.source, {"INC-2"}) == {}
    other = TicketCast()
    assert stored_events(other.source, ["evt-1"]) == {}
    assert known_tickets(other.source, {"INC-1"}) == {}


def test_a_refused_batch_of_new_tickets_stores_no_ticket_event_or_clock(cast):
    events = story(cast, "INC-1") + [cast.event("INC-2", "created", FRIDAY, priority="P9")]

    with pytest.raises(BatchInvalid):
        cast.send(events, now=NOW)

    assert (Ticket.objects.count(), TicketClock.objects.count(), Measurement.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(
    ("kind", "shown"),
    [(["created"], "['created']"), ({"a": 1}, "{'a': 1}"), (7, "7"), ("Created", "'Created'")],
    ids=["a list", "an object", "a number", "another spelling"],
)
def test_a_type_that_is_no_kind_is_refused_with_what_was_sent(cast, kind, shown):
    event = cast.event("INC-1", "created", FRIDAY)
    event["type"] = kind

    with pytest.raises(BatchInvalid) as refused:
        cast.send([event], now=NOW)

    kinds = "created, first_response, state_changed, priority_changed, resolved, reopened, closed, cancelled"
    assert refused.value.errors == [{"index": 0, "field": "type", "message": f"{shown} is not one of {kinds}"}]


@pytest.mark.parametrize(
    ("values", "cast"),
    [
        (["evt-1", 'a "quoted" id', "back\\slash", "comma, brace {}", "Sö 😀", "", " spaced ", "NULL"], "text"),
        ([1, 0, -5, 2**62], "bigint"),
        ([dt.datetime(2026, 12, 4, 7, 30, 0, 123456, tzinfo=dt.UTC), FRIDAY, MONDAY], "timestamptz"),
    ],
    ids=["texts", "numbers", "instants"],
)
def test_an_array_literal_reads_back_as_its_values(postgresql, values, cast):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unnest(%s::{cast}[])", [array_literal(values)])  # noqa: S608 - a type name
        assert [row[0] for row in cursor.fetchall()] == values


def test_an_array_literal_takes_no_value_it_would_misread():
    for value in (None, True):
        with pytest.raises(TypeError):
            array_literal([value])
    assert array_literal([]) == "{}"
