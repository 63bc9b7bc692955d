"""The agreement page: one POST saves an agreement with its targets and credit tiers, or saves nothing at all."""

import re
from decimal import Decimal

import pytest

from agreements.choices import AgreementStatus
from agreements.models import Agreement, ServiceCreditTier, ServiceLevelTarget
from tests.agreements.forms_data import agreement_post, edit_post, target, tier
from tests.agreements.page_checks import field_error, page_text, saves_nothing
from tests.factories import CreditTierFactory

CREATE_URL = "/agreements/new/"


def two_targets_with_a_tier():
    return [
        target("availability", [tier("99.5", "10")], name="Availability", objective="99.9"),
        target(
            "api-latency",
            name="API latency",
            objective="95",
            window_kind="rolling",
            rolling_days="28",
            calendar_period="",
            budgeting_method="timeslices",
            slice_minutes="5",
        ),
    ]


def test_manager_creates_sla_with_two_targets_and_a_credit_tier_in_one_post(manager_client, customer_a, service):
    page = manager_client.get(CREATE_URL)
    assert page.status_code == 200
    assert 'name="targets-TOTAL_FORMS" value="0"' in page.text
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        assert f'name="targets-{name}"' in page.text
        # A new target's tier formset, in the template the page's script copies and numbers.
        assert f'name="targets-__prefix__-tiers-{name}"' in page.text
    assert 'name="targets-__prefix__-tiers-__tier__-below_attainment"' in page.text
    data = agreement_post(customer_a, [service], two_targets_with_a_tier(), code="acme-2026", title="Acme 2026")

    response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 302
    assert response["Location"] == "/agreements/acme-2026/"
    agreement = Agreement.objects.get(code="acme-2026")
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.customer == customer_a
    assert list(agreement.services.all()) == [service]
    availability = agreement.targets.get(code="availability")
    latency = agreement.targets.get(code="api-latency")
    assert (availability.objective, availability.calendar_period, availability.rolling_days) == (
        Decimal("99.900"),
        "month",
        None,
    )
    assert (latency.objective, latency.window_kind, latency.rolling_days, latency.calendar_period) == (
        Decimal("95.000"),
        "rolling",
        28,
        "",
    )
    assert [(t.below_attainment, t.credit_percent) for t in availability.credit_tiers.all()] == [
        (Decimal("99.500"), Decimal("10.00"))
    ]
    assert not latency.credit_tiers.exists()

    text = page_text(manager_client.get(response["Location"]))
    assert "Agreement acme-2026 saved." in text
    assert "Availability ≥ 99.9 %" in text
    assert "API latency ≥ 95 %" in text
    assert "rolling 28 days" in text
    assert "below 99.5 %: 10 % credit" in text
    assert "Online banking" in text


def test_edit_data_uses_exactly_the_names_the_edit_page_renders(manager_client, agreement_a):
    """The hand-built POST of these tests is what the browser would send, down to the nested tier prefixes."""
    CreditTierFactory(target=agreement_a.targets.get(), below_attainment=Decimal("99.5"))

    page = manager_client.get("/agreements/acme-sla/edit/")

    rendered = set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', page.text))
    sent = set(edit_post(agreement_a))
    assert sent <= rendered
    assert {"targets-0-tiers-TOTAL_FORMS", "targets-0-tiers-0-below_attainment", "targets-0-tiers-0-id"} <= sent
    # What the page has and the tests leave out: checkboxes left unticked, the parent links the formsets fill in.
    left_out = {name for name in rendered - sent if "__" not in name and name.startswith("targets-")}
    assert {name.rsplit("-", 1)[1] for name in left_out} <= {"DELETE", "agreement", "target", "indicator"}


def test_manager_edits_agreement_fields(manager_client, agreement_a):
    response = manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, title="Acme banking 2027"))

    assert response.status_code == 302
    agreement_a.refresh_from_db()
    assert agreement_a.title == "Acme banking 2027"
    assert agreement_a.targets.count() == 1


def test_code_cannot_change_once_created(manager_client, agreement_a):
    response = manager_client.post("/agreements/acme-sla/edit/", edit_post(agreement_a, code="renamed"))

    assert response.status_code == 302
    assert Agreement.objects.filter(code="acme-sla").exists()
    assert not Agreement.objects.filter(code="renamed").exists()


@pytest.mark.parametrize("status", [AgreementStatus.EXPIRED, AgreementStatus.TERMINATED])
def test_ended_agreement_cannot_be_edited(manager_client, agreement_a, status):
    Agreement.objects.filter(pk=agreement_a.pk).update(status=status)

    with saves_nothing():
        response = manager_client.post(
            "/agreements/acme-sla/edit/", edit_post(agreement_a, title="Changed after the end"), follow=True
        )

    assert response.redirect_chain == [("/agreements/acme-sla/", 302)]
    assert "An expired or terminated agreement cannot be edited." in page_text(response)
    agreement_a.refresh_from_db()
    assert agreement_a.title == "Acme online banking"


@pytest.mark.parametrize("valid_to", ["2026-01-01", "2025-12-31"], ids=["equal", "earlier"])
def test_valid_to_must_be_after_valid_from(manager_client, customer_a, service, valid_to):
    data = agreement_post(customer_a, [service], [target()], valid_from="2026-01-01", valid_to=valid_to)

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert field_error(response, "id_valid_to") == "The end date must be after the start date."


def test_open_ended_agreement_is_accepted(manager_client, customer_a, service):
    response = manager_client.post(CREATE_URL, agreement_post(customer_a, [service], [target()], valid_to=""))

    assert response.status_code == 302
    assert Agreement.objects.get(code="new-sla").valid_to is None


def test_next_review_cannot_be_before_valid_from(manager_client, customer_a, service):
    data = agreement_post(customer_a, [service], [target()], valid_from="2026-01-01", next_review="2025-12-31")

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert field_error(response, "id_next_review") == "The review cannot be before the agreement starts."


def test_next_review_on_the_first_day_is_accepted(manager_client, customer_a, service):
    data = agreement_post(customer_a, [service], [target()], valid_from="2026-01-01", next_review="2026-01-01")

    assert manager_client.post(CREATE_URL, data).status_code == 302
    assert str(Agreement.objects.get(code="new-sla").next_review) == "2026-01-01"


def test_code_already_taken_is_refused(manager_client, agreement_a, customer_a, service):
    data = agreement_post(customer_a, [service], [target()], code="acme-sla", title="A second Acme SLA")

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert field_error(response, "id_code") == "Agreement with this Code already exists."
    assert Agreement.objects.get(code="acme-sla").title == "Acme online banking"


@pytest.mark.parametrize("code", ["new", "edit", "status", "New"])
def test_reserved_codes_are_refused(manager_client, customer_a, service, code):
    with saves_nothing():
        response = manager_client.post(CREATE_URL, agreement_post(customer_a, [service], [target()], code=code))

    assert response.status_code == 200
    assert field_error(response, "id_code") == f"“{code}” is reserved; choose another code."


def test_agreement_without_service_is_refused(manager_client, customer_a):
    with saves_nothing():
        response = manager_client.post(CREATE_URL, agreement_post(customer_a, [], [target()]))

    assert response.status_code == 200
    assert field_error(response, "id_services") == "This field is required."


def test_invalid_tier_saves_neither_the_agreement_nor_its_targets(manager_client, customer_a, service):
    targets = two_targets_with_a_tier()
    targets[0]["tiers"] = [tier("99.5", "0")]

    with saves_nothing():
        response = manager_client.post(CREATE_URL, agreement_post(customer_a, [service], targets))

    assert response.status_code == 200
    assert field_error(response, "id_targets-0-tiers-0-credit_percent") == (
        "Ensure this value is greater than or equal to 0.01."
    )
    assert field_error(response, "id_code") == ""


def test_invalid_agreement_saves_none_of_its_valid_targets_and_tiers(manager_client, customer_a, service):
    data = agreement_post(customer_a, [service], two_targets_with_a_tier(), valid_to="2025-01-01")

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert field_error(response, "id_valid_to") == "The end date must be after the start date."
    # The targets come back as typed, ready to save once the date is fixed.
    assert 'name="targets-1-code" value="api-latency"' in response.text
    assert ServiceLevelTarget.objects.filter(code="api-latency").count() == 0


def test_errors_in_agreement_and_tier_are_shown_together(manager_client, customer_a, service):
    targets = [target(tiers=[tier("99.95", "10")], objective="99.9")]
    data = agreement_post(customer_a, [service], targets, code="status")

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert field_error(response, "id_code") == "“status” is reserved; choose another code."
    assert field_error(response, "id_targets-0-tiers-0-below_attainment") == (
        "A credit tier cannot start above the objective (99.9 %)."
    )
    assert ServiceCreditTier.objects.count() == 0
