"""Ticket figures (monitoring/readout/tickets.py): per ticket indicator and priority, the tickets counted, within goal,
breached and in flight, the median and 90th-percentile business time (nearest rank), and the events that came after
their month had closed; on the SLA report and its CSV, the customer dashboard and the service review pack."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from monitoring.evaluation import evaluate_targets
from monitoring.models import ComplianceSnapshot, TargetIndicator, TicketClock
from monitoring.readout import reports
from monitoring.readout.reports import TICKET_CSV_HEADER, agreement_report, parse_period
from monitoring.readout.tickets import business_minutes, nearest_rank, share_percent
from monitoring.tickets.store import settle_due_clocks
from tests.factories import MembershipFactory, UserFactory
from tests.monitoring.dashboard_helpers import table_rows
from tests.monitoring.ticket_helpers import TicketCast, kst, ticket_indicator

HOUR = dt.timedelta(hours=1)
CLOSED = kst(2026, 12, 1, 0, 16)  # November closed: its end plus the 15-minute grace
NOW = kst(2026, 12, 5, 12)


# --- the arithmetic --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([1, 2, 3, 4], 2, 4),  # ranks ceil(2) = 2 and ceil(3.6) = 4
        (list(range(1, 11)), 5, 9),  # ceil(5) = 5, ceil(9) = 9
        ([4, 1, 3, 2, 5], 3, 5),  # unsorted: ceil(2.5) = 3, ceil(4.5) = 5
        ([7], 7, 7),
        ([1, 2, 2, 3, 4, 4, 5], 3, 5),  # ceil(3.5) = 4th, ceil(6.3) = 7th
        (list(range(1, 21)), 10, 18),
        ([], None, None),
    ],
)
def test_the_median_and_the_90th_percentile_are_values_of_the_list_by_nearest_rank(values, median, p90):
    assert nearest_rank(values, 50) == median
    assert nearest_rank(values, 90) == p90


def test_nearest_rank_at_the_ends_and_with_durations():
    assert nearest_rank([3, 1, 2], 0) == 1
    assert nearest_rank([3, 1, 2], 100) == 3
    assert nearest_rank([HOUR, 3 * HOUR, 2 * HOUR], 50) == 2 * HOUR
    with pytest.raises(ValueError, match="between 0 and 100"):
        nearest_rank([1], 101)


def test_the_share_within_goal_is_rounded_down_to_two_places():
    assert share_percent(38, 40) == Decimal("95.00")
    assert share_percent(2, 3) == Decimal("66.66")  # 66.666...: never shown higher than it is
    assert share_percent(5, 7) == Decimal("71.42")
    assert share_percent(1, 1) == Decimal("100.00")
    assert share_percent(0, 0) is None
    assert business_minutes(dt.timedelta(hours=1, minutes=30, seconds=20)) == Decimal("90.33")
    assert business_minutes(None) is None


# --- November at Acme's desk -----------------------------------------------------------------------------------------


def november(cast):
    """Resolution P1 4 h, P2 8 h; office hours Mon-Fri 09-18 Seoul (2 Nov 2026 is a Monday). Each ticket's events are
    sent a minute after its last one, as a desk sends them."""
    day = lambda d, h, m=0: kst(2026, 11, d, h, m)  # noqa: E731
    for number, (created, hours) in enumerate([(2, 1), (3, 2), (4, 3), (5, 4), (6, 5)], start=1):
        cast.ticket(f"INC-{number}", day(created, 9), resolved=day(created, 9 + hours))  # INC-5: 5 h, breached at 13:00
    cast.send(  # waited for the customer 10:00-15:00: 2 h of P2's 8 h
        [
            cast.event("INC-6", "created", day(9, 9), priority="P2"),
            cast.event("INC-6", "state_changed", day(9, 10), state="Waiting for customer"),
            cast.event("INC-6", "state_changed", day(9, 15), state="In progress"),
            cast.event("INC-6", "resolved", day(9, 16)),
        ],
        now=day(9, 16, 1),
    )
    cast.ticket("INC-7", day(30, 16), now=day(30, 16, 1))  # in flight at the month's end, past 50 % at 18:00
    cast.send([cast.event("INC-7", "resolved", kst(2026, 12, 1, 10))], now=kst(2026, 12, 1, 10, 1))
    cast.send(
        [cast.event("INC-8", "created", day(10, 9), priority="P3"), cast.event("INC-8", "cancelled", day(10, 10))],
        now=day(10, 10, 1),
    )
    cast.ticket("INC-9", kst(2026, 10, 30, 16), resolved=day(2, 11))  # 2 h + 2 h: met, counted in November
    cast.ticket("INC-10", day(20, 9), now=day(20, 9, 1))  # never resolved: breached at 13:00 while open
    settle_due_clocks(day(20, 14))


@pytest.fixture
def cast(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    cast = TicketCast()
    cast.resolved_target = cast.target(code="tickets-resolved", name="Tickets resolved")
    cast.answered_target = cast.target(cast.response, objective="90", code="tickets-answered", name="Answered")
    november(cast)
    return cast


def resolution_rows(report, month="2026-11"):
    (figures,) = [f for f in report["tickets"] if f.label == month and f.metric == "resolution"]
    return {
        row.priority or "all": (
            row.counted,
            row.within_goal,
            row.share_within_goal,
            row.breached,
            row.in_flight,
            row.at_risk,
            row.stopped,
            row.median,
            row.p90,
        )
        for row in figures.rows
    }


def test_the_november_figures_per_priority_are_the_known_answers(cast):
    rows = resolution_rows(agreement_report(cast.agreement, parse_period("2026-11")))
    # P1: INC-1..5 (1-5 h), INC-9 (4 h, from October) stopped; INC-5 and INC-10 (open) breached; INC-7 in flight.
    # Stopped times sorted [1, 2, 3, 4, 4, 5] h: the median is the 3rd (3 h), the 90th percentile the 6th (5 h).
    assert rows["P1"] == (7, 5, Decimal("71.42"), 2, 1, 1, 6, 3 * HOUR, 5 * HOUR)
    assert rows["P2"] == (1, 1, Decimal("100.00"), 0, 0, 0, 1, 2 * HOUR, 2 * HOUR)
    # All: [1, 2, 2, 3, 4, 4, 5] h: the 4th (3 h) and the 7th (5 h). The cancelled P3 ticket counts nowhere.
    assert rows["all"] == (8, 6, Decimal("75.00"), 2, 1, 1, 7, 3 * HOUR, 5 * HOUR)
    assert "P3" not in rows


def test_december_counts_the_ticket_that_was_in_flight_at_novembers_end(cast):
    report = agreement_report(cast.agreement, parse_period("2026-12"))
    rows = resolution_rows(report, "2026-12")
    assert rows["P1"] == (1, 1, Decimal("100.00"), 0, 0, 0, 1, 3 * HOUR, 3 * HOUR)  # INC-7: 2 h + 1 h
    assert report["late_events"] == []  # December is still open


def test_a_quarter_has_the_figures_of_each_month(cast):
    report = agreement_report(cast.agreement, parse_period("2026-Q4"))
    resolution = [figures.label for figures in report["tickets"] if figures.metric == "resolution"]
    assert resolution == ["2026-10", "2026-11", "2026-12"]
    # INC-9 was in flight at October's end, and at risk: half its goal used by Friday 18:00.
    assert resolution_rows(report, "2026-10") == {"P1": (0, 0, None, 0, 1, 1, 0, None, None)}


def test_events_received_after_the_month_closed_are_listed_and_the_closed_result_stays(cast, time_machine):
    target = cast.resolved_target
    evaluate_targets([target.pk], CLOSED)
    frozen = ComplianceSnapshot.objects.get(target=target, period_label="2026-11")
    assert (frozen.good, frozen.total, frozen.is_closed) == (6, 8, True)
    # Within the grace: not late. Then, two days later, the desk sends that INC-5 waited for the customer for an hour on
    # 6 November (4 h of running time: met), and INC-1's close, which happened in December (nothing late about it).
    cast.send([cast.event("INC-2", "closed", kst(2026, 11, 30, 23, 50))], now=kst(2026, 12, 1, 0, 10))
    cast.send(
        [
            cast.event("INC-5", "state_changed", kst(2026, 11, 6, 10), state="Waiting for customer"),
            cast.event("INC-5", "state_changed", kst(2026, 11, 6, 11), state="In progress"),
            cast.event("INC-1", "closed", kst(2026, 12, 2, 9)),
        ],
        now=kst(2026, 12, 3, 9),
    )
    evaluate_targets([target.pk], NOW)

    report = agreement_report(cast.agreement, parse_period("2026-11"))
    late = [(item.label, item.event.ticket.external_id, item.event.state) for item in report["late_events"]]
    assert late == [("2026-11", "INC-5", "Waiting for customer"), ("2026-11", "INC-5", "In progress")]
    assert report["late_events"][0].late_by == kst(2026, 12, 3, 9) - CLOSED + dt.timedelta(minutes=1)
    # The closed month keeps its result; the figures follow the clocks as they stand now.
    assert ComplianceSnapshot.objects.get(target=target, period_label="2026-11").good == 6
    (row,) = [m for r in report["targets"] if r["target"] == target for m in r["months"]]
    assert row["attainment_percent"] == "75"
    assert resolution_rows(report)["P1"][:4] == (7, 6, Decimal("85.71"), 1)


def test_a_report_lists_the_oldest_late_events_and_says_that_more_came(client, cast, manager, monkeypatch):
    evaluate_targets([cast.resolved_target.pk], CLOSED)
    cast.send(
        [
            cast.event("INC-5", "state_changed", kst(2026, 11, 6, 10), state="Waiting for customer"),
            cast.event("INC-5", "state_changed", kst(2026, 11, 6, 11), state="In progress"),
        ],
        now=kst(2026, 12, 3, 9),
    )
    monkeypatch.setattr(reports, "LATE_EVENTS_SHOWN", 1)

    report = agreement_report(cast.agreement, parse_period("2026-11"))
    assert [item.event.state for item in report["late_events"]] == ["Waiting for customer"]
    assert report["late_events_more"] is True

    client.force_login(manager)
    html = client.get(f"/agreements/{cast.agreement.code}/report/?period=2026-11").text
    assert "More events came late than are listed: the oldest 1 are shown." in html
    monkeypatch.setattr(reports, "LATE_EVENTS_SHOWN", 2)
    assert agreement_report(cast.agreement, parse_period("2026-11"))["late_events_more"] is False


def test_a_month_still_to_come_has_nothing_in_flight(cast, time_machine):
    time_machine.move_to(kst(2026, 11, 30, 17), tick=False)
    report = agreement_report(cast.agreement, parse_period("2026-Q4"))
    assert resolution_rows(report, "2026-11")["P1"][4] == 1  # INC-7, in flight now
    assert resolution_rows(report, "2026-12")["P1"][4] == 0


def test_a_report_counts_only_its_customers_tickets(cast):
    other = TicketCast()
    other.ticket("OTHER-1", kst(2026, 11, 2, 9), resolved=kst(2026, 11, 2, 10))
    # A target of Acme's agreement bound by mistake to another customer's indicator shows none of their tickets.
    TargetIndicator.objects.filter(target=cast.resolved_target).update(indicator=other.resolution)
    report = agreement_report(cast.agreement, parse_period("2026-11"))
    assert resolution_rows(report) == {}


def send_late(cast):
    """What the desk sends on 3 December: a ticket of 20 October, a state of INC-9 (created on 30 October, resolved
    on 2 November: late for both months) and an hour INC-5 waited for the customer on 6 November."""
    cast.send(
        [
            cast.event("INC-30", "created", kst(2026, 10, 20, 9)),
            cast.event("INC-30", "resolved", kst(2026, 10, 20, 10)),
            cast.event("INC-9", "state_changed", kst(2026, 10, 30, 17), state="In progress"),
            cast.event("INC-5", "state_changed", kst(2026, 11, 6, 10), state="Waiting for customer"),
            cast.event("INC-5", "state_changed", kst(2026, 11, 6, 11), state="In progress"),
        ],
        now=kst(2026, 12, 3, 9),
    )


def test_the_late_adjustments_read_up_to_the_cap_are_the_first_of_the_full_list(cast, monkeypatch):
    send_late(cast)
    monkeypatch.setattr(reports, "LATE_EVENTS_SHOWN", 1000)
    full = agreement_report(cast.agreement, parse_period("2026-Q4"))["late_events"]
    listed = [(late.label, late.event.ticket.external_id, late.event.kind) for late in full]
    assert listed == [
        ("2026-10", "INC-30", "created"),
        ("2026-10", "INC-30", "resolved"),
        ("2026-10", "INC-9", "created"),  # sent with its resolution on 2 November, after October closed
        ("2026-10", "INC-9", "state_changed"),
        ("2026-11", "INC-9", "state_changed"),  # INC-9's clocks counted in November
        ("2026-11", "INC-5", "state_changed"),
        ("2026-11", "INC-5", "state_changed"),
    ]
    for shown in range(1, len(full) + 1):
        monkeypatch.setattr(reports, "LATE_EVENTS_SHOWN", shown)
        report = agreement_report(cast.agreement, parse_period("2026-Q4"))
        assert [late.event.pk for late in report["late_events"]] == [late.event.pk for late in full[:shown]]
        assert [late.label for late in report["late_events"]] == [late.label for late in full[:shown]]
        assert report["late_events_more"] is (shown < len(full))


# --- on the pages ----------------------------------------------------------------------------------------------------


def test_the_report_page_and_its_csv_show_the_ticket_figures(client, cast, manager):
    client.force_login(manager)
    html = client.get(f"/agreements/{cast.agreement.code}/report/?period=2026-11").text
    rows = table_rows(html, 'id="report-tickets"')
    assert ["Time to resolve", "P1", "7", "5 (71.42 %)", "2", "1", "3 h", "5 h"] in rows
    assert ["", "All", "8", "6 (75 %)", "2", "1", "3 h", "5 h"] in rows
    assert 'id="report-late-events-none"' in html

    response = client.get(f"/agreements/{cast.agreement.code}/report.csv?period=2026-11")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    tickets = {(line["ticket_clock"], line["ticket_priority"]): line for line in lines if line["ticket_clock"]}
    p1 = tickets[("resolution", "P1")]
    assert {key: p1[key] for key in TICKET_CSV_HEADER[2:]} == {
        "tickets_counted": "7",
        "tickets_within_goal": "5",
        "tickets_within_goal_percent": "71.42",
        "tickets_breached": "2",
        "tickets_in_flight": "1",
        "tickets_stopped": "6",
        "median_business_minutes": "180",
        "p90_business_minutes": "300",
    }
    assert (p1["target"], p1["month"], p1["objective_percent"], p1["credit_amount"]) == (
        "tickets-resolved",
        "2026-11",
        "",
        "",
    )
    assert tickets[("resolution", "all")]["tickets_counted"] == "8"
    assert {line["ticket_clock"] for line in lines if line["target"] == "tickets-resolved"} == {"", "resolution"}


def test_a_late_ticket_is_not_listed_as_an_outage(client, cast, manager):
    evaluate_targets([cast.resolved_target.pk], NOW)
    client.force_login(manager)
    html = client.get(f"/agreements/{cast.agreement.code}/report/?period=2026-11").text
    assert table_rows(html, 'id="report-outages"') == [["No bad minutes."]]


def test_the_customer_dashboard_shows_tickets_this_month(client, cast, time_machine):
    # 1 December 14:00: INC-7 resolved at 10:00 (met); INC-11 created at 09:00 breached at 13:00; INC-12 created at
    # 11:30 has used 2 h 30 of its 4 h: past its first warning point (50 %), at risk.
    time_machine.move_to(kst(2026, 12, 1, 14), tick=False)
    cast.ticket("INC-11", kst(2026, 12, 1, 9), now=kst(2026, 12, 1, 9, 1))
    cast.ticket("INC-12", kst(2026, 12, 1, 11, 30), now=kst(2026, 12, 1, 11, 31))
    settle_due_clocks(kst(2026, 12, 1, 14))
    reader = MembershipFactory(user=UserFactory(), customer=cast.customer).user
    client.force_login(reader)
    html = client.get(f"/customers/{cast.customer.code}/dashboard/").text
    assert "Tickets this month" in html
    assert table_rows(html, f'data-ticket-panel="{cast.resolution.code}"') == [["P1", "50 % (1/2)", "1", "1"]]


def test_the_review_pack_and_its_csv_carry_the_ticket_figures(client, cast, manager):
    client.force_login(manager)
    html = client.get(f"/customers/{cast.customer.code}/review-pack/?period=2026-11").text
    rows = table_rows(html, f'id="pack-tickets-{cast.agreement.code}"')
    assert ["Time to resolve", "P1", "7", "5 (71.42 %)", "2", "1", "3 h", "5 h"] in rows
    text = client.get(f"/customers/{cast.customer.code}/review-pack.csv?period=2026-11").content.decode()
    lines = list(csv.reader(io.StringIO(text)))
    item = f"{cast.agreement.code}/{cast.resolution.code}/P1"
    assert ["tickets_within_goal_percent", item, "2026-11", "71.42", "5/7", ""] in lines
    assert ["tickets_median_business_minutes", item, "2026-11", "180", "", ""] in lines
    assert ["tickets_p90_business_minutes", item, "2026-11", "300", "", ""] in lines
    assert ["tickets_in_flight", item, "2026-11", "1", "", ""] in lines


def test_two_indicators_with_the_same_clock_are_told_apart_by_name(client, cast, manager):
    second = ticket_indicator(cast.customer, cast.service, "resolution", {"P1": 240}, calendar=cast.calendar)
    cast.target(second, code="tickets-resolved-2", name="Second desk")
    client.force_login(manager)
    html = client.get(f"/agreements/{cast.agreement.code}/report/?period=2026-11").text
    assert f'<span class="small text-muted">{second.name}</span>' in html
    assert f'<span class="small text-muted">{cast.response.name}</span>' not in html  # the only first-response one


def test_the_figures_are_kept_for_the_minute_until_a_clock_of_the_customer_is_written(cast, time_machine):
    counted = lambda: resolution_rows(agreement_report(cast.agreement, parse_period("2026-11")))["all"][0]  # noqa: E731
    assert counted() == 8
    # A clock changed behind the portal's back is not seen within the minute: the figures are served from the cache.
    TicketClock.objects.filter(ticket__external_id="INC-1", indicator=cast.resolution).update(
        counted_at=None, good=None
    )
    assert counted() == 8
    # The next minute reads them afresh.
    time_machine.move_to(NOW + dt.timedelta(minutes=1), tick=False)
    assert counted() == 7
    # So does the same minute once the desk sends an event (its clocks are rebuilt): INC-1's clock counts again.
    cast.send([cast.event("INC-1", "closed", kst(2026, 11, 2, 10, 30))], now=NOW + dt.timedelta(minutes=1))
    assert counted() == 8
