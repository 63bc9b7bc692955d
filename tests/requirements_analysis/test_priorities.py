"""The priorities page (service managers only): requirements and services ranked by score with what each score is
made of, the weights in the formula, the filters, the Importance-Performance Analysis figure and watermelon flags.

The measured record comes from monitoring data (tests/requirements_analysis/factories.py ``measured_service``):
probe minutes recorded, the target evaluated just after November 2026 closed.
"""

import datetime as dt
import html
import json
import re
from decimal import Decimal

import pytest

from requirements_analysis import analysis
from requirements_analysis.choices import Category, RequirementStatus
from requirements_analysis.models import PriorityWeights
from tests.agreements.page_checks import page_text
from tests.factories import ServiceFactory
from tests.requirements_analysis.factories import (
    CampaignFactory,
    InvitationFactory,
    RequirementFactory,
    ResponseFactory,
    measured_service,
)

pytestmark = pytest.mark.django_db


def visible(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def ranked(response, table_id, key):
    """[(row key, [cell texts])] of a ranked table, top row first."""
    body = response.text.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    return [
        (row_key, [visible(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
        for row_key, row in re.findall(rf'<tr {key}="([^"]+)">(.*?)</tr>', body, re.S)
    ]


def ipa_traces(response):
    """{quadrant trace name: [(category label, performance, importance)]} from the IPA figure's JSON."""
    source = re.search(r'<script id="ipa-figure" type="application/json">(.*?)</script>', response.text, re.S)
    figure = json.loads(source.group(1))
    return {trace["name"]: list(zip(trace["text"], trace["x"], trace["y"], strict=True)) for trace in figure["data"]}


@pytest.fixture
def payments(customer_a):
    """A tier 1 service of customer A with a measured record: September and October met (no bad minute), November
    breached with 216 of 1,440 probe minutes down, half its 432-minute budget.

    Record: 1 breach of 3 closed periods; budget spent (0 + 0 + 0.5) / 3 = 1/6 -> (1/3 + 1/6) / 2 = 0.25.
    """
    service = ServiceFactory(code="payments", name="Payments", criticality=1)
    measured_service(service, customer_a, {"2026-09": 0, "2026-10": 0, "2026-11": 216})
    return service


@pytest.fixture
def essential(customer_a, payments):
    return RequirementFactory(
        customer=customer_a, service=payments, importance=5, performance=2, statement="Payments never fail."
    )


def test_the_measured_record_is_read_from_the_closed_periods(manager, payments):
    record = analysis.service_records(manager, [payments.pk])[payments.pk]

    assert (record.periods, record.breaches, record.budget_spent) == (3, 1, Decimal(1) / 6)
    assert record.sla_met is False


def test_requirement_and_service_rows_show_the_hand_worked_score_and_its_parts(client, manager, essential):
    # importance 5 -> 1; gap (5 - 2) / 4 = 0.75; tier 1 -> 1; record 0.25 (see the payments fixture).
    # Points: 100 x 3 x 1 / 12 = 25; 100 x 4 x 0.75 / 12 = 25; 100 x 2 x 1 / 12 = 16.67; 100 x 3 x 0.25 / 12 = 6.25;
    # total 100 x 8.75 / 12 = 72.92.
    client.force_login(manager)

    response = client.get("/priorities/")

    [(code, cells)] = ranked(response, "ranked-requirements", "data-code")
    assert code == essential.code
    assert cells[0] == "72.92"
    assert cells[4] == "importance 25.00 + gap 25.00 + criticality 16.67 + record 6.25"
    [(service, cells)] = ranked(response, "ranked-services", "data-service")
    assert service == "payments"
    # score, service, importance, performance, CSAT, breaches, parts
    assert cells[:7] == [
        "72.92",
        "Payments",
        "5.00",
        "2.00",
        "—",
        "1 / 3",
        "importance 25.00 + gap 25.00 + criticality 16.67 + record 6.25",
    ]


def test_periods_without_data_are_no_part_of_the_record(manager, customer_a):
    # Valid from January: January to October closed with no data at all, November breached (216 bad minutes).
    # The record is that one measured period: 1 breach of 1, half the budget spent.
    service = ServiceFactory(code="late-measured")
    measured_service(service, customer_a, {"2026-11": 216}, valid_from=dt.date(2026, 1, 1))

    record = analysis.service_records(manager, [service.pk])[service.pk]

    assert (record.periods, record.breaches, record.budget_spent) == (1, 1, Decimal("0.5"))


def test_a_service_never_measured_has_no_sla_result_and_no_watermelon(client, manager, customer_a):
    service = ServiceFactory(code="unmeasured", name="Unmeasured")
    measured_service(service, customer_a, {})
    campaign = CampaignFactory(customer=customer_a, services=[service])
    ResponseFactory(invitation=InvitationFactory(campaign=campaign), csat={service: 1})
    client.force_login(manager)

    assert analysis.service_records(manager, [service.pk])[service.pk].sla_met is None
    response = client.get("/priorities/")
    assert 'id="watermelons"' not in response.text


# --- the weights -----------------------------------------------------------------------------------------------------


@pytest.fixture
def pair(customer_a):
    """A: essential and nearly met (5, 4); B: middling and poorly met (3, 1); same tier 3 service, no record."""
    service = ServiceFactory(code="portal", name="Portal", criticality=3)
    return (
        RequirementFactory(customer=customer_a, service=service, importance=5, performance=4, statement="A"),
        RequirementFactory(customer=customer_a, service=service, importance=3, performance=1, statement="B"),
    )


def set_weights(importance, gap, criticality, record):
    weights = PriorityWeights.current()
    weights.importance, weights.gap, weights.criticality, weights.record = importance, gap, criticality, record
    weights.save()


def test_the_formula_shows_the_current_weights(client, manager):
    set_weights(Decimal("10.00"), Decimal("1.50"), 0, 2)
    client.force_login(manager)

    text = page_text(client.get("/priorities/"))

    assert "importance (weight 10) = (importance − 1) / 4" in text
    assert "performance gap (weight 1.5)" in text
    assert "criticality (weight 0)" in text
    assert "measured record (weight 2) = half the share of the last 3 closed periods that breached" in text


def test_a_heavy_gap_weight_ranks_the_poorly_met_requirement_first(client, manager, pair):
    # weights 1, 10, 1, 1: A = 100 x (1 + 10 x 0.25 + 1/3) / 13 = 29.49; B = 100 x (0.5 + 10 x 0.5 + 1/3) / 13 = 44.87
    set_weights(1, 10, 1, 1)
    client.force_login(manager)

    rows = ranked(client.get("/priorities/"), "ranked-requirements", "data-code")

    assert [(code, cells[0]) for code, cells in rows] == [(pair[1].code, "44.87"), (pair[0].code, "29.49")]


def test_a_heavy_importance_weight_ranks_the_essential_requirement_first(client, manager, pair):
    # weights 10, 1, 1, 1: A = 100 x (10 + 0.25 + 1/3) / 13 = 81.41; B = 100 x (5 + 0.5 + 1/3) / 13 = 44.87
    set_weights(10, 1, 1, 1)
    client.force_login(manager)

    rows = ranked(client.get("/priorities/"), "ranked-requirements", "data-code")

    assert [(code, cells[0]) for code, cells in rows] == [(pair[0].code, "81.41"), (pair[1].code, "44.87")]


# --- filters ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def spread(customer_a, customer_b):
    banking, warehouse = ServiceFactory(code="banking", name="Banking"), ServiceFactory(code="wms", name="WMS")
    return {
        "a-availability": RequirementFactory(customer=customer_a, service=banking, category=Category.AVAILABILITY),
        "a-security": RequirementFactory(customer=customer_a, service=banking, category=Category.SECURITY),
        "b-availability": RequirementFactory(customer=customer_b, service=warehouse, category=Category.AVAILABILITY),
        "b-rejected": RequirementFactory(
            customer=customer_b, service=warehouse, status=RequirementStatus.REJECTED, category=Category.CAPACITY
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"a-availability", "a-security", "b-availability"}),  # open requirements only
        ("?customer=acme", {"a-availability", "a-security"}),
        ("?service=wms", {"b-availability"}),
        ("?category=availability", {"a-availability", "b-availability"}),
        ("?customer=acme&category=security", {"a-security"}),
    ],
)
def test_filters_narrow_the_ranked_requirements(client, manager, spread, query, expected):
    client.force_login(manager)

    rows = ranked(client.get(f"/priorities/{query}"), "ranked-requirements", "data-code")

    assert {code for code, _cells in rows} == {spread[name].code for name in expected}


def test_the_customer_filter_also_narrows_the_services_and_the_ipa_chart(client, manager, spread):
    client.force_login(manager)

    response = client.get("/priorities/?customer=globex")

    assert [service for service, _cells in ranked(response, "ranked-services", "data-service")] == ["wms"]
    points = [point for trace in ipa_traces(response).values() for point in trace]
    assert [label for label, _x, _y in points] == ["Availability"]
    assert "Importance-Performance Analysis · Globex Logistics" in page_text(response)


def test_customers_cannot_open_the_priorities_page(client, alice):
    client.force_login(alice)

    assert client.get("/priorities/").status_code == 403


# --- the IPA figure --------------------------------------------------------------------------------------------------


def test_ipa_figure_places_each_category_at_its_mean_performance_and_importance(client, manager, customer_a):
    service = ServiceFactory(code="banking", name="Banking")
    campaign = CampaignFactory(customer=customer_a, services=[service])
    answers = [
        {"availability": (5, 2), "security": (4, 4), "usability": (2, 4), "other": (1, 1)},
        {"availability": (4, 2), "security": (4, 5), "usability": (2, 5), "other": (2, 2)},
    ]
    for categories in answers:
        ResponseFactory(invitation=InvitationFactory(campaign=campaign), categories=categories)
    # A requirement counts as one more rating of its category; a rejected one does not count.
    RequirementFactory(customer=customer_a, service=service, category="availability", importance=5, performance=2)
    RequirementFactory(
        customer=customer_a, service=service, category="other", importance=5, performance=5, status="rejected"
    )
    client.force_login(manager)

    traces = ipa_traces(client.get("/priorities/"))

    # availability: importance (5 + 4 + 5) / 3 = 4.67, performance 2 -> concentrate here;
    # security (4, 4.5) -> keep up; usability (2, 4.5) -> overkill; other (1.5, 1.5) -> low priority.
    assert traces == {
        "Concentrate here": [("Availability", 2.0, 4.67)],
        "Keep up the good work": [("Security", 4.5, 4.0)],
        "Low priority": [("Other", 1.5, 1.5)],
        "Possible overkill": [("Usability", 4.5, 2.0)],
    }


# --- watermelons -----------------------------------------------------------------------------------------------------


def rate(customer, service, *values):
    campaign = CampaignFactory(customer=customer, services=[service])
    for value in values:
        ResponseFactory(invitation=InvitationFactory(campaign=campaign), csat={service: value})


def test_a_service_whose_sla_is_met_but_whose_users_are_unhappy_is_a_watermelon(client, manager, customer_a):
    desk = ServiceFactory(code="service-desk", name="Service desk")
    measured_service(desk, customer_a, {"2026-09": 0, "2026-10": 3, "2026-11": 0})  # 3 of 432 minutes: met
    rate(customer_a, desk, 2, 3)  # CSAT 2.50
    client.force_login(manager)

    response = client.get("/priorities/")

    text = page_text(response)
    assert "Service desk: its SLAs are met, but its users rate it 2.50 of 5 (green outside, red inside)." in text
    assert 'data-flag="watermelon"' in response.text
    [(_code, cells)] = ranked(response, "ranked-services", "data-service")
    assert cells[1] == "Service desk watermelon"
    assert cells[4:6] == ["2.50", "0 / 3"]


def test_a_breached_service_that_users_rate_highly_is_a_reverse_watermelon(client, manager, customer_a, payments):
    rate(customer_a, payments, 4, 5)  # CSAT 4.50, November breached
    client.force_login(manager)

    text = page_text(client.get("/priorities/"))

    assert "Payments: an SLA was breached, yet its users rate it 4.50 of 5." in text


def test_a_met_service_that_users_rate_three_or_more_is_no_watermelon(client, manager, customer_a):
    desk = ServiceFactory(code="service-desk", name="Service desk")
    measured_service(desk, customer_a, {"2026-11": 0})
    rate(customer_a, desk, 3, 3)
    client.force_login(manager)

    assert 'id="watermelons"' not in client.get("/priorities/").text
