"""A service manager writes and activates an SLA in the browser; its customer reads it; the other customer cannot."""

import pytest

from agreements.models import Agreement
from tests.browser.conftest import log_in
from tests.factories import ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_target(page, index, *, code, name, objective):
    prefix = f"#id_targets-{index}-"
    page.fill(prefix + "code", code)
    page.fill(prefix + "name", name)
    page.fill(prefix + "objective", objective)


def test_manager_creates_and_activates_sla_customer_reads_it_outsider_cannot(new_page, manager, alice, bob):
    ServiceFactory(code="internet-banking", name="Internet Banking")

    page = log_in(new_page(), "manager")
    page.goto("/agreements/new/")
    page.fill("#id_code", "acme-digital")
    page.fill("#id_title", "Digital banking")
    page.select_option("#id_customer", label="Acme Bank")
    page.select_option("#id_services", label="Internet Banking")
    page.fill("#id_valid_from", "2026-01-01")
    page.fill("#id_valid_to", "2027-01-01")
    page.fill("#id_monthly_fee", "42000000")

    page.click("[data-add-form=targets]")
    page.click("[data-add-form=targets]")
    fill_target(page, 0, code="availability", name="Availability", objective="99.9")
    page.select_option("#id_targets-0-budgeting_method", "timeslices")
    fill_target(page, 1, code="latency", name="Requests under 300 ms", objective="99")
    page.click("[data-add-form='targets-0-tiers']")
    page.fill("#id_targets-0-tiers-0-below_attainment", "99.9")
    page.fill("#id_targets-0-tiers-0-credit_percent", "10")
    page.click("#save-agreement")

    page.wait_for_url("**/agreements/acme-digital/")
    assert page.locator("#target-availability").is_visible()
    assert "99.9 %" in page.locator("#target-availability").inner_text()
    assert "below 99.9 %: 10 % credit" in page.locator("#target-availability").inner_text()
    assert page.locator("#target-latency").is_visible()

    page.get_by_role("link", name="Activate").click()
    page.click("#confirm-transition")
    page.wait_for_url("**/agreements/acme-digital/")
    assert "is now Active" in page.locator(".alert-success").inner_text()
    agreement = Agreement.objects.get(code="acme-digital")
    assert agreement.status == "active"
    assert agreement.targets.count() == 2
    assert agreement.targets.get(code="availability").credit_tiers.count() == 1
    assert "Active" in page.locator("#change-history").inner_text()

    customer = log_in(new_page(), "alice")
    customer.goto("/agreements/")
    customer.get_by_role("link", name="acme-digital").click()
    assert customer.locator("h1").inner_text() == "Digital banking"
    assert customer.locator("#agreement-actions a").count() == 0  # no edit, no status buttons
    response = customer.goto("/agreements/acme-digital/edit/")
    assert response.status == 403

    outsider = log_in(new_page(), "bob")
    response = outsider.goto("/agreements/acme-digital/")
    assert response.status == 404
    assert "Not found" in outsider.locator("h1").inner_text()
    outsider.goto("/agreements/")
    assert outsider.get_by_role("link", name="acme-digital").count() == 0
