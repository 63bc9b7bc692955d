"""The customer's dashboard, the service manager's overview, and the home page that leads to each.

Everything is evaluated and rendered at NOW, 16 Nov 2026 12:00 KST (see dashboard_helpers): November is the open
period of the monthly targets, the months before it are closed.
"""

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from monitoring.evaluation import evaluate_targets
from tests.factories import AgreementFactory, ServiceFactory, TargetFactory
from tests.ladder import Rung, climb
from tests.monitoring.dashboard_helpers import (
    NOW,
    agreement_since,
    chart_table,
    figure,
    frozen_at_now,
    list_items,
    month_labels,
    monthly_target,
    table_rows,
)
from tests.monitoring.evaluation_helpers import (
    BURN_AT,
    burning_target,
    evaluate,
    kst,
    measured_target,
    record_probe_minutes,
    slowly_burning_target,
)

pytestmark = pytest.mark.django_db
LOGIN_URL = resolve_url(settings.LOGIN_URL)


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


def sections(page):
    return re.findall(r'<section class="card mb-4" id="agreement-([\w-]+)"', page)


# --- who may open them ---------------------------------------------------------------------------------------------


def test_a_customer_dashboard_climbs_the_permission_ladder(client, alice, bob, manager):
    climb(client, Rung("/customers/acme/dashboard/"), owner=alice, outsider=bob, manager=manager)


def test_the_overview_is_the_service_managers_and_every_customer_user_is_refused(client, alice, bob, nobody, manager):
    # Not the standard ladder: the overview names no customer's row, so no one is "not found"; it is refused (403)
    # to everyone without the view permission on snapshots, the customer's own users included.
    response = client.get("/overview/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    for person in (alice, bob, nobody):
        client.force_login(person)
        assert client.get("/overview/").status_code == 403, person.username
    client.force_login(manager)
    assert client.get("/overview/").status_code == 200


def test_home_shows_the_customer_their_dashboard_and_the_manager_the_overview(client, agreement_a, alice, manager):
    client.force_login(alice)
    page = client.get("/").text
    assert "Acme Bank: service levels" in page
    assert sections(page) == ["acme-sla"]

    client.force_login(manager)
    page = client.get("/").text
    assert "Service level overview" in page
    assert 'id="overview-targets"' in page


# --- the customer's dashboard --------------------------------------------------------------------------------------


@pytest.fixture
def acme_portal(customer_a, customer_b):
    """Acme's portal SLA since August: "requests" (occurrences) and "uptime" (a probe, timeslices) measured every
    month, "tickets" measuring nothing. Acme also has a draft agreement, Globex an active one of its own."""
    agreement = agreement_since("2026-08", customer=customer_a, code="acme-portal", title="Acme portal")
    requests = monthly_target(
        agreement,
        {"2026-08": (995, 1000), "2026-09": (1000, 1000), "2026-10": (98, 100), "2026-11": (99_960, 100_000)},
        code="requests",
        name="Requests",
    )
    uptime = measured_target(agreement=agreement, code="uptime", name="Uptime")
    # 1,000 minutes a month from the 2nd: 5 down in August, none in September, 20 in October, 35 in November.
    for month, down in ((8, range(5)), (9, ()), (10, range(20)), (11, range(100, 135))):
        record_probe_minutes(uptime, kst(2026, month, 2), 1000, bad=down)
    TargetFactory(agreement=agreement, code="tickets", name="Tickets")
    draft = AgreementFactory(customer=customer_a, code="acme-draft")
    draft_target = monthly_target(draft, {"2026-11": (1, 1)}, code="draft")
    globex = agreement_since("2026-11", customer=customer_b, code="globex-ops", title="Globex operations")
    globex_target = monthly_target(globex, {"2026-11": (10, 10)}, code="ops", name="Operations")
    evaluate_targets([requests.pk, uptime.pk, draft_target.pk, globex_target.pk], NOW)
    return agreement


def test_the_dashboard_lists_only_the_customers_active_agreements(client, acme_portal, alice, bob, manager):
    client.force_login(alice)
    page = client.get("/customers/acme/dashboard/").text
    assert sections(page) == ["acme-portal"]
    assert "acme-draft" not in page
    assert "globex" not in page.lower()

    client.force_login(manager)
    assert sections(client.get("/customers/acme/dashboard/").text) == ["acme-portal"]

    client.force_login(bob)
    page = client.get("/customers/globex/dashboard/").text
    assert sections(page) == ["globex-ops"]
    assert "acme" not in page.lower()


def test_each_target_shows_its_status_attainment_objective_and_budget_left(client, acme_portal, alice):
    client.force_login(alice)
    page = client.get("/customers/acme/dashboard/").text

    assert table_rows(page, 'data-targets="acme-portal"') == [
        # 99,960 of 100,000 good: 40 bad events of the 100 that 99.9 % allows.
        ["Requests", "On track", "99.960 %", "99.9 %", "60 of 100 bad events left", "2026-11"],
        ["Tickets", "No data", "—", "99.9 %", "—", "—"],
        # 965 of 1,000 minutes good; 35 of the month's 43.2 budget minutes spent: 19 % left, under the 25 % warning.
        ["Uptime", "At risk", "96.500 %", "99.9 %", "8.2 min of 43.2 min left", "2026-11"],
    ]
    header = page.split('id="agreement-acme-portal"', 1)[1].split('<div class="card-body">', 1)[0]
    assert "compliance-at_risk" in header  # the agreement's worst target


def test_the_trend_chart_has_one_line_per_target_with_each_periods_attainment(client, acme_portal, alice):
    client.force_login(alice)
    page = client.get("/customers/acme/dashboard/").text

    months = ["2026-08", "2026-09", "2026-10", "2026-11"]
    traces = figure(page, "trend-acme-portal-figure")["data"]
    assert [(trace["name"], trace["x"], trace["y"]) for trace in traces] == [
        ("Requests", months, [99.5, 100.0, 98.0, 99.96]),
        ("Tickets", [], []),
        ("Uptime", months, [99.5, 100.0, 98.0, 96.5]),
    ]
    assert chart_table(page, "trend-acme-portal") == [
        ["Requests", "2026-08", "99.500", "99.9"],
        ["Requests", "2026-09", "100.000", "99.9"],
        ["Requests", "2026-10", "98.000", "99.9"],
        ["Requests", "2026-11", "99.960", "99.9"],
        ["Uptime", "2026-08", "99.500", "99.9"],
        ["Uptime", "2026-09", "100.000", "99.9"],
        ["Uptime", "2026-10", "98.000", "99.9"],
        ["Uptime", "2026-11", "96.500", "99.9"],
    ]


def test_the_trend_holds_the_last_twelve_periods(client, customer_a, alice):
    # Evaluation reaches 400 days back: October 2025 to November 2026 are 14 monthly periods.
    months = month_labels("2025-10", 14)
    agreement = agreement_since("2025-10", customer=customer_a, code="acme-long")
    target = monthly_target(agreement, {month: (900 + i, 1000) for i, month in enumerate(months)}, name="Long")
    evaluate(target, NOW)
    client.force_login(alice)

    (trace,) = figure(client.get("/customers/acme/dashboard/").text, "trend-acme-long-figure")["data"]

    assert trace["x"] == months[2:]
    assert trace["y"] == [(902 + i) / 10 for i in range(12)]  # 90.2 % .. 91.3 %


# --- the overview --------------------------------------------------------------------------------------------------


@pytest.fixture
def estate(customer_a, customer_b):
    """Since October, a target in every state of November. Acme's payments SLA: "cards" breached (100 bad events
    against a budget of 1), "transfers" at risk (80 of 100 spent). Globex's logistics SLA: "tracking" with no
    November data (its indicator belongs to the warehouse service), "pickup" and "dispatch" met with half and all
    of their budget left."""
    payments = ServiceFactory(code="payments", name="Payments")
    logistics = ServiceFactory(code="logistics", name="Logistics")
    warehouse = ServiceFactory(code="warehouse", name="Warehouse")
    pay = agreement_since("2026-10", customer=customer_a, code="acme-pay", services=[payments])
    ops = agreement_since("2026-10", customer=customer_b, code="globex-ops", services=[logistics])
    targets = [
        monthly_target(ops, {"2026-10": (1000, 1000), "2026-11": (1000, 1000)}, code="dispatch", name="Dispatch"),
        monthly_target(ops, {"2026-10": (1000, 1000), "2026-11": (99_950, 100_000)}, code="pickup", name="Pickup"),
        monthly_target(
            pay, {"2026-10": (1000, 1000), "2026-11": (99_920, 100_000)}, code="transfers", name="Transfers"
        ),
        monthly_target(ops, {"2026-10": (98, 100)}, service=warehouse, code="tracking", name="Tracking"),
        monthly_target(pay, {"2026-10": (99_500, 100_000), "2026-11": (900, 1000)}, code="cards", name="Cards"),
    ]
    evaluate_targets([target.pk for target in targets], NOW)


def overview(client, manager, query=""):
    client.force_login(manager)
    response = client.get("/overview/" + query)
    assert response.status_code == 200
    return response.text


def listed(page):
    """(status, agreement, target) of each row of the overview's table."""
    return [
        (status, row[2], row[3])
        for status, row in zip(
            re.findall(r'<tr data-status="(\w+)">', page), table_rows(page, 'id="overview-targets"'), strict=True
        )
    ]


def counts(page):
    return {status: int(count) for status, count in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def test_the_overview_lists_breached_then_at_risk_then_no_data_then_on_track(client, estate, manager):
    assert listed(overview(client, manager)) == [
        ("breached", "acme-pay", "Cards"),
        ("at_risk", "acme-pay", "Transfers"),
        ("no_data", "globex-ops", "Tracking"),
        ("on_track", "globex-ops", "Pickup"),  # half its budget left: before the one with all of it
        ("on_track", "globex-ops", "Dispatch"),
    ]


def test_the_overview_counts_the_targets_in_each_status(client, estate, manager):
    assert counts(overview(client, manager)) == {"on_track": 2, "at_risk": 1, "breached": 1, "no_data": 1}


def test_the_customer_and_service_filters_narrow_the_list_and_the_counts(client, estate, manager):
    page = overview(client, manager, "?customer=acme")
    assert [target for _, _, target in listed(page)] == ["Cards", "Transfers"]
    assert counts(page) == {"on_track": 0, "at_risk": 1, "breached": 1, "no_data": 0}

    page = overview(client, manager, "?service=logistics")
    assert [target for _, _, target in listed(page)] == ["Tracking", "Pickup", "Dispatch"]
    assert counts(page) == {"on_track": 2, "at_risk": 0, "breached": 0, "no_data": 1}


def test_the_status_filter_narrows_the_list_to_targets_in_that_compliance_status(client, estate, manager):
    page = overview(client, manager, "?status=on_track")
    assert listed(page) == [("on_track", "globex-ops", "Pickup"), ("on_track", "globex-ops", "Dispatch")]
    # The counts still show the whole scope, so what the filter left out stays in view.
    assert counts(page) == {"on_track": 2, "at_risk": 1, "breached": 1, "no_data": 1}

    assert listed(overview(client, manager, "?customer=globex&status=no_data")) == [
        ("no_data", "globex-ops", "Tracking")
    ]


def test_the_overview_shows_fifty_targets_a_page(client, customer_a, manager):
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-many")
    targets = [monthly_target(agreement, {}, code=f"t{number:02d}") for number in range(51)]
    evaluate_targets([target.pk for target in targets], NOW)

    first = overview(client, manager, "?customer=acme")
    second = overview(client, manager, "?customer=acme&page=2")

    assert len(listed(first)) == 50
    assert "Page 1 of 2" in first
    assert 'href="?customer=acme&amp;page=2"' in first
    assert [target for _, _, target in listed(second)] == [targets[50].name]


def test_the_heatmap_shows_each_service_and_months_worst_attainment_and_budget_left(client, estate, manager):
    heatmap = figure(overview(client, manager), "heatmap-figure")["data"][0]

    assert heatmap["x"] == ["2026-10", "2026-11"]  # months without any data are not drawn
    # The services of the targets' indicators: tracking counts for the warehouse, not for its agreement's logistics.
    assert heatmap["y"] == ["Logistics", "Payments", "Warehouse"]
    # The smallest share of a budget left: (attainment - objective) / (100 - objective), at 99.9 % a budget of 0.1.
    assert heatmap["z"] == [
        [1.0, 0.5],  # October: all 100 %, the whole budget left; November: pickup's 99.95 % left half of it
        [-4.0, -99.0],  # October: cards' 99.5 % (-0.4 / 0.1); November: cards' 90 % (-9.9 / 0.1)
        [-19.0, None],  # tracking's 98 % in October; no data in November
    ]
    assert heatmap["text"] == [["100.000", "99.950"], ["99.500", "90.000"], ["98.000", ""]]


def test_the_heatmap_colour_turns_at_the_objective_and_only_there(client, estate, manager):
    heatmap = figure(overview(client, manager), "heatmap-figure")["data"][0]

    (zmin, zmax), scale = (heatmap["zmin"], heatmap["zmax"]), heatmap["colorscale"]
    assert (zmin, zmax) == (-1, 1)  # 0, the objective, is the middle of the scale
    turn = [position for position, _colour in scale]
    assert turn == [0, 0.4999, 0.5, 1]
    assert [colour for _position, colour in scale] == ["#dc3545", "#f1aeb5", "#a3cfbb", "#198754"]


def test_rolling_and_weekly_targets_count_in_the_heatmap(client, customer_a, manager):
    """A rolling target counts in the month of each window (its worst shows); a week in the month it ended in."""
    agreement = agreement_since("2026-10", customer=customer_a, code="acme-rolling")
    rolling = measured_target(agreement=agreement, code="rolling", window_kind="rolling", rolling_days=7)
    record_probe_minutes(rolling, kst(2026, 11, 10), 600, bad=range(60))  # 90 % over the window of the 10th
    weekly = measured_target(
        agreement=agreement_since("2026-10", customer=customer_a, code="acme-weekly"),
        code="weekly",
        window_kind="calendar",
        calendar_period="week",
        objective="99",
    )
    record_probe_minutes(weekly, kst(2026, 11, 3), 100)
    evaluate_targets([rolling.pk, weekly.pk], NOW)

    heatmap = figure(overview(client, manager), "heatmap-figure")["data"][0]
    row = heatmap["y"].index(rolling.indicator_link.indicator.service.name)
    november = heatmap["x"].index("2026-11")
    assert heatmap["text"][row][november] == "90.000"  # the worst window, not the latest, clean one
    assert heatmap["z"][row][november] < 0
    weekly_row = heatmap["y"].index(weekly.indicator_link.indicator.service.name)
    assert heatmap["text"][weekly_row][november] == "100.000"


def test_fastest_burning_ranks_what_burns_now_and_names_the_window(client, manager):
    fast = burning_target(code="fast", name="Fast")  # page-1h: 2 bad of the last 60 minutes, 33.3x (5 min: 400x)
    # page-6h's 6 h burns 2.8x but its 30 minutes nothing; ticket-3d: 1.39x over 3 days while its 6 h burns 2.8x.
    slow = slowly_burning_target(code="slow", name="Slow")
    steady = measured_target(agreement=fast.agreement, code="steady", name="Steady")
    record_probe_minutes(steady, kst(2026, 11, 1), 3 * 1440)  # every minute good: burns nothing
    # An hour down on 1 Nov: 3 days burn 60 / 4,320 / 0.001 = 13.9x, but nothing in the last 6 hours: not burning now.
    burst = measured_target(agreement=fast.agreement, code="burst", name="Burst")
    record_probe_minutes(burst, kst(2026, 11, 1), 3 * 1440, bad=range(600, 660))
    evaluate_targets([fast.pk, slow.pk, steady.pk, burst.pk], BURN_AT)

    items = list_items(overview(client, manager), "fastest-burning")

    assert items == [f"{fast.agreement.code} · Fast 33.3× over 1 h", f"{slow.agreement.code} · Slow 1.4× over 3 d"]


def test_recent_breaches_are_listed_newest_first(client, customer_a, manager):
    agreement = agreement_since("2026-10", customer=customer_a, code="acme-late")
    early, latest, middle = (
        monthly_target(agreement, {"2026-10": (98, 100)}, code=code, name=code.title())
        for code in ("early", "latest", "middle")
    )
    evaluate(early, kst(2026, 11, 3))  # October's breach is found when each target is first evaluated
    evaluate(middle, kst(2026, 11, 9))
    evaluate(latest, NOW)

    items = list_items(overview(client, manager), "recent-breaches")

    assert [item.split(" 2026-10 ")[0] for item in items] == [
        "acme-late · Latest",
        "acme-late · Middle",
        "acme-late · Early",
    ]
    assert all("Period ended under the objective" in item for item in items)


def test_an_overspent_budget_says_by_how_much(client, customer_a, alice):
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-portal")
    uptime = measured_target(agreement=agreement, code="uptime", name="Uptime")
    record_probe_minutes(uptime, kst(2026, 11, 2), 1000, bad=range(60))  # 60 bad minutes of November's 43.2
    evaluate_targets([uptime.pk], NOW)
    client.force_login(alice)

    rows = table_rows(client.get("/customers/acme/dashboard/").text, 'data-targets="acme-portal"')

    assert rows == [["Uptime", "Breached", "94.000 %", "99.9 %", "16.8 min over the 43.2 min budget", "2026-11"]]
