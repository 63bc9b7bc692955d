"""``/api/v1/agreements/<code>/targets``: an agreement's targets, each written through the agreement page's target
formset (credit tiers nested, the targets it rests on by "<agreement>/<target>", the indicator by code)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from agreements.choices import AgreementKind, AgreementStatus, BudgetingMethod
from agreements.models import Agreement, ServiceCreditTier, ServiceLevelTarget
from monitoring.models import TargetIndicator
from tests.agreements.api_checks import every_page, results, schema_paths, signed_in
from tests.api_ladder import Call, climb
from tests.factories import AgreementFactory, CreditTierFactory, TargetFactory
from tests.monitoring.factories import IndicatorFactory, api_token_for

URL = "/api/v1/agreements/acme-sla/targets"


@pytest.fixture
def cast(alice, bob, manager):
    return {"owner": alice, "outsider": bob, "manager": manager}


@pytest.fixture
def ola(customer_a):
    """An OLA of the provider's operations team, whose target an SLA target may rest on."""
    agreement = AgreementFactory(code="ops-ola", kind=AgreementKind.OLA, customer=customer_a)
    TargetFactory(agreement=agreement, code="platform-up", name="Platform up", objective=Decimal("99.95"))
    return agreement


@pytest.fixture
def indicator(agreement_a):
    return IndicatorFactory(code="checkout-requests", name="Checkout requests", service=agreement_a.services.get())


def new_target(**fields):
    return {
        "code": "latency",
        "name": "Fast answers",
        "objective": "99.5",
        "window_kind": "calendar",
        "calendar_period": "month",
        "budgeting_method": "occurrences",
        "credit_tiers": [
            {"below_attainment": "99.5", "credit_percent": "5"},
            {"below_attainment": "99", "credit_percent": "10"},
        ],
        **fields,
    }


def codes(agreement):
    return list(agreement.targets.order_by("code").values_list("code", flat=True))


def test_the_ladder_for_list_and_detail(agreement_a, cast):
    TargetFactory(agreement=agreement_a, code="latency", name="Latency")
    assert results(climb(Call("get", URL), **cast)) == ["availability", "latency"]
    target = climb(Call("get", f"{URL}/availability"), **cast).json()
    assert (target["agreement"], target["code"], target["objective"]) == ("acme-sla", "availability", "99.900")
    assert (target["credit_tiers"], target["rests_on"], target["indicator"]) == ([], [], None)


def test_a_target_is_created_with_its_tiers_links_and_indicator(agreement_a, ola, indicator, cast):
    body = new_target(rests_on=["ops-ola/platform-up"], indicator="checkout-requests")
    created = climb(Call("post", URL, body), **cast).json()
    assert created["objective"] == "99.500"  # in percent, as it was written
    assert created["credit_tiers"] == [
        {"below_attainment": "99.500", "credit_percent": "5.00"},
        {"below_attainment": "99.000", "credit_percent": "10.00"},
    ]
    assert (created["rests_on"], created["indicator"]) == (["ops-ola/platform-up"], "checkout-requests")
    target = agreement_a.targets.get(code="latency")
    assert target.objective == Decimal("99.5")
    assert TargetIndicator.objects.get(target=target).indicator == indicator
    assert [link.underpinning.code for link in target.underpinning_links.all()] == ["platform-up"]
    assert codes(agreement_a) == ["availability", "latency"]  # the refused rungs stored nothing


def test_a_target_is_changed_and_the_history_names_the_api_user(agreement_a, cast):
    CreditTierFactory(target=agreement_a.targets.get(), below_attainment=Decimal("99.9"), credit_percent=10)
    patched = climb(Call("patch", f"{URL}/availability", {"objective": "99.95"}), **cast).json()
    assert patched["objective"] == "99.950"
    assert patched["credit_tiers"] == [{"below_attainment": "99.900", "credit_percent": "10.00"}]  # left as it was

    body = new_target(code="availability", name="Availability", objective="99.9", credit_tiers=[])
    put = climb(Call("put", f"{URL}/availability", body), **cast).json()
    assert (put["name"], put["objective"], put["credit_tiers"]) == ("Availability", "99.900", [])

    _, token = api_token_for(cast["manager"])
    scripted = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    tiers = [{"below_attainment": "99.5", "credit_percent": "15"}]
    assert scripted.patch(f"{URL}/availability", {"credit_tiers": tiers}, format="json").status_code == 200
    tier = ServiceCreditTier.objects.get()
    assert (tier.credit_percent, tier.history.first().history_user) == (Decimal("15"), cast["manager"])
    assert ServiceLevelTarget.history.filter(code="availability").first().history_user == cast["manager"]


def test_deleting_the_last_target_of_an_active_agreement_is_a_conflict(agreement_a, cast):
    refused = signed_in(cast["manager"]).delete(f"{URL}/availability")
    assert refused.status_code == 409
    assert refused.json() == {"detail": ["An active agreement needs at least one service level target."]}
    TargetFactory(agreement=agreement_a, code="latency")
    climb(Call("delete", f"{URL}/latency"), **cast)
    assert codes(agreement_a) == ["availability"]


def test_the_objective_is_read_and_written_in_percent_and_checked_as_on_the_page(agreement_a, manager):
    client = signed_in(manager)
    too_high = client.patch(f"{URL}/availability", {"objective": "100"}, format="json")
    assert too_high.status_code == 400
    assert too_high.json() == {"objective": ["Ensure this value is less than or equal to 99.999."]}
    assert client.patch(f"{URL}/availability", {"objective": 99.99}, format="json").json()["objective"] == "99.990"
    assert ServiceLevelTarget.objects.get().objective_fraction == Decimal("0.9999")


def test_credit_tiers_are_checked_as_on_the_page_and_nothing_is_stored(agreement_a, manager):
    client = signed_in(manager)
    above = client.post(
        URL, new_target(credit_tiers=[{"below_attainment": "99.8", "credit_percent": "5"}]), format="json"
    )
    assert above.status_code == 400
    assert above.json() == {
        "credit_tiers": {"0": {"below_attainment": ["A credit tier cannot start above the objective (99.5 %)."]}}
    }
    tiers = [
        {"below_attainment": "99", "credit_percent": "10"},
        {"below_attainment": "98", "credit_percent": "10"},  # not more than the tier above
    ]
    overlapping = client.post(URL, new_target(credit_tiers=tiers), format="json")
    assert overlapping.json() == {
        "credit_tiers": {
            "1": {"credit_percent": ["Tiers overlap: a lower attainment must earn a larger credit than 10 %."]}
        }
    }
    unknown = client.post(URL, new_target(credit_tiers=[{"below": "99", "credit": "5"}]), format="json")
    assert unknown.json() == {
        "credit_tiers": {"0": {"below": ["There is no such field."], "credit": ["There is no such field."]}}
    }
    assert codes(agreement_a) == ["availability"]
    assert not ServiceCreditTier.objects.exists()


def test_a_code_is_unique_in_its_agreement_and_cannot_change(agreement_a, manager):
    client = signed_in(manager)
    twice = client.post(URL, new_target(code="availability"), format="json")
    assert twice.status_code == 400
    assert twice.json() == {  # the page's formset finds the two codes
        "non_field_errors": [
            "Please correct the duplicate values below.",
            "Please correct the duplicate data for code.",
        ]
    }
    renamed = client.patch(f"{URL}/availability", {"code": "uptime", "agreement": "globex-sla"}, format="json")
    assert renamed.json() == {
        "agreement": ["There is no such field."],
        "code": ["The code cannot change once created."],
    }
    assert codes(agreement_a) == ["availability"]


def test_links_follow_the_pages_rules(agreement_a, ola, manager):
    other_ola = AgreementFactory(code="net-ola", kind=AgreementKind.OLA, customer=agreement_a.customer)
    TargetFactory(agreement=other_ola, code="network-up")
    client = signed_in(manager)
    wrong_kind = client.patch(
        "/api/v1/agreements/ops-ola/targets/platform-up", {"rests_on": ["net-ola/network-up"]}, format="json"
    )
    assert wrong_kind.status_code == 400
    assert wrong_kind.json() == {
        "rests_on": ["An OLA target may rest only on targets of UCs, not on net-ola / network-up."]
    }
    unknown = client.patch(f"{URL}/availability", {"rests_on": ["acme-sla/availability"]}, format="json")
    assert unknown.json() == {"rests_on": ["“acme-sla/availability” is not a valid value."]}
    assert not agreement_a.targets.get().underpinning_links.exists()


def test_an_unknown_indicator_is_refused(agreement_a, indicator, manager):
    response = signed_in(manager).patch(f"{URL}/availability", {"indicator": "no-such-sli"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"indicator": ["Select a valid choice. That choice is not one of the available choices."]}
    assert not TargetIndicator.objects.exists()


def test_targets_of_an_expired_agreement_no_longer_change(agreement_a, manager):
    Agreement.objects.filter(pk=agreement_a.pk).update(status=AgreementStatus.EXPIRED)
    client = signed_in(manager)
    for response in (
        client.post(URL, new_target(), format="json"),
        client.patch(f"{URL}/availability", {"name": "Up"}, format="json"),
        client.delete(f"{URL}/availability"),
    ):
        assert response.status_code == 409
        assert response.json() == {"detail": ["An expired or terminated agreement cannot be edited."]}
    assert list(agreement_a.targets.values_list("name", flat=True)) == ["Availability"]


def test_a_draft_agreement_may_lose_its_last_target(customer_a, manager):
    draft = AgreementFactory(code="acme-draft", customer=customer_a)
    TargetFactory(agreement=draft, code="availability")
    assert signed_in(manager).delete("/api/v1/agreements/acme-draft/targets/availability").status_code == 204
    assert not draft.targets.exists()


def test_filters_ordering_and_pages(agreement_a, manager):
    TargetFactory(agreement=agreement_a, code="b-slices", budgeting_method=BudgetingMethod.TIMESLICES, objective=99)
    TargetFactory(agreement=agreement_a, code="c-fast", name="Fast answers", objective=Decimal("95"))
    client = signed_in(manager)
    assert results(client.get(f"{URL}?budgeting_method=timeslices")) == ["b-slices"]
    assert results(client.get(f"{URL}?q=fast")) == ["c-fast"]
    assert results(client.get(f"{URL}?ordering=-objective")) == ["availability", "b-slices", "c-fast"]
    assert every_page(client, URL) == [["availability"], ["b-slices"], ["c-fast"]]


def test_another_customers_agreement_has_no_targets_for_them(agreement_a, agreement_b, bob):
    assert signed_in(bob).get(URL).status_code == 404
    assert results(signed_in(bob).get("/api/v1/agreements/globex-sla/targets")) == ["availability"]


def test_the_schema_lists_the_targets_with_the_indicator(manager):
    paths = schema_paths(manager)
    assert {"/api/v1/agreements/{agreement}/targets", "/api/v1/agreements/{agreement}/targets/{code}"} <= set(paths)
    target = signed_in(manager).get("/api/schema/?format=json").json()["components"]["schemas"]["Target"]
    assert {"objective", "credit_tiers", "rests_on", "indicator"} <= set(target["properties"])


def test_a_link_to_an_agreement_the_reader_cannot_see_is_not_shown(agreement_a, ola, customer_b, alice, manager):
    supplier = AgreementFactory(code="globex-uc", kind=AgreementKind.UC, customer=customer_b)
    TargetFactory(agreement=supplier, code="power", name="Power")
    body = {"rests_on": ["ops-ola/platform-up", "globex-uc/power"]}
    assert signed_in(manager).patch(f"{URL}/availability", body, format="json").json()["rests_on"] == sorted(
        body["rests_on"]
    )
    assert signed_in(alice).get(f"{URL}/availability").json()["rests_on"] == ["ops-ola/platform-up"]


def test_an_empty_body_is_refused_not_skipped_as_a_blank_row(agreement_a, manager):
    for response in (signed_in(manager).post(URL, {}, format="json"), signed_in(manager).post(URL)):
        assert response.status_code == 400
        assert response.json() == {name: ["This field is required."] for name in ("code", "name", "objective")}
    assert codes(agreement_a) == ["availability"]
