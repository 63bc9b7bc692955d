"""``GET /api/v1/agreements/<code>/compliance?period=YYYY-MM``: who may read it, and the snapshot's numbers.

Agreement A (acme-sla, of customer A) has three targets: "availability" (no indicator, never evaluated),
"requests" (occurrences, 98 % in October, closed with a credit) and "uptime" (the burn scene of the evaluation
helpers: 99.9 % timeslices, 4,320 minutes to 4 Nov, the last two down). Everything is evaluated at 4 Nov 00:00 KST.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from agreements.choices import BudgetingMethod
from core.formatting import plain_number
from monitoring.evaluation import evaluate_targets
from tests.factories import CreditTierFactory
from tests.monitoring.evaluation_helpers import (
    BURN_AT,
    NOVEMBER,
    burning_target,
    kst,
    measured_target,
    record_counts,
    snapshot,
)
from tests.monitoring.factories import api_token_for, data_source_with_token

pytestmark = pytest.mark.django_db
D = Decimal
OCTOBER = kst(2026, 10, 1)


@pytest.fixture
def evaluated(agreement_a):
    """The uptime and requests targets of agreement A, with their data, evaluated at BURN_AT."""
    uptime = burning_target(agreement_a, code="uptime", name="Uptime")
    requests = measured_target(agreement=agreement_a, code="requests", probe=False, method=BudgetingMethod.OCCURRENCES)
    CreditTierFactory(target=requests, below_attainment=D("99.9"), credit_percent=D("10"))
    CreditTierFactory(target=requests, below_attainment=D("99"), credit_percent=D("25"))
    record_counts(requests, {kst(2026, 10, 15, 12): (98_000, 100_000)})  # 98 %
    evaluate_targets([uptime.pk, requests.pk], BURN_AT)
    return {"uptime": uptime, "requests": requests}


def url(code="acme-sla", period="2026-11"):
    return f"/api/v1/agreements/{code}/compliance" + (f"?period={period}" if period is not None else "")


def compliance(client, user, period="2026-11"):
    client.force_login(user)
    response = client.get(url(period=period))
    assert response.status_code == 200, response.content
    return response.json()


def by_code(body):
    return {target["code"]: target for target in body["targets"]}


# --- who may read it -----------------------------------------------------------------------------------------------


def test_an_anonymous_caller_is_asked_to_authenticate(client, agreement_a):
    response = client.get(url())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("outsider", ["bob", "nobody"])
def test_another_customers_agreement_does_not_exist_for_them(client, agreement_a, outsider, request):
    client.force_login(request.getfixturevalue(outsider))
    assert client.get(url()).status_code == 404


@pytest.mark.parametrize("reader", ["alice", "manager"])
def test_the_customer_and_the_service_manager_may_read_it(client, agreement_a, reader, request):
    body = compliance(client, request.getfixturevalue(reader))
    assert (body["agreement"], body["customer"], body["period"]) == ("acme-sla", "Acme Bank", "2026-11")


def test_a_personal_api_token_reads_as_its_person(client, agreement_a, alice, bob):
    _, alices = api_token_for(alice)
    _, bobs = api_token_for(bob)
    assert client.get(url(), HTTP_AUTHORIZATION=f"Bearer {alices}").status_code == 200
    assert client.get(url(), HTTP_AUTHORIZATION=f"Bearer {bobs}").status_code == 404


def test_a_data_source_token_may_not_read_compliance(client, agreement_a):
    _, token = data_source_with_token()
    assert client.get(url(), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403


def test_an_unknown_agreement_is_not_found(client, manager):
    client.force_login(manager)
    assert client.get(url(code="no-such-sla")).status_code == 404


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "November", "2026-11-01", "", "0001-01", "9999-12"])
def test_a_malformed_period_is_a_bad_request(client, agreement_a, alice, period):
    client.force_login(alice)
    response = client.get(url(period=period))
    assert response.status_code == 400
    assert "is not a month in the form YYYY-MM" in response.json()["period"][0]


def test_without_a_period_it_answers_for_this_month(client, agreement_a, alice):
    assert compliance(client, alice, period=None)["period"] == timezone.localtime().strftime("%Y-%m")


# --- what it says --------------------------------------------------------------------------------------------------


def test_an_open_period_shows_attainment_budget_and_burn_rates_by_window(client, alice, evaluated):
    uptime = by_code(compliance(client, alice))["uptime"]
    # 4,318 good of 4,320 minutes: 0.99953703...; budget 43.2 minutes, 2 spent, 41.2 left, 1 - 2 / 43.2 remaining.
    assert uptime["attainment"] == "0.999537037037"
    assert uptime["attainment_percent"] == "99.9537037037"
    assert (uptime["objective_percent"], uptime["method"], uptime["window"]) == ("99.9", "timeslices", "month")
    assert uptime["error_budget"] == {
        "unit": "minutes",
        "total": "43.2",
        "consumed": "2",
        "left": "41.2",
        "remaining": "0.953703703704",
    }
    # Burn rates keyed by look-back window: 2 bad in 5 m, 30 m, 1 h, 6 h and 3 d, over 0.001.
    assert uptime["burn_rates"] == {
        "5m": "400",
        "30m": "66.666666666667",
        "1h": "33.333333333333",
        "6h": "5.555555555556",
        "3d": "0.462962962963",
    }
    assert uptime["status"] == "at_risk"  # page-1h fires
    assert uptime["credit"] == {"percent": "0", "amount": "0", "currency": "KRW"}
    period = uptime["period"]
    assert (period["label"], period["closed"]) == ("2026-11", False)
    assert dt.datetime.fromisoformat(period["start"]) == NOVEMBER
    assert dt.datetime.fromisoformat(uptime["evaluated_at"]) == BURN_AT


def test_a_closed_period_shows_its_status_and_the_credit_due(client, alice, evaluated):
    requests = by_code(compliance(client, alice, period="2026-10"))["requests"]
    # 98,000 / 100,000 = 0.98: under both tiers; the lowest one, 99 %, credits 25 % of 1,000,000 KRW.
    assert (requests["attainment"], requests["status"], requests["period"]["closed"]) == ("0.98", "breached", True)
    assert requests["credit"] == {"percent": "25", "amount": "250000", "currency": "KRW"}
    # Event budget: 0.001 x 100,000 = 100 events; 2,000 bad; remaining 1 - 2000 / 100 = -19.
    assert requests["error_budget"] == {
        "unit": "events",
        "total": "100",
        "consumed": "2000",
        "left": "-1900",
        "remaining": "-19",
    }
    assert requests["burn_rates"] == {}  # burn rates belong to the open period only


def as_shown(value):
    """How the API writes a number: plain (no exponent, no trailing zeros), or null."""
    return None if value is None else plain_number(value)


def test_the_numbers_are_the_snapshots(client, alice, evaluated):
    # October: requests closed and breached, uptime without data; November: uptime burning, requests without data.
    for month, start in (("2026-10", OCTOBER), ("2026-11", NOVEMBER)):
        targets = by_code(compliance(client, alice, period=month))
        for code, target in evaluated.items():
            row, shown = snapshot(target, start), targets[code]
            assert (shown["attainment"], shown["status"], shown["objective_percent"]) == (
                as_shown(row.attainment),
                row.status,
                as_shown(row.objective),
            ), (month, code)
            assert shown["error_budget"] == {
                "unit": row.budget_unit,
                "total": as_shown(row.budget_total),
                "consumed": as_shown(row.budget_consumed),
                "left": as_shown(row.budget_left),
                "remaining": as_shown(row.budget_remaining),
            }
            assert sorted(shown["burn_rates"].values(), key=str) == sorted(row.burn_rates.values(), key=str)
            assert shown["credit"]["amount"] == as_shown(row.credit_amount)


def test_a_target_without_a_snapshot_has_no_data(client, alice, evaluated):
    availability = by_code(compliance(client, alice))["availability"]
    assert availability["status"] == "no_data"
    assert availability["indicator"] is None
    assert availability["objective_percent"] == "99.9"
    for empty in ("period", "attainment", "attainment_percent", "error_budget", "credit", "evaluated_at"):
        assert availability[empty] is None
    assert availability["burn_rates"] == {}


def test_a_month_before_any_data_has_no_data_snapshots(client, alice, evaluated):
    # September was evaluated (the agreement runs from January) and found empty.
    targets = by_code(compliance(client, alice, period="2026-09"))
    assert targets["uptime"]["status"] == targets["requests"]["status"] == "no_data"
    assert targets["uptime"]["error_budget"]["total"] == "43.2"  # 30 days x 1,440 x 0.001
    assert targets["uptime"]["attainment"] is None


def test_a_month_not_yet_evaluated_has_no_data(client, alice, evaluated):
    targets = by_code(compliance(client, alice, period="2026-12"))
    assert {target["status"] for target in targets.values()} == {"no_data"}
    assert {target["period"] is None for target in targets.values()} == {True}
