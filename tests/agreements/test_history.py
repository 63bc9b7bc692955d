"""The change history on an agreement's page: who changed what, with old and new values, deleted rows included."""

from decimal import Decimal

import pytest

from agreements.models import ServiceCreditTier
from tests.agreements.forms_data import edit_post, target, targets_of
from tests.agreements.page_checks import history_rows
from tests.factories import CreditTierFactory, ServiceFactory, TargetFactory

DETAIL_URL = "/agreements/acme-sla/"
EDIT_URL = "/agreements/acme-sla/edit/"


@pytest.fixture
def tiered(agreement_a):
    """Acme's SLA with two credit tiers on its availability target (99.9 %)."""
    availability = agreement_a.targets.get()
    CreditTierFactory(target=availability, below_attainment=Decimal("99.5"), credit_percent=Decimal("10"))
    CreditTierFactory(target=availability, below_attainment=Decimal("99"), credit_percent=Decimal("25"))
    return agreement_a


def test_objective_change_and_deleted_tier_show_who_and_old_and_new_values(manager_client, tiered):
    targets = targets_of(tiered)
    targets[0]["objective"] = "99.95"
    lower = next(row for row in targets[0]["tiers"] if row["below_attainment"] == "99.000")
    lower["DELETE"] = "on"

    response = manager_client.post(EDIT_URL, edit_post(tiered, targets))

    assert response.status_code == 302
    assert tiered.targets.get().objective == Decimal("99.950")
    assert list(ServiceCreditTier.objects.values_list("below_attainment", flat=True)) == [Decimal("99.500")]
    rows = history_rows(manager_client.get(DETAIL_URL))
    assert ("Minsu Park", "Target Availability (changed)", ["objective (%): 99.900 → 99.950"]) in rows
    assert ("Minsu Park", "Credit tier of Availability (below 99 %: 25 % credit) (deleted)", []) in rows
    # The tier that stayed has no entry of the manager's.
    assert not [row for row in rows if row[0] == "Minsu Park" and "99.5 %" in row[1]]


def test_agreement_changes_name_customer_and_services_not_ids(manager_client, agreement_a, customer_b):
    card_payments = ServiceFactory(code="card-payments", name="Card payments")
    data = edit_post(agreement_a, title="Acme banking 2027", customer=str(customer_b.pk))
    data["services"] = [str(card_payments.pk)]

    assert manager_client.post(EDIT_URL, data).status_code == 302

    rows = [row for row in history_rows(manager_client.get(DETAIL_URL)) if row[0] == "Minsu Park"]
    assert {what for _who, what, _changes in rows} == {"Agreement (changed)"}
    changes = [change for _who, _what, row_changes in rows for change in row_changes]
    assert "customer: Acme Bank → Globex Logistics" in changes
    assert "title: Acme online banking → Acme banking 2027" in changes
    # The form's set() records the removal and the addition separately; the page shows them as one change.
    services = [change for change in changes if change.startswith("services:")]
    assert len(services) == 1
    assert services[0].endswith("→ Card payments")
    assert "—" not in services[0]


def test_added_and_deleted_targets_appear_in_the_history(manager_client, agreement_a):
    TargetFactory(agreement=agreement_a, code="latency", name="Latency")
    targets = targets_of(agreement_a)
    latency = next(row for row in targets if row["code"] == "latency")
    latency["DELETE"] = "on"
    targets.append(target("desk", name="Service desk response"))

    assert manager_client.post(EDIT_URL, edit_post(agreement_a, targets)).status_code == 302

    rows = history_rows(manager_client.get(DETAIL_URL))
    assert ("Minsu Park", "Target Latency (deleted)", []) in rows
    assert ("Minsu Park", "Target Service desk response (created)", []) in rows
    assert set(agreement_a.targets.values_list("code", flat=True)) == {"availability", "desk"}


def test_saving_without_changes_adds_no_history_entry(manager_client, tiered):
    before = history_rows(manager_client.get(DETAIL_URL))

    assert manager_client.post(EDIT_URL, edit_post(tiered)).status_code == 302

    assert history_rows(manager_client.get(DETAIL_URL)) == before


def test_changes_made_outside_a_request_are_shown_as_the_system(manager_client, agreement_a):
    availability = agreement_a.targets.get()
    availability.objective = Decimal("99.5")
    availability.save()

    rows = history_rows(manager_client.get(DETAIL_URL))

    assert rows[0] == ("system", "Target Availability (changed)", ["objective (%): 99.900 → 99.500"])


def test_history_is_newest_first(manager_client, agreement_a):
    for title in ("First title", "Second title"):
        assert manager_client.post(EDIT_URL, edit_post(agreement_a, title=title)).status_code == 302

    rows = history_rows(manager_client.get(DETAIL_URL))

    assert rows[0][2] == ["title: First title → Second title"]
    assert rows[1][2] == ["title: Acme online banking → First title"]
    assert rows[-1][1] in {"Agreement (created)", "Target Availability (created)"}


def test_customer_user_reads_the_history_of_their_agreement(client, manager_client, agreement_a, alice):
    assert manager_client.post(EDIT_URL, edit_post(agreement_a, title="Renamed")).status_code == 302
    client.force_login(alice)

    rows = history_rows(client.get(DETAIL_URL))

    assert rows[0] == ("Minsu Park", "Agreement (changed)", ["title: Acme online banking → Renamed"])
