"""What one batch of ticket events reads and runs (``monitoring.intake.ticket_events``, ``monitoring.tickets.book``):
the desk's scope in one statement, the stored events and known tickets in one, the ticket indicators with their goals
and calendars once, for the validation and the clocks alike; a fixed number of statements whatever the batch's size.
And the quicker ways of writing a clock's row give what the plain ones gave. Office hours (Mon–Fri 09:00–18:00
Seoul)."""

import datetime as dt
import json
import zoneinfo
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Holiday
from monitoring.intake.ingest import BatchInvalid
from monitoring.intake.rollups import minute_counts
from monitoring.models import Measurement, Ticket, TicketClock, TicketEventRecord, TicketGoal, TicketRank
from monitoring.tickets import book
from monitoring.tickets.store import _iso, _percent
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

FRIDAY = kst(2026, 12, 4, 16, 30)
MONDAY = kst(2026, 12, 7, 9)
NOW = kst(2026, 12, 7, 12)
URL = "/api/v1/ticket-events"


@pytest.fixture
def cast():
    return TicketCast()


def tickets(cast, count, prefix="INC"):
    """``count`` tickets of four events each: created, answered, waiting for the customer, resolved."""
    events = []
    for number in range(count):
        name, opened = f"{prefix}-{number}", FRIDAY + dt.timedelta(minutes=number)
        events += [
            cast.event(name, "created", opened, priority="P2"),
            cast.event(name, "first_response", opened + dt.timedelta(minutes=10)),
            cast.event(name, "state_changed", opened + dt.timedelta(minutes=20), state="Waiting for customer"),
            cast.event(name, "resolved", MONDAY + dt.timedelta(minutes=30 + number)),
        ]
    return events


def statements(cast, events, client=None):
    with CaptureQueriesContext(connection) as captured:
        if client is None:
            cast.send(events, now=NOW)
        else:
            body = json.dumps({"events": events})
            headers = {"HTTP_AUTHORIZATION": f"Bearer {cast.token}"}
            assert client.post(URL, data=body, content_type="application/json", **headers).status_code == 201
    return [query["sql"] for query in captured.captured_queries]


def test_a_batch_runs_as_many_statements_for_forty_tickets_as_for_two(postgresql, cast):
    # (On SQLite, bulk_create writes the rows in as many statements as its limit on parameters needs.)
    few = statements(cast, tickets(cast, 2, "A"))
    many = statements(cast, tickets(cast, 40, "B"))

    assert len(many) == len(few)
    assert Ticket.objects.count() == 42
    assert TicketClock.objects.count() == 84


def test_a_batch_of_new_tickets_through_the_api_runs_a_fixed_set_of_statements(postgresql, cast, client, time_machine):
    time_machine.move_to(NOW, tick=False)
    statements(cast, tickets(cast, 2, "EARLIER"), client)  # the desk is marked used: not again within the minute

    run = statements(cast, tickets(cast, 25), client)

    # Besides its COPYs (tickets, events, clocks, ranks), which no statement capture sees: the token, the savepoint
    # of the batch's transaction (the test's own is outside), the desk's scope, the stored events and known tickets,
    # the ticket indicators, the tickets' ids, then per indicator its lock, its counts and its hour rollups (read and
    # written), and the savepoint's release.
    assert len(run) == 15, "\n".join(run)
    assert sum("monitoring_ticketgoal" in sql for sql in run) == 1
    assert sum("agreements_workingperiod" in sql for sql in run) == 1
    assert sum("monitoring_ticketeventrecord" in sql for sql in run) == 1


def test_the_indicators_are_read_once_for_the_checks_and_the_clocks(cast):
    run = statements(cast, tickets(cast, 3) + [cast.event("INC-0", "priority_changed", MONDAY, priority="P1")])

    assert sum("monitoring_ticketgoal" in sql for sql in run) == 1
    # The change came before the resolve (the resolution clock takes P1) and after the answer (that clock keeps P2).
    assert set(TicketClock.objects.filter(ticket__external_id="INC-0").values_list("indicator", "priority")) == {
        (cast.resolution.pk, "P1"),
        (cast.response.pk, "P2"),
    }


def test_a_known_tickets_batch_reads_the_indicators_once_too(cast):
    cast.send(tickets(cast, 2), now=NOW)
    later = [cast.event("INC-1", "priority_changed", MONDAY, priority="P3")]

    run = statements(cast, later)

    assert sum("monitoring_ticketgoal" in sql for sql in run) == 1
    assert set(TicketClock.objects.filter(ticket__external_id="INC-1").values_list("indicator", "priority")) == {
        (cast.resolution.pk, "P3"),
        (cast.response.pk, "P2"),
    }


def test_a_priority_no_indicator_of_the_service_knows_is_still_refused(cast):
    with pytest.raises(BatchInvalid) as refused:
        cast.send([cast.event("INC-1", "created", FRIDAY, priority="P9")], now=NOW)

    assert refused.value.errors == [{"index": 0, "field": "priority", "message": "'P9' has no goal for this service"}]


@pytest.mark.parametrize("field", ["id", "ticket"])
def test_an_id_or_ticket_of_null_is_refused_not_a_server_error(cast, client, time_machine, field):
    time_machine.move_to(NOW, tick=False)
    event = cast.event("INC-1", "created", FRIDAY)
    event[field] = None
    body = json.dumps({"events": [event]})

    response = client.post(URL, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {cast.token}")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"index": 0, "field": field, "message": "must be non-empty text"}]
    assert (Ticket.objects.count(), TicketEventRecord.objects.count()) == (0, 0)


def test_a_ticket_resolved_at_an_instant_counted_before_adds_to_its_count_not_a_row(cast):
    cast.ticket("INC-1", FRIDAY, MONDAY + dt.timedelta(hours=1), now=NOW)
    cast.ticket("INC-2", FRIDAY + dt.timedelta(minutes=5), MONDAY + dt.timedelta(hours=1), now=NOW)
    instant = MONDAY + dt.timedelta(hours=1)

    assert list(Measurement.objects.filter(indicator=cast.resolution).values_list("t", "good", "total")) == [
        (instant, 2, 2)
    ]
    assert minute_counts(cast.resolution.pk, instant, instant + dt.timedelta(minutes=1)) == {instant: (2, 2, 1)}


def test_the_copies_a_tickets_rows_keep_of_it_are_its_own(cast):
    # Events name their desk and ranks their customer and service, as their ticket does: the database holds the
    # ticket's, and these copies must equal them.
    cast.send(tickets(cast, 3), now=NOW)

    for ticket in Ticket.objects.all():
        assert set(TicketEventRecord.objects.filter(ticket=ticket).values_list("source_id", flat=True)) == {
            ticket.source_id
        }
        assert set(TicketRank.objects.filter(ticket=ticket).values_list("customer_id", "service_id")) == {
            (ticket.customer_id, ticket.service_id)
        }


def test_the_book_reads_the_same_on_postgresql_in_one_statement_as_through_the_orm(postgresql, cast, monkeypatch):
    Holiday.objects.create(calendar=cast.calendar, date=dt.date(2026, 12, 25), name="Christmas")
    TicketGoal.objects.create(
        indicator=cast.resolution, priority="P1", minutes=120, effective_from=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    cast.response.warning_points = [25, 80.5]
    cast.response.save()
    other = TicketCast()
    pairs = {(cast.customer.pk, cast.service.pk), (other.customer.pk, other.service.pk)}

    with CaptureQueriesContext(connection) as captured:
        fast = book.TicketIndicators(pairs)
    monkeypatch.setattr(book, "_read_postgresql", book._read_orm)
    orm = book.TicketIndicators(pairs)

    assert len(captured.captured_queries) == 1
    assert dict(fast.by_pair) == dict(orm.by_pair)
    assert fast.calendars == orm.calendars
    assert fast.points == orm.points
    assert {pk: versions.versions for pk, versions in fast.versions.items()} == {
        pk: versions.versions for pk, versions in orm.versions.items()
    }
    assert dt.date(2026, 12, 25) in fast.calendars[cast.resolution.pk].holidays
    assert fast.points[cast.response.pk] == (Fraction(25), Fraction("80.5"))
    assert fast.versions[cast.resolution.pk].at(kst(2026, 7, 1)) == {
        "P1": dt.timedelta(hours=2),
        "P2": dt.timedelta(hours=8),
        "P3": dt.timedelta(hours=27),
    }
    assert fast.priorities(cast.customer.pk, cast.service.pk) == {"P1", "P2", "P3"}
    assert fast.priorities(cast.customer.pk, other.service.pk) is None


@pytest.mark.parametrize(
    ("running", "goal"),
    [
        (dt.timedelta(0), dt.timedelta(hours=4)),
        (dt.timedelta(hours=4), dt.timedelta(hours=4)),
        (dt.timedelta(hours=1), dt.timedelta(hours=3)),
        (dt.timedelta(hours=2), dt.timedelta(hours=3)),
        (dt.timedelta(microseconds=29999), dt.timedelta(microseconds=30000)),
        (dt.timedelta(days=900), dt.timedelta(microseconds=7)),
    ],
)
def test_a_percentage_is_rounded_down_to_hundredths_as_dividing_decimals_did(running, goal):
    fraction = Fraction(running // dt.timedelta(microseconds=1) * 100, goal // dt.timedelta(microseconds=1))
    divided = (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(Decimal("0.01"), ROUND_FLOOR)
    clock = SimpleNamespace(running_time=running, goal=goal)

    assert _percent(clock) == min(divided, Decimal("9999999.99"))
    assert str(_percent(clock)) == str(min(divided, Decimal("9999999.99")))


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2026, 12, 4, 7, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 4, 7, 30, 0, 120, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 4, 16, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Seoul")),
    ],
)
def test_an_instant_in_a_clocks_json_is_written_as_isoformat_writes_it(instant):
    assert _iso(instant) == instant.isoformat()
