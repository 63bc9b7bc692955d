"""Service credit tiers: distinct thresholds, larger credits lower down, none above the objective; and what is due."""

from decimal import Decimal

import pytest

from agreements.models import ServiceCreditTier
from tests.agreements.forms_data import agreement_post, edit_post, target, targets_of, tier
from tests.agreements.page_checks import field_error, history_rows, saves_nothing
from tests.factories import CreditTierFactory

CREATE_URL = "/agreements/new/"


def post_tiers(client, customer, service, *tiers, objective="99.9"):
    return client.post(CREATE_URL, agreement_post(customer, [service], [target(tiers=tiers, objective=objective)]))


def tier_error(response, index, field):
    return field_error(response, f"id_targets-0-tiers-{index}-{field}")


def test_ladder_of_three_tiers_is_saved(manager_client, customer_a, service):
    response = post_tiers(manager_client, customer_a, service, tier("99.9", "5"), tier("99.5", "10"), tier("99", "25"))

    assert response.status_code == 302
    assert list(ServiceCreditTier.objects.values_list("below_attainment", "credit_percent")) == [
        (Decimal("99.900"), Decimal("5.00")),
        (Decimal("99.500"), Decimal("10.00")),
        (Decimal("99.000"), Decimal("25.00")),
    ]


def test_tiers_may_be_typed_in_any_order(manager_client, customer_a, service):
    response = post_tiers(manager_client, customer_a, service, tier("99", "25"), tier("99.5", "10"))

    assert response.status_code == 302
    assert ServiceCreditTier.objects.count() == 2


def test_two_tiers_with_the_same_threshold_are_refused(manager_client, customer_a, service):
    with saves_nothing():
        response = post_tiers(manager_client, customer_a, service, tier("99.5", "10"), tier("99.5", "20"))

    assert response.status_code == 200
    assert tier_error(response, 1, "below_attainment") == "Another tier already starts at this attainment."
    assert tier_error(response, 0, "below_attainment") == ""


@pytest.mark.parametrize("lower_credit", ["10", "5"], ids=["equal-credit", "smaller-credit"])
def test_lower_threshold_must_earn_a_larger_credit(manager_client, customer_a, service, lower_credit):
    with saves_nothing():
        response = post_tiers(manager_client, customer_a, service, tier("99.5", "10"), tier("99", lower_credit))

    assert response.status_code == 200
    assert tier_error(response, 1, "credit_percent") == (
        "Tiers overlap: a lower attainment must earn a larger credit than 10 %."
    )


def test_tier_above_the_objective_is_refused(manager_client, customer_a, service):
    with saves_nothing():
        response = post_tiers(manager_client, customer_a, service, tier("99.95", "10"), objective="99.9")

    assert response.status_code == 200
    assert tier_error(response, 0, "below_attainment") == "A credit tier cannot start above the objective (99.9 %)."


def test_tier_at_the_objective_is_accepted(manager_client, customer_a, service):
    response = post_tiers(manager_client, customer_a, service, tier("90", "10"), objective="90")

    assert response.status_code == 302
    assert ServiceCreditTier.objects.get().below_attainment == Decimal("90")


@pytest.mark.parametrize(
    ("credit", "error"),
    [
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("-5", "Ensure this value is greater than or equal to 0.01."),
        ("100.01", "Ensure this value is less than or equal to 100."),
        ("150", "Ensure this value is less than or equal to 100."),
    ],
)
def test_credit_of_zero_or_more_than_100_percent_is_refused(manager_client, customer_a, service, credit, error):
    with saves_nothing():
        response = post_tiers(manager_client, customer_a, service, tier("99.5", credit))

    assert response.status_code == 200
    assert tier_error(response, 0, "credit_percent") == error


def test_full_credit_is_accepted(manager_client, customer_a, service):
    assert post_tiers(manager_client, customer_a, service, tier("95", "100")).status_code == 302
    assert ServiceCreditTier.objects.get().credit_percent == Decimal("100")


def test_threshold_of_zero_is_refused(manager_client, customer_a, service):
    with saves_nothing():
        response = post_tiers(manager_client, customer_a, service, tier("0", "10"))

    assert tier_error(response, 0, "below_attainment") == "Ensure this value is greater than or equal to 0.001."


def test_editing_a_saved_tier_onto_another_threshold_is_refused(manager_client, agreement_a):
    availability = agreement_a.targets.get()
    CreditTierFactory(target=availability, below_attainment=Decimal("99.5"), credit_percent=Decimal("10"))
    CreditTierFactory(target=availability, below_attainment=Decimal("99"), credit_percent=Decimal("25"))
    targets = targets_of(agreement_a)
    targets[0]["tiers"][1]["below_attainment"] = "99.5"

    with saves_nothing():
        response = manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, targets))

    assert response.status_code == 200
    assert tier_error(response, 1, "below_attainment") == "Another tier already starts at this attainment."
    assert sorted(availability.credit_tiers.values_list("below_attainment", flat=True)) == [
        Decimal("99"),
        Decimal("99.5"),
    ]


def test_lowering_the_objective_under_a_saved_tier_is_refused(manager_client, agreement_a):
    CreditTierFactory(target=agreement_a.targets.get(), below_attainment=Decimal("99.5"), credit_percent=Decimal("10"))
    targets = targets_of(agreement_a)
    targets[0]["objective"] = "99"

    with saves_nothing():
        response = manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, targets))

    assert response.status_code == 200
    assert tier_error(response, 0, "below_attainment") == "A credit tier cannot start above the objective (99 %)."
    assert agreement_a.targets.get().objective == Decimal("99.9")


def test_deleted_tier_does_not_count_as_a_duplicate(manager_client, agreement_a):
    CreditTierFactory(target=agreement_a.targets.get(), below_attainment=Decimal("99.5"), credit_percent=Decimal("10"))
    targets = targets_of(agreement_a)
    targets[0]["tiers"][0]["DELETE"] = "on"
    targets[0]["tiers"].append(tier("99.5", "20"))

    response = manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, targets))

    assert response.status_code == 302
    assert list(ServiceCreditTier.objects.values_list("credit_percent", flat=True)) == [Decimal("20")]


@pytest.fixture
def ladder(agreement_a):
    """Acme's availability target (99.9 %) with tiers 99.5 % -> 10 % and 99 % -> 25 %; returns the posted targets."""
    availability = agreement_a.targets.get()
    CreditTierFactory(target=availability, below_attainment=Decimal("99.5"), credit_percent=Decimal("10"))
    CreditTierFactory(target=availability, below_attainment=Decimal("99"), credit_percent=Decimal("25"))
    return targets_of(agreement_a)


def saved_ladder():
    return sorted(ServiceCreditTier.objects.values_list("below_attainment", "credit_percent"), reverse=True)


def test_shifting_the_ladder_down_saves(manager_client, agreement_a, ladder):
    """The first tier moves onto the second's threshold while the second moves further down, in one POST."""
    ladder[0]["tiers"][0]["below_attainment"] = "99"
    ladder[0]["tiers"][1]["below_attainment"] = "98.5"

    response = manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, ladder))

    assert response.status_code == 302
    assert saved_ladder() == [(Decimal("99"), Decimal("10")), (Decimal("98.5"), Decimal("25"))]
    rows = history_rows(manager_client.get("/agreements/acme-sla/"))
    changes = sorted(change for who, _what, row in rows if who == "Minsu Park" for change in row)
    # The rows were parked on free thresholds on the way; the history shows only the move itself.
    assert changes == ["attainment below (%): 99.000 → 98.500", "attainment below (%): 99.500 → 99.000"]


def test_swapping_two_tiers_saves(manager_client, agreement_a, ladder):
    ladder[0]["tiers"][0].update(below_attainment="99", credit_percent="25")
    ladder[0]["tiers"][1].update(below_attainment="99.5", credit_percent="10")

    assert manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, ladder)).status_code == 302
    assert saved_ladder() == [(Decimal("99.5"), Decimal("10")), (Decimal("99"), Decimal("25"))]


def test_tier_may_take_the_threshold_of_a_tier_deleted_in_the_same_post(manager_client, agreement_a, ladder):
    ladder[0]["tiers"][0]["below_attainment"] = "99"
    ladder[0]["tiers"][1]["DELETE"] = "on"

    assert manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, ladder)).status_code == 302
    assert saved_ladder() == [(Decimal("99"), Decimal("10"))]
