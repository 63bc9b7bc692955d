"""An improvement plan in the browser, from the breach it starts from to its verified effect, and the customer who
reads it on the board.

Acme's "Web banking up" probe target (99.9 %) was down 10 of 1,000 minutes in October 2026 (99 %: breached),
evaluated on 3 November. The manager starts a plan from that breach, works it through, and, once November and
December have been measured (both up throughout) and evaluated on 1 January 2027, reviews its effect: October
breached, December met -> improved.

Data months are fixed (October to December 2026), while the workflow stamps the plan's start and completion with the
wall clock. Before the review the test therefore sets them in the database to 2 November (after October closed) and
27 November (so that December is the first period begun after the completion), as if the manager had clicked then.
"""

import datetime as dt
import re

import pytest

from improvement.models import Action, ImprovementPlan
from monitoring.evaluation import evaluate_targets
from tests.browser.conftest import log_in
from tests.monitoring.evaluation_helpers import active_agreement, kst, measured_target, record_probe_minutes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def web_target(customer_a):
    agreement = active_agreement(
        code="acme-web",
        title="Acme web banking",
        customer=customer_a,
        valid_from=dt.date(2026, 10, 1),
        valid_to=dt.date(2027, 6, 1),
    )
    target = measured_target(agreement=agreement, code="web", name="Web banking up")
    record_probe_minutes(target, kst(2026, 10, 2), 1000, bad=range(10))  # October: 990 of 1,000 = 99 %
    evaluate_targets([target.pk], kst(2026, 11, 3))
    return target


@pytest.fixture
def globex_breach(customer_b):
    """Another customer's breach in October, which a plan for Acme must not be offered."""
    agreement = active_agreement(
        code="globex-web",
        title="Globex web",
        customer=customer_b,
        valid_from=dt.date(2026, 10, 1),
        valid_to=dt.date(2027, 6, 1),
    )
    target = measured_target(agreement=agreement, code="web", name="Globex web up")
    record_probe_minutes(target, kst(2026, 10, 2), 1000, bad=range(20))
    evaluate_targets([target.pk], kst(2026, 11, 3))
    return target


def move_plan(page, button, status):
    """Click the step ``button`` on the plan page (named by what it does), confirm it with the button of the same
    name, and come back to the plan page, now in ``status``."""
    page.locator("#plan-actions").get_by_role("link", name=button, exact=True).click()
    page.wait_for_url("**/status/**")
    assert page.locator("#confirm-transition").inner_text() == button
    page.click("#confirm-transition")
    page.wait_for_url(re.compile(r"/plans/sip-\w+/$"))
    assert page.locator("#plan-status").inner_text() == status


def shown(page, field):
    """The texts of the choices of a list field the page shows now."""
    return [text.strip() for text in page.locator(f"#id_{field} [data-choice]:visible").all_inner_texts()]


def add_action(page, description, due):
    page.click("#add-action")
    page.wait_for_url("**/actions/new/")
    page.fill("#id_description", description)
    page.select_option("#id_owner", label="Minsu Park")  # people are offered by name
    page.fill("#id_due_date", due)
    page.click("#save-action")
    page.wait_for_url(re.compile(r"/plans/sip-\w+/$"))


def test_a_plan_from_a_breach_to_its_verified_effect_and_the_customer_reading_it(
    new_page, web_target, globex_breach, manager, alice
):
    page = log_in(new_page(), "manager")
    page.goto("/agreements/acme-web/targets/web/")
    october = page.locator("#breaches li", has_text="2026-10")
    assert "99.000 %" in october.inner_text()
    october.get_by_role("link", name="Start a plan").click()
    page.wait_for_url("**/plans/new/?breach=*")

    # The form comes pre-filled from the breach, owned by the manager; only this customer's choices are shown, and
    # the filter box narrows them. The manager only asks for one period each side in the review.
    assert page.locator("#id_owner option:checked").inner_text() == "Minsu Park"  # the manager, by name
    breaches = page.locator("#id_breaches [data-choice]")
    assert breaches.count() == 2  # Acme's October breach, and another customer's, hidden
    assert shown(page, "breaches") == ["acme-web · Web banking up · 2026-10"]
    page.fill("#id_breaches-filter", "nothing like it")
    assert page.locator("#id_breaches [data-choice]:visible").count() == 1  # a ticked choice stays in sight
    page.fill("#id_breaches-filter", "")
    page.select_option("#id_customer", label="---------")
    assert page.locator("#id_breaches [data-choice]:visible").count() == 2  # no customer: every breach
    page.fill("#id_breaches-filter", "globex")
    assert shown(page, "breaches") == [
        "acme-web · Web banking up · 2026-10",  # ticked
        "globex-web · Globex web up · 2026-10",
    ]
    page.fill("#id_breaches-filter", "")
    page.select_option("#id_customer", label="Acme Bank")
    assert page.locator("#id_breaches [data-choice]:visible").count() == 1
    assert page.input_value("#id_title") == "Bring Web banking up back over 99.9 %"
    assert "breached in 2026-10" in page.input_value("#id_problem")
    assert page.input_value("#id_baseline_attainment") == "99.0000"
    assert page.input_value("#id_desired_attainment") == "99.900"
    assert page.locator("#id_goal_target option:checked").inner_text() == "acme-web · Web banking up"
    page.fill("#id_review_periods", "1")
    page.click("#save-plan")
    page.wait_for_url(re.compile(r"/plans/sip-\w+/$"))
    plan = ImprovementPlan.objects.get()
    assert page.locator("#plan-status").inner_text() == "Proposed"
    assert "acme-web · Web banking up · 2026-10" in page.locator("#plan-links").inner_text()
    assert list(plan.breaches.values_list("period_label", flat=True)) == ["2026-10"]

    add_action(page, "Find the root cause of the October outage", "2026-11-20")
    add_action(page, "Add a second web node", "2026-12-10")
    assert page.locator("#plan-actions-table tbody tr").count() == 2
    assert Action.objects.filter(plan=plan, owner=manager).count() == 2

    move_plan(page, "Approve", "Approved")
    move_plan(page, "Start work", "In progress")
    move_plan(page, "Mark as completed", "Completed")
    assert page.locator("#review-effect").is_visible()
    history = page.locator("#plan-history").inner_text()
    assert "Proposed → Approved" in history
    assert "In progress → Completed" in history

    # Later periods are evaluated: November and December up throughout, evaluated once December has closed.
    record_probe_minutes(web_target, kst(2026, 11, 2), 1000)
    record_probe_minutes(web_target, kst(2026, 12, 2), 1000)
    evaluate_targets([web_target.pk], kst(2027, 1, 1, 1))
    # The clicks stamped the wall clock; the data are 2026's months (see the module docstring).
    ImprovementPlan.objects.filter(pk=plan.pk).update(
        started_at=kst(2026, 11, 2, 9), completed_at=kst(2026, 11, 27, 18)
    )

    page.reload()
    page.click("#review-effect")
    page.wait_for_url(re.compile(r"/plans/sip-\w+/$"))
    verdict = page.locator("#review-verdict").inner_text()
    assert verdict.startswith("Improved: 1 closed period before the start against 1 after the completion")
    row = page.locator("#review-targets tbody tr").inner_text()
    assert "99 % · 1 breach" in row
    assert "100 % · 0 breaches" in row

    move_plan(page, "Verify", "Verified")
    assert page.locator("#plan-actions").count() == 0  # a verified plan is closed: nothing left to change
    assert page.locator("#add-action").count() == 0
    plan.refresh_from_db()
    assert plan.status == "verified"

    customer = log_in(new_page(), "alice")
    customer.goto("/plans/")
    card = customer.locator(f'[data-column="verified"] [data-plan="{plan.code}"]')
    assert "Bring Web banking up back over 99.9 %" in card.inner_text()
    assert customer.locator('a:has-text("New plan")').count() == 0
    card.get_by_role("link").click()
    customer.wait_for_url(f"**/plans/{plan.code}/")
    assert customer.locator("#plan-status").inner_text() == "Verified"
    assert "Improved" in customer.locator("#review-verdict").inner_text()
    assert customer.locator("#plan-actions").count() == 0
    assert customer.locator("#add-action").count() == 0
    assert customer.locator("#plan-actions-table a").count() == 0  # no edit links on the actions
