"""Every kind of page under the Content-Security-Policy, in Chromium: nothing the policy blocks, no console error, and
the charts, the admin and the API docs still draw. The controls whose behaviour moved from inline on*= handlers to
static/js/portal.js (print, confirm, submit on change, copy) are used here too."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_dashboard_journey import estate  # noqa: F401 - the fixture: evaluated SLAs to chart
from tests.factories import UserFactory
from tests.monitoring.factories import data_source_with_token
from tests.requirements_analysis.factories import CampaignFactory, invitation_with_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts. The browser fires `securitypolicyviolation` for each thing the policy
# blocks (a script, a <style>, a style or on*= attribute, an image, a fetch); Chromium also logs each one as a
# console error. print() is replaced so that the Print buttons can be pressed without a dialog.
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    element: event.target && event.target.nodeName,
  });
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


class PageWatch:
    """A page and everything that went wrong on it: CSP violations, console errors and uncaught exceptions."""

    def __init__(self, page):
        self.page = page
        self.console_errors = []
        self.page_errors = []
        page.add_init_script(WATCH_SCRIPT)
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def visit(self, url, drawn):
        """Open ``url``, wait for the selector ``drawn`` (the page's scripts did their work), and check it."""
        response = self.page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        assert "content-security-policy" in response.headers, f"{url} came without a policy"
        self.page.wait_for_selector(drawn, state="attached")
        self.page.wait_for_load_state("networkidle")
        self.assert_clean(url)

    def assert_clean(self, where):
        problems = {
            "CSP violations": self.page.evaluate("window.__cspViolations"),
            "console errors": self.console_errors,
            "uncaught errors": self.page_errors,
        }
        assert not any(problems.values()), f"{where}: {problems}"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_customer_dashboard_target_page_and_report_keep_to_the_policy(new_page, estate, alice):  # noqa: F811
    watch = PageWatch(log_in(new_page(), "alice"))
    page = watch.page

    watch.visit("/", "#trend-acme-web .scatterlayer .trace")
    page.hover("#trend-acme-web .nsewdrag")  # hover labels are drawn on demand
    watch.assert_clean("/ after hovering the chart")

    watch.visit("/agreements/acme-web/targets/web/", "#daily-bars .barlayer .trace")
    for chart in ("attainment-history", "burn-down", "daily-bars"):
        page.wait_for_selector(f"#{chart} .trace", state="attached")
    page.select_option("#period-select", "2026-10")  # data-autosubmit
    page.wait_for_url("**/targets/web/?period=2026-10")
    page.wait_for_selector("#attainment-history .barlayer .trace", state="attached")
    watch.assert_clean("target page, October")

    watch.visit("/agreements/acme-web/report/?period=2026-10", "#report-targets")
    page.get_by_role("button", name="Print").click()  # data-print
    assert page.evaluate("window.__printed") == 1
    page.select_option("#language-select", "ko")  # data-autosubmit, in the navigation bar of every page
    # Not wait_for_function: Playwright polls its predicate with eval() in the page, which the policy blocks.
    page.wait_for_selector("html[lang=ko]", state="attached")
    watch.assert_clean("report, in Korean")


def test_overview_review_pack_and_agreement_form_keep_to_the_policy(new_page, estate, manager):  # noqa: F811
    watch = PageWatch(log_in(new_page(), "manager"))
    page = watch.page

    watch.visit("/", "#heatmap .hm image")
    page.hover("#heatmap .nsewdrag")
    watch.assert_clean("overview after hovering the heatmap")

    watch.visit("/customers/acme/review-pack/?period=2026-10", ".report-header")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") == 1

    watch.visit("/agreements/acme-web/edit/", "form [name=title]")
    page.fill("[name=title]", "Acme web banking, renewed")
    watch.assert_clean("agreement form after typing")

    watch.visit("/plans/new/", "#id_breaches-filter")  # static/js/choice-filter.js
    page.fill("#id_targets-filter", "web")
    page.select_option("#id_customer", label="Acme Bank")
    watch.assert_clean("plan form after filtering its choices")


def test_the_survey_page_keeps_to_the_policy(new_page, customer_a):
    campaign = CampaignFactory(customer=customer_a)
    _invitation, token = invitation_with_token(campaign=campaign)
    watch = PageWatch(new_page(viewport={"width": 390, "height": 844}))

    watch.visit(f"/survey/{token}/", "#submit-survey")
    watch.page.click("label[for=id_overall_3]")
    watch.assert_clean("survey page after choosing a rating")


def test_data_source_confirm_and_token_copy_keep_to_the_policy(new_page, manager):
    source, _ = data_source_with_token(code="billing-feed", name="Billing feed")
    watch = PageWatch(log_in(new_page(), "manager"))
    page = watch.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    watch.visit("/data-sources/billing-feed/", "h1")

    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    old_hash = source.token_hash
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="New token").click()  # data-confirm: "Cancel" keeps the old token
    assert len(questions) == 1
    assert page.url.endswith("/data-sources/billing-feed/")
    source.refresh_from_db()
    assert source.token_hash == old_hash
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="New token").click()
    page.wait_for_selector("#new-token")
    assert questions == ["The old token stops working at once. Continue?"] * 2

    page.get_by_role("button", name="Copy").click()  # data-copy-target="#new-token"
    token = page.input_value("#new-token")
    assert token
    assert page.evaluate("navigator.clipboard.readText()") == token
    watch.assert_clean("token page after copying")


def test_admin_and_api_docs_keep_to_the_policy(new_page, estate, root):  # noqa: F811
    watch = PageWatch(log_in(new_page(), "root"))
    page = watch.page

    watch.visit("/admin/agreements/agreement/", "#result_list")
    watch.visit(f"/admin/agreements/agreement/{estate.pk}/change/", ".inline-group .add-row a")
    page.click(".field-customer .select2-selection")  # autocomplete: select2 fetches the choices
    page.wait_for_selector(".select2-results__option:has-text('Acme Bank')")
    page.keyboard.press("Escape")
    rows = page.locator(".inline-group .inline-related:not(.empty-form)").count()
    page.click(".inline-group .add-row a")  # another target, in a stacked inline
    assert page.locator(".inline-group .inline-related:not(.empty-form)").count() == rows + 1
    watch.assert_clean("agreement change form after using its widgets")

    watch.visit("/api/docs/", "#swagger-ui .opblock")
    page.click("#swagger-ui .opblock-summary")  # opens an operation
    page.wait_for_selector("#swagger-ui .opblock-body")
    watch.assert_clean("API docs after opening an operation")
