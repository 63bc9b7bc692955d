"""Ticket events in, clocks and the ticket indicator's measurements out: each clock counts once, good at its stop
within the goal, bad at the instant it breaches; outcomes that move are recounted; evaluation reads them as any
occurrences target (docs/compliance.md, "Ticket clocks" and "Ticket targets")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.evaluation import evaluate_targets
from monitoring.intake.rollups import minute_counts
from monitoring.models import ComplianceSnapshot, Measurement, Ticket, TicketClock
from monitoring.tickets.store import settle_due_clocks
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

FRIDAY = kst(2026, 12, 4, 16, 30)  # the worked example: P1, 4 business hours, office hours Mon-Fri 09-18 Seoul
MONDAY = kst(2026, 12, 7)


def measurements(indicator):
    return list(Measurement.objects.filter(indicator=indicator).order_by("t").values_list("t", "good", "total"))


def clock(cast, name, indicator=None):
    return TicketClock.objects.get(ticket__external_id=name, indicator=indicator or cast.resolution)


@pytest.fixture
def cast():
    return TicketCast()


def test_the_worked_example_is_due_monday_at_11_30_and_met_when_resolved_then(cast):
    cast.ticket("INC-1", FRIDAY, resolved=MONDAY.replace(hour=11, minute=30))
    row = clock(cast, "INC-1")
    assert row.state == "met"
    assert row.running_time == dt.timedelta(hours=4)
    assert row.due_at == MONDAY.replace(hour=11, minute=30)
    assert (row.counted_at, row.good) == (MONDAY.replace(hour=11, minute=30), True)
    assert measurements(cast.resolution) == [(MONDAY.replace(hour=11, minute=30), 1, 1)]


def test_resolved_a_minute_late_counts_bad_at_the_instant_it_breached(cast):
    cast.ticket("INC-1", FRIDAY, resolved=MONDAY.replace(hour=11, minute=31))
    row = clock(cast, "INC-1")
    assert row.state == "breached"
    assert row.breached_at == MONDAY.replace(hour=11, minute=30)
    assert measurements(cast.resolution) == [(MONDAY.replace(hour=11, minute=30), 0, 1)]


def test_two_tickets_closing_in_the_same_second_both_count_in_the_measurement_and_the_rollup(cast):
    solved = MONDAY.replace(hour=10)
    cast.send(
        [
            cast.event("INC-1", "created", FRIDAY),
            cast.event("INC-2", "created", FRIDAY),
            cast.event("INC-1", "resolved", solved),
            cast.event("INC-2", "resolved", solved),
        ],
        now=solved + dt.timedelta(minutes=1),
    )
    assert measurements(cast.resolution) == [(solved, 2, 2)]
    assert minute_counts(cast.resolution.pk, solved, solved + dt.timedelta(minutes=1)) == {solved: (2, 2, 1)}


def test_a_reopen_moves_the_outcome_and_the_rollups_follow(cast):
    cast.ticket("INC-1", FRIDAY, resolved=MONDAY.replace(hour=10))
    assert measurements(cast.resolution) == [(MONDAY.replace(hour=10), 1, 1)]
    cast.send(
        [
            cast.event("INC-1", "reopened", MONDAY.replace(hour=10, minute=30)),
            cast.event("INC-1", "resolved", MONDAY.replace(hour=12)),
        ],
        now=MONDAY.replace(hour=12, minute=1),
    )
    row = clock(cast, "INC-1")
    # 1.5 h Friday + 1 h Monday, stopped 10:00-10:30, then 1.5 h more: exactly 4 h at 12:00, met.
    assert (row.state, row.running_time, row.counted_at) == ("met", dt.timedelta(hours=4), MONDAY.replace(hour=12))
    assert measurements(cast.resolution) == [(MONDAY.replace(hour=12), 1, 1)]
    window = minute_counts(cast.resolution.pk, MONDAY.replace(hour=9), MONDAY.replace(hour=13))
    assert window == {MONDAY.replace(hour=12): (1, 1, 1)}


def test_events_arriving_late_and_out_of_order_change_the_answer(cast):
    cast.ticket("INC-1", FRIDAY, resolved=MONDAY.replace(hour=12))
    assert clock(cast, "INC-1").good is False
    # The desk sends, afterwards, that the ticket waited for the customer from 09:00 to 10:00 on Monday.
    cast.send(
        [
            cast.event("INC-1", "state_changed", MONDAY.replace(hour=10), state="In progress"),
            cast.event("INC-1", "state_changed", MONDAY.replace(hour=9), state="Waiting for customer"),
        ],
        now=MONDAY.replace(hour=13),
    )
    row = clock(cast, "INC-1")
    assert (row.state, row.running_time) == ("met", dt.timedelta(hours=3, minutes=30))
    assert measurements(cast.resolution) == [(MONDAY.replace(hour=12), 1, 1)]


def test_a_ticket_left_open_is_counted_bad_when_its_goal_runs_out_without_another_event(cast):
    cast.ticket("INC-1", FRIDAY, now=FRIDAY + dt.timedelta(minutes=5))
    row = clock(cast, "INC-1")
    assert (row.state, row.due_at, row.counted_at) == ("running", MONDAY.replace(hour=11, minute=30), None)
    assert settle_due_clocks(FRIDAY + dt.timedelta(minutes=29)) == 0  # nothing due yet
    settle_due_clocks(MONDAY.replace(hour=11))  # the first response (30 min) ran out on Friday at 17:00
    response = clock(cast, "INC-1", cast.response)
    assert (response.state, response.counted_at, response.good) == (
        "breached",
        FRIDAY.replace(hour=17, minute=0),
        False,
    )
    assert clock(cast, "INC-1").counted_at is None
    settle_due_clocks(MONDAY.replace(hour=11, minute=45))
    row = clock(cast, "INC-1")
    assert (row.state, row.counted_at, row.good) == ("breached", MONDAY.replace(hour=11, minute=30), False)
    assert measurements(cast.resolution) == [(MONDAY.replace(hour=11, minute=30), 0, 1)]


def test_a_cancelled_ticket_counts_nothing_and_takes_back_what_it_had_counted(cast):
    cast.ticket("INC-1", FRIDAY, resolved=MONDAY.replace(hour=10))
    cast.send([cast.event("INC-1", "cancelled", MONDAY.replace(hour=11))], now=MONDAY.replace(hour=11, minute=1))
    assert clock(cast, "INC-1").state == "cancelled"
    assert measurements(cast.resolution) == []
    assert minute_counts(cast.resolution.pk, MONDAY, MONDAY + dt.timedelta(days=1)) == {}


def test_first_response_and_resolution_are_two_clocks_of_one_ticket(cast):
    cast.send(
        [
            cast.event("INC-1", "created", FRIDAY),
            cast.event("INC-1", "first_response", FRIDAY + dt.timedelta(minutes=20)),
        ],
        now=FRIDAY + dt.timedelta(minutes=21),
    )
    response = clock(cast, "INC-1", cast.response)
    assert (response.state, response.running_time, response.good) == ("met", dt.timedelta(minutes=20), True)
    assert clock(cast, "INC-1").state == "running"


def test_the_ticket_keeps_its_latest_priority_state_and_category(cast):
    cast.send(
        [
            cast.event("INC-1", "created", FRIDAY, title="Orders stuck"),
            cast.event("INC-1", "priority_changed", FRIDAY + dt.timedelta(minutes=5), priority="P2"),
            cast.event("INC-1", "state_changed", FRIDAY + dt.timedelta(minutes=9), state="Waiting for customer"),
        ],
        now=FRIDAY + dt.timedelta(minutes=10),
    )
    ticket = Ticket.objects.get(external_id="INC-1")
    assert (ticket.title, ticket.priority, ticket.state, ticket.category) == (
        "Orders stuck",
        "P2",
        "Waiting for customer",
        "waiting_customer",
    )
    row = clock(cast, "INC-1")
    assert (row.state, row.priority, row.goal) == ("paused", "P2", dt.timedelta(hours=8))


def test_a_goal_edit_applies_to_clocks_started_afterwards(cast):
    from monitoring.models import TicketGoal

    cast.ticket("INC-OLD", FRIDAY, now=FRIDAY + dt.timedelta(minutes=1))
    TicketGoal.objects.create(
        indicator=cast.resolution, priority="P1", minutes=120, effective_from=FRIDAY + dt.timedelta(minutes=5)
    )
    cast.ticket("INC-NEW", FRIDAY + dt.timedelta(minutes=10), now=FRIDAY + dt.timedelta(minutes=11))
    cast.send([cast.event("INC-OLD", "first_response", FRIDAY + dt.timedelta(minutes=20))], now=FRIDAY.replace(hour=17))
    assert clock(cast, "INC-OLD").goal == dt.timedelta(hours=4)  # started before the edit, rebuilt after it
    assert clock(cast, "INC-NEW").goal == dt.timedelta(hours=2)


def _month_of_tickets(cast, late):
    """40 P1 tickets on Monday 2 November 2026, each created 5 minutes after the last from 09:00; ``late`` of them
    resolved after 5 business hours (breached at 4 h), the others after 1 hour."""
    events = []
    for number in range(40):
        created = kst(2026, 11, 2, 9) + dt.timedelta(minutes=5 * number)
        took = dt.timedelta(hours=5 if number < late else 1)
        events += [
            cast.event(f"INC-{number}", "created", created),
            cast.event(f"INC-{number}", "resolved", created + took),
        ]
    cast.send(events, now=kst(2026, 11, 3))


@pytest.mark.parametrize(
    ("late", "status", "attainment"), [(2, "met", Decimal("0.95")), (3, "breached", Decimal("0.925"))]
)
def test_forty_tickets_two_late_meet_95_percent_exactly_three_late_breach_it(cast, late, status, attainment):
    target = cast.target(objective="95")
    _month_of_tickets(cast, late)
    evaluate_targets([target.pk], kst(2026, 12, 2))
    snapshot = ComplianceSnapshot.objects.get(target=target, period_start=kst(2026, 11, 1))
    assert (snapshot.good, snapshot.total) == (40 - late, 40)
    assert snapshot.attainment == attainment
    assert snapshot.status == status
    assert snapshot.budget_unit == "events"
    assert snapshot.budget_total == Decimal("2.000")  # 5 % of 40 tickets


def test_under_the_minimum_number_of_tickets_a_period_is_reported_but_not_breached(cast):
    target = cast.target(objective="95", minimum_events=50)
    _month_of_tickets(cast, 3)
    evaluate_targets([target.pk], kst(2026, 12, 2))
    snapshot = ComplianceSnapshot.objects.get(target=target, period_start=kst(2026, 11, 1))
    assert (snapshot.good, snapshot.total, snapshot.attainment) == (37, 40, Decimal("0.925"))
    assert snapshot.status == "met"
    assert snapshot.credit_percent == 0


def test_a_ticket_target_earns_its_credit_and_records_its_breach_like_any_target(cast):
    from monitoring.models import Breach
    from tests.factories import CreditTierFactory

    target = cast.target(objective="95")
    CreditTierFactory(target=target, below_attainment=Decimal("95"), credit_percent=Decimal("10"))
    _month_of_tickets(cast, 3)
    evaluate_targets([target.pk], kst(2026, 12, 2))
    snapshot = ComplianceSnapshot.objects.get(target=target, period_start=kst(2026, 11, 1))
    assert (snapshot.credit_percent, snapshot.credit_amount) == (Decimal("10"), Decimal("100000"))  # of 1,000,000
    breach = Breach.objects.get(target=target)
    assert (breach.period_label, breach.kind, breach.attainment) == ("2026-11", "period_missed", Decimal("0.925"))


@pytest.mark.parametrize("tickets", [2, 20])
def test_a_resent_batch_is_checked_in_as_many_queries_however_many_events_it_holds(cast, tickets):
    # Each stored event is compared with its ticket's id: read with the events, not one query per event.
    events = [cast.event(f"INC-{number}", "created", FRIDAY) for number in range(tickets)]
    cast.send(events, now=FRIDAY + dt.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        result = cast.send(events, now=FRIDAY + dt.timedelta(minutes=2))
    assert (result.received, result.stored) == (tickets, 0)
    assert len(queries) <= 10
