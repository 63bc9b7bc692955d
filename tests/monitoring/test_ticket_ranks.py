"""Each ticket's place in the ticket list is stored with its clocks (``TicketRank``): worked standings, at risk read
against the hour without a rebuild, a deleted ticket indicator leaving the ranking, and the migration that ranks the
tickets an installation already holds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from monitoring.choices import ClockStatus
from monitoring.models import Ticket, TicketRank
from monitoring.tasks import rebuild_service_ticket_clocks
from monitoring.tickets.ranks import COLUMNS, Standing, rank_rows, standing_key, standing_of
from tests.monitoring.evaluation_helpers import kst
from tests.monitoring.test_ticket_pages import acme, frozen, globex, listed  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 12, 7, 5, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def clock(metric, state, *, stopped=None, due=None, breached=None, warning=None, percent="0"):
    return Standing(metric, state, stopped, due, breached, warning, Decimal(percent))


def test_a_breached_clock_ranks_its_ticket_first_and_says_whether_it_still_runs():
    clocks = [
        clock("resolution", "breached", breached=T, percent="120"),
        clock("first_response", "breached", stopped=T + HOUR, breached=T - HOUR, percent="300"),
    ]
    assert standing_of(clocks) == (TicketRank.WORST_BREACHED, True, T, None, None, None)
    # Both stopped: no open breach; the latest breach counts.
    clocks[0] = clock("resolution", "breached", stopped=T + 2 * HOUR, breached=T, percent="120")
    assert standing_of(clocks) == (TicketRank.WORST_BREACHED, False, T, None, None, None)


def test_in_flight_the_soonest_due_running_clock_and_the_largest_share_used():
    clocks = [
        clock("resolution", "running", due=T + 3 * HOUR, warning=T + HOUR, percent="40.50"),
        clock("first_response", "paused", warning=T - HOUR, percent="75.00"),
        clock("first_response", "met", stopped=T - 2 * HOUR, percent="20"),
    ]
    assert standing_of(clocks) == (TicketRank.WORST_IN_FLIGHT, False, None, T - HOUR, T + 3 * HOUR, Decimal("75.00"))
    assert standing_of([clock("resolution", "met", stopped=T)]) == (TicketRank.WORST_NEITHER, False) + (None,) * 4


def test_a_ticket_has_a_rank_over_every_clock_and_one_per_metric():
    response = clock("first_response", "met", stopped=T)
    resolution = clock("resolution", "running", due=T + HOUR, warning=T, percent="50")
    ticket = (7, 1, 2, T - HOUR)  # id, customer, service, created
    rows = rank_rows(ticket, [resolution, response])
    assert [(ticket, metric, worst) for ticket, _c, _s, _t, metric, worst, *_ in rows] == [
        (7, "", TicketRank.WORST_IN_FLIGHT),
        (7, "first_response", TicketRank.WORST_NEITHER),
        (7, "resolution", TicketRank.WORST_IN_FLIGHT),
    ]
    # A ticket without clocks (no ticket indicator for its service) is listed all the same, with the rest.
    assert rank_rows(ticket, []) == [(*ticket, "", TicketRank.WORST_NEITHER, False, None, None, None, None)]


def test_the_scenes_tickets_are_ranked_as_their_clocks_were_written(acme):  # noqa: F811
    assert TicketRank.objects.filter(metric="").count() == Ticket.objects.count() == 10
    breached = TicketRank.objects.get(ticket__external_id="BR-OPEN", metric="")
    assert (breached.worst, breached.open_breach) == (TicketRank.WORST_BREACHED, True)
    flight = TicketRank.objects.get(ticket__external_id="FLIGHT", metric="resolution")
    # P3, 27 business hours from Monday 13:00: due Thursday 13:00, first warning (50 %) Tuesday 17:30.
    assert (flight.worst, flight.due_at, flight.warning_at) == (
        TicketRank.WORST_IN_FLIGHT,
        kst(2026, 12, 10, 13),
        kst(2026, 12, 8, 17, 30),
    )


def test_a_ticket_in_flight_becomes_at_risk_as_its_warning_passes_without_a_rebuild(
    client,
    manager,
    acme,  # noqa: F811
    globex,  # noqa: F811
    time_machine,
):
    client.force_login(manager)
    # Tuesday 17:31, nothing rebuilt: Globex's P3 (warning Tuesday 16:30) and Acme's FLIGHT (17:30) are now at risk,
    # the soonest due first, ahead of the paused ticket at risk.
    time_machine.move_to(kst(2026, 12, 8, 17, 31), tick=False)
    assert listed(client) == [
        "BR-OPEN",
        "BR-DONE",
        "RISK-SOON",
        "RISK",
        "GLOBEX-1",
        "FLIGHT",
        "PAUSED-RISK",
        "PAUSED",
        "CANCELLED",
        "MET",
        "OLD-MET",
    ]


def test_a_deleted_ticket_indicator_leaves_the_ranking(acme, django_capture_on_commit_callbacks, monkeypatch):  # noqa: F811
    queued = []
    monkeypatch.setattr(rebuild_service_ticket_clocks, "delay", lambda *pair: queued.append(pair))
    with django_capture_on_commit_callbacks(execute=True):
        acme.resolution.delete()
    assert queued == [(acme.customer.pk, acme.service.pk)]
    rebuild_service_ticket_clocks(*queued[0])  # as the worker runs it
    assert not TicketRank.objects.filter(metric="resolution").exists()
    # RISK-SOON was at risk by its resolution clock only; its first response was met.
    risk_soon = TicketRank.objects.get(ticket__external_id="RISK-SOON", metric="")
    assert risk_soon.worst == TicketRank.WORST_NEITHER


def test_the_migration_ranks_the_tickets_an_installation_holds(acme):  # noqa: F811
    fields = COLUMNS
    written = sorted(TicketRank.objects.values_list(*fields))
    TicketRank.objects.all().delete()
    migration = __import__("monitoring.migrations.0020_ticket_ranks", fromlist=["rank_existing_tickets"])
    migration.rank_existing_tickets(apps, None)
    assert sorted(TicketRank.objects.values_list(*fields)) == written
    assert len(written) == 30  # ten tickets, each ranked over both clocks and by each


def test_a_rebuild_at_a_later_hour_rewrites_only_the_ranks_that_moved(customer_a):
    from monitoring.tickets.store import rebuild_clocks
    from tests.monitoring.evaluation_helpers import active_agreement
    from tests.monitoring.ticket_helpers import TicketCast

    cast = TicketCast(agreement=active_agreement(customer=customer_a))
    now = kst(2026, 12, 7, 14)
    cast.ticket("LATE", kst(2026, 12, 7, 9), now=now)  # P1 breached at 13:00: its place stays
    cast.ticket("RUNNING", kst(2026, 12, 7, 13), priority="P3", now=now)  # in flight: the share of its goal moves
    ids = {ticket.external_id: ticket.pk for ticket in Ticket.objects.all()}
    before = rank_versions()
    rebuild_clocks(list(ids.values()), now + HOUR)
    after = rank_versions()
    assert after.keys() == before.keys()
    assert {key: after[key] for key in after if key[0] == ids["LATE"]} == {
        key: before[key] for key in before if key[0] == ids["LATE"]
    }
    running = (ids["RUNNING"], "resolution")
    assert after[running][-1] != before[running][-1]  # written anew
    assert after[running][1] > before[running][1]  # 2 h of 27 h used, not 1 h


def rank_versions():
    """{(ticket id, metric): (id, percent, version)} of every rank: the version is PostgreSQL's row version (xmin),
    which a rewrite in place changes, and elsewhere the id (rewritten ranks are deleted and inserted there)."""
    ranks = {(rank.ticket_id, rank.metric): (rank.pk, rank.percent) for rank in TicketRank.objects.all()}
    if connection.vendor != "postgresql":
        return {key: (*value, value[0]) for key, value in ranks.items()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM monitoring_ticketrank")
        versions = dict(cursor.fetchall())
    return {key: (*value, versions[value[0]]) for key, value in ranks.items()}


@pytest.mark.usefixtures("postgresql")
def test_clock_and_rank_pages_keep_room_for_rows_rewritten_in_place():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN ('monitoring_ticketclock', "
            "'monitoring_ticketrank') ORDER BY relname"
        )
        assert cursor.fetchall() == [
            ("monitoring_ticketclock", ["fillfactor=75"]),
            ("monitoring_ticketrank", ["fillfactor=75"]),
        ]


instants = st.one_of(st.none(), st.datetimes(timezones=st.just(dt.UTC)))
percents = st.decimals(0, 500, places=2)  # every clock has its share of the goal
standings = st.builds(
    Standing, st.sampled_from(["resolution", "first_response"]), st.sampled_from([s.value for s in ClockStatus]),
    instants, instants, instants, instants, percents,
)  # fmt: skip


@given(st.lists(st.tuples(standings, instants, instants, instants, instants, percents), max_size=4))
def test_clocks_that_keep_their_keys_keep_the_ticket_s_ranks(pairs):
    """A rebuild leaves a ticket's ranks alone when each clock's ``standing_key`` is what it was: so everything
    else a clock may change (a breached clock's share of its goal, a paused clock's due instant...) must be
    something the ranks do not read."""
    before = [standing for standing, *_ in pairs]
    after = []
    for standing, stopped_at, due_at, breached_at, warning_at, percent in pairs:
        moved = Standing(standing.metric, standing.state, stopped_at, due_at, breached_at, warning_at, percent)
        if standing_key(*moved[1:]) == standing_key(*standing[1:]):
            after.append(moved)
        else:
            after.append(standing)
    ticket = (1, 2, 3, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert rank_rows(ticket, after) == rank_rows(ticket, before)


def test_ranks_left_behind_by_a_rebuild_that_could_not_build_every_clock_are_made_again(customer_a):
    """A rebuild that builds one clock of a ticket but not the other writes the one and leaves the ticket's ranks
    (and the other clock) as they were. The next rebuild finds the ticket's clocks rebuilt at different instants
    and ranks the ticket again, even where no clock moved in what the ranks read."""
    from monitoring.models import TicketClock
    from monitoring.tickets.store import rebuild_clocks
    from tests.monitoring.evaluation_helpers import active_agreement
    from tests.monitoring.ticket_helpers import TicketCast

    cast = TicketCast(agreement=active_agreement(customer=customer_a))
    now = kst(2026, 12, 7, 14)
    cast.ticket("LATE", kst(2026, 12, 7, 9), now=now)  # P1, breached at 13:00 by both clocks
    ticket = Ticket.objects.get(external_id="LATE")
    right = sorted(TicketRank.objects.filter(ticket=ticket).values_list(*COLUMNS))
    # What a half-done rebuild leaves: one clock written later than the other, the ranks of before (here, wrong).
    TicketClock.objects.filter(ticket=ticket, indicator=cast.response).update(evaluated_at=now - HOUR)
    TicketRank.objects.filter(ticket=ticket).update(worst=TicketRank.WORST_NEITHER, breach_at=None)
    rebuild_clocks([ticket.pk], now + HOUR)
    assert sorted(TicketRank.objects.filter(ticket=ticket).values_list(*COLUMNS)) == right
    # Once the clocks agree, a rebuild that moves nothing leaves the ranks alone.
    TicketRank.objects.filter(ticket=ticket).update(worst=TicketRank.WORST_NEITHER)
    rebuild_clocks([ticket.pk], now + 2 * HOUR)
    assert set(TicketRank.objects.filter(ticket=ticket).values_list("worst", flat=True)) == {TicketRank.WORST_NEITHER}
