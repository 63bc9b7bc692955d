"""The dashboards and reports read in a fixed number of queries, whatever the data size.

Each test measures a page on a small estate (2 agreements x 2 measured targets x 3 monthly periods, and a ticket
target with 2 tickets a month), then adds a larger one (6 agreements x 5 measured targets x 14 periods, 5 tickets a
month: more customers' agreements, services, snapshots, breaches, alerts, credits, comments, maintenance windows,
exclusions, tickets and late ticket events) and measures the same kind of page again. The counts must be equal, and
under these ceilings (a request's own reads included: session, user, permissions, membership, group):

    customer dashboard 14 · overview 15 · target page 17 (a month with maintenance drawn too) · report (month or
    quarter) 14 · CSV 13 · a customer's report 16

(measured on SQLite and PostgreSQL: 11, 17, 12, 11, 10 and 13 before the underpinning chain and the tickets; the
ceilings leave one query of room). The customer dashboard's eleventh is its list of upcoming maintenance, and its
twelfth and thirteenth its tickets this month (the customer's ticket indicators, then their clocks), which change
with the clock and are not cached; so are the overview's agreements ending within 60 days. The overview's listing,
its counts by status and the month its heatmap ends with are one query (two fewer than before; issue 17 caps the
page at 15, tests/monitoring/test_page_queries.py). The target
page's first target rests on OLA targets with service hours and breaches: their links, the calendars' hours and
holidays, and their breaches in the period are four more (16 on SQLite). The report, its CSV and the customer's
report read the clocks of their ticket targets, and the events that came after a closed month (two queries more
than before tickets; with the ticket figures counted by the database, one query more on SQLite, which has no
percentile_disc). The CSV reads the reader's permissions once more when the period had maintenance (may they
read every window's title?), and a customer's report which of its windows are kept from customers.
Every measurement starts with an empty cache, so what the overview and the dashboard cache is read and counted.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection

from agreements.choices import AgreementKind, BudgetingMethod, ExclusionReason, MaintenanceStatus
from agreements.models import Exclusion, MaintenanceWindow, Underpinning
from monitoring.choices import AlertState, BreachKind, TicketMetric
from monitoring.evaluation import evaluate_targets
from monitoring.intake.ticket_events import record_ticket_events
from monitoring.models import Alert, Breach, BurnRateRule, ReportComment, TargetIndicator
from tests.factories import AgreementFactory, BusinessCalendarFactory, CreditTierFactory, HolidayFactory, TargetFactory
from tests.monitoring.dashboard_helpers import NOW, agreement_since, frozen_at_now, month_labels, monthly_target
from tests.monitoring.evaluation_helpers import kst
from tests.monitoring.ticket_helpers import desk, ticket_indicator

pytestmark = pytest.mark.django_db

SMALL = {"agreements": 2, "targets": 2, "periods": 3}
LARGE = {"agreements": 6, "targets": 5, "periods": 14}
CEILINGS = {
    "dashboard": 14,
    "overview": 15,
    "target": 17,
    "target_october": 17,
    "report": 14,
    "quarter": 14,
    "csv": 13,
    "customer_report": 16,
}
# Pages with ticket figures: PostgreSQL takes their medians and 90th percentiles in the query that counts them
# (percentile_disc); other databases read the stopped clocks' business times in one query more.
TICKET_FIGURES = {"dashboard", "report", "quarter", "csv", "customer_report"}


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


def build_estate(tag, customers, author, *, agreements, targets, periods):
    """``agreements`` agreements alternating between ``customers``, each with ``targets`` measured monthly targets
    over the last ``periods`` months (99.0 % to 100 %: most months breached at 99.9 %), a target measuring
    nothing, a credit tier, a comment on October's report, a resolved alert a month on its first target, and
    maintenance in October (a window excluded, one over the cap) and an agreed exclusion, drawn and listed."""
    months = month_labels("2025-10", 14)[-periods:]  # up to November 2026; evaluation reaches back 400 days
    rule = BurnRateRule.objects.order_by("pk").first()
    measured = []
    for number in range(agreements):
        agreement = agreement_since(months[0], customer=customers[number % len(customers)], code=f"{tag}-{number}")
        TargetFactory(agreement=agreement, code="unmeasured")
        for index in range(targets):
            data = {month: (990 + (offset + index) % 11, 1000) for offset, month in enumerate(months)}
            target = monthly_target(agreement, data, code=f"t{index}", name=f"Target {index}")
            CreditTierFactory(target=target, below_attainment=Decimal("99.5"), credit_percent=Decimal("5"))
            measured.append(target)
        ReportComment.objects.create(agreement=agreement, period_label="2026-10", text="Reviewed.", author=author)
        add_maintenance(agreement, f"{tag}-{number}")
        measured.append(add_tickets(agreement, f"{tag}-{number}", per_month=periods // 3 + 1))
        first = agreement.targets.get(code="t0")
        for offset in range(periods):
            started = NOW - dt.timedelta(days=30 * offset + 1)
            Alert.objects.create(
                target=first, rule=rule, state=AlertState.RESOLVED, started_at=started, resolved_at=started
            )
    evaluate_targets([target.pk for target in measured], NOW)
    add_underpinning(tag, measured[0], targets, periods)


def add_underpinning(tag, upper, count, periods):
    """The first target rests on ``count`` OLA targets (a draft OLA, so no dashboard lists it), each with service
    hours (with a holiday) and a breach in each of the last ``periods`` months: checked and listed as possible
    causes on the target's page."""
    ola = AgreementFactory(code=f"{tag}-ola", kind=AgreementKind.OLA, customer=upper.agreement.customer)
    hours = BusinessCalendarFactory(code=f"{tag}-hours")
    HolidayFactory(calendar=hours, date=dt.date(2026, 12, 25))
    for index in range(count):
        lower = TargetFactory(agreement=ola, code=f"ola-{index}", service_hours=hours)
        Underpinning.objects.create(target=upper, underpinning=lower)
        for month in month_labels("2025-10", 14)[-periods:]:
            year, number = (int(part) for part in month.split("-"))
            Breach.objects.create(
                target=lower,
                period_start=kst(year, number, 1),
                period_end=kst(year, number, 1) + dt.timedelta(days=28),
                period_label=month,
                kind=BreachKind.PERIOD_MISSED,
                detected_at=kst(year, number, 1) + dt.timedelta(days=28),
                objective=Decimal("99"),
            )


def add_tickets(agreement, tag, per_month):
    """A resolution ticket target of the agreement, and ``per_month`` tickets of its customer in October (resolved in
    two hours, one of them four hours late) and in November (in flight), each month's sent at its end; and an
    October event sent in November, after the month closed (listed as late). Returns the target."""
    customer, service = agreement.customer, agreement.services.first()
    indicator = ticket_indicator(customer, service, TicketMetric.RESOLUTION, {"P1": 4 * 60})
    target = TargetFactory(
        agreement=agreement, code="tickets", budgeting_method=BudgetingMethod.OCCURRENCES, objective=Decimal("95")
    )
    TargetIndicator.objects.create(target=target, indicator=indicator)
    source, _token = desk([customer], [service])
    october = []
    for number in range(per_month):
        opened = kst(2026, 10, 5 + number, 9)
        ticket = {"ticket": f"{tag}-10-{number}", "customer": customer.code, "service": service.code}
        october += [
            {"id": f"{tag}-10-{number}-c", "type": "created", "at": opened.isoformat(), "priority": "P1", **ticket},
            {
                "id": f"{tag}-10-{number}-r",
                "ticket": ticket["ticket"],
                "type": "resolved",
                "at": (opened + dt.timedelta(hours=6 if number == 0 else 2)).isoformat(),
            },
        ]
    record_ticket_events(source, october, now=kst(2026, 10, 31, 23))
    late = {"id": f"{tag}-late", "ticket": f"{tag}-10-0", "type": "state_changed", "state": "waiting_customer"}
    record_ticket_events(source, [late | {"at": kst(2026, 10, 5, 10).isoformat()}], now=kst(2026, 11, 10))
    november = [
        {
            "id": f"{tag}-11-{number}",
            "ticket": f"{tag}-11-{number}",
            "type": "created",
            "at": kst(2026, 11, 16, 9, number).isoformat(),
            "customer": customer.code,
            "service": service.code,
            "priority": "P1",
        }
        for number in range(per_month)
    ]
    record_ticket_events(source, november, now=NOW)
    return target


def add_maintenance(agreement, title):
    """Two windows of the agreement's service in October, announced a month ahead, under a 60-minute cap (the first
    excluded, the second over the cap), and an exclusion the customer agreed to."""
    agreement.maintenance_cap_minutes = 60
    agreement.save(update_fields=["maintenance_cap_minutes"])
    service = agreement.services.first()
    for day in (10, 20):
        MaintenanceWindow.objects.create(
            service=service,
            title=f"{title} upgrade {day}",
            starts_at=kst(2026, 10, day, 2),
            ends_at=kst(2026, 10, day, 3),
            status=MaintenanceStatus.COMPLETED,
            approved_at=kst(2026, 9, day),
        )
    Exclusion.objects.create(
        agreement=agreement,
        service=service,
        starts_at=kst(2026, 10, 25, 10),
        ends_at=kst(2026, 10, 25, 11),
        reason=ExclusionReason.FORCE_MAJEURE,
        description="Power cut",
        customer_agreement="By e-mail",
    )


PAGES = {
    "dashboard": ("alice", "/customers/acme/dashboard/"),
    "overview": ("manager", "/overview/"),
    "target": ("manager", "/agreements/{tag}-0/targets/t0/"),
    "target_october": ("manager", "/agreements/{tag}-0/targets/t0/?period=2026-10"),  # with maintenance drawn
    "report": ("manager", "/agreements/{tag}-0/report/"),
    "quarter": ("manager", "/agreements/{tag}-0/report/?period=2026-Q4"),
    "csv": ("manager", "/agreements/{tag}-0/report.csv?period=2026-Q4"),
    "customer_report": ("alice", "/agreements/{tag}-0/report/?period=2026-Q4"),
}


def count_queries(client, user, url, assert_max_num_queries, ceiling):
    client.force_login(user)
    cache.clear()
    with assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PAGES)
def test_the_page_reads_in_as_many_queries_for_a_large_estate_as_for_a_small_one(
    client, page, customer_a, customer_b, alice, manager, django_assert_max_num_queries
):
    who, url = PAGES[page]
    user = {"alice": alice, "manager": manager}[who]
    ceiling = CEILINGS[page] + (page in TICKET_FIGURES and connection.vendor != "postgresql")

    build_estate("small", [customer_a, customer_b], manager, **SMALL)
    small = count_queries(client, user, url.format(tag="small"), django_assert_max_num_queries, ceiling)
    build_estate("large", [customer_a, customer_b], manager, **LARGE)
    large = count_queries(client, user, url.format(tag="large"), django_assert_max_num_queries, ceiling)

    assert large == small


def test_the_large_estate_is_what_the_pages_show(client, customer_a, customer_b, alice, manager):
    # The measurements above are only worth something if the large estate is really on the pages.
    build_estate("large", [customer_a, customer_b], manager, **LARGE)
    client.force_login(alice)
    dashboard = client.get("/customers/acme/dashboard/").text
    client.force_login(manager)
    overview = client.get("/overview/").text
    target = client.get("/agreements/large-0/targets/t0/").text
    report = client.get("/agreements/large-0/report/?period=2026-Q4").text
    october = client.get("/agreements/large-0/targets/t0/?period=2026-10").text

    assert dashboard.count('<section class="card mb-4"') == 3  # Acme's half of the six
    assert dashboard.count("<tr id=") == 3 * 7
    assert overview.count("<tr data-status=") == 36
    assert target.split('id="period-select"', 1)[1].split("</select>", 1)[0].count("<option") == 14
    assert target.count('<li class="list-group-item small">') >= 14 + 12  # alerts, breaches
    assert report.count("<tr data-target=") == 7 * 3
    assert "Reviewed." not in report  # October's comment belongs to the month, not the quarter
    assert report.count("<tr data-outcome=") == 3  # two windows (one over the cap) and the exclusion
    assert report.count('<tr data-ticket-indicator="') == 3  # October, November, December: one priority each
    assert report.count('<tr data-ticket="large-0-10-0"') == 1  # the event sent after October closed
    assert 'data-ticket-panel="' in dashboard
    assert october.count("<tr data-outcome=") == 3
    assert october.count('"layer": "below"') == 2 * 3  # the bands of the daily bars and of the burn-down
