"""A satisfaction survey end to end in the browser: the manager opens a survey of customer A over two services,
invites alice and sends the link; alice answers through the link with no login; the manager sees the response and the
Importance-Performance Analysis chart moves.

The send button queues a Celery task after the request's commit. Here it runs eagerly (CELERY_TASK_ALWAYS_EAGER through
``override_settings``, which Celery reads at call time) inside the live server: the button's own path, view ->
on_commit -> task -> ``send_invitations`` -> e-mail, is what is tested, with no worker to start; the real worker on a
real broker is the integration suite's business.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from tests.browser.conftest import log_in
from tests.factories import ServiceFactory
from tests.requirements_analysis.factories import RequirementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What alice answers: importance and performance per category (and CSAT 1 for Online banking, 4 for the app).
ANSWERS = {
    "availability": (5, 1),
    "performance": (4, 2),
    "responsiveness": (4, 4),
    "capacity": (2, 2),
    "continuity": (3, 3),
    "security": (5, 5),
    "usability": (2, 4),
    "other": (1, 1),
}


@pytest.fixture
def estate(agreement_a, alice):
    """Customer A's agreement over two services, and one requirement of A: availability, importance 5, performance 4
    (before the survey the IPA chart has that one point, in "keep up the good work")."""
    banking = ServiceFactory(code="online-banking", name="Online banking")
    app = ServiceFactory(code="mobile-app", name="Mobile app")
    agreement_a.services.add(banking, app)
    RequirementFactory(
        customer=agreement_a.customer, service=banking, category="availability", importance=5, performance=4
    )
    return banking, app


def ipa_figure(page):
    """{trace name: [(label, performance, importance)]} as plotly.js holds them once it has drawn the chart."""
    page.goto("/priorities/")
    page.wait_for_selector("#ipa[data-rendered]")
    traces = page.evaluate(
        "document.getElementById('ipa').data.map(t => ({name: t.name, text: Array.from(t.text),"
        " x: Array.from(t.x), y: Array.from(t.y)}))"
    )
    return {trace["name"]: list(zip(trace["text"], trace["x"], trace["y"], strict=True)) for trace in traces}


def local_input(instant):
    """An instant as a datetime-local input takes it, in the portal's zone."""
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


def test_survey_answered_through_its_link_shows_in_the_results_and_moves_the_ipa_chart(
    new_page, live_server, settings, estate, manager
):
    settings.SLM_PORTAL_URL = live_server.url  # the e-mailed link points at this server
    banking, app = estate
    page = log_in(new_page(), "manager")
    assert ipa_figure(page) == {
        "Concentrate here": [],
        "Keep up the good work": [("Availability", 4, 5)],
        "Low priority": [],
        "Possible overkill": [],
    }

    # The manager writes the survey and opens it.
    page.goto("/surveys/new/")
    page.select_option("#id_customer", label="Acme Bank")
    page.fill("#id_code", "acme-2026-q4")
    page.fill("#id_title", "How do you rate our services?")
    page.fill("#id_period_label", "2026-Q4")
    page.get_by_label("Online banking").check()
    page.get_by_label("Mobile app").check()
    now = timezone.now()
    page.fill("#id_opens_at", local_input(now - dt.timedelta(days=1)))
    page.fill("#id_closes_at", local_input(now + dt.timedelta(days=14)))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/surveys/acme-2026-q4/")
    page.click("#open-campaign")
    page.wait_for_selector("#send-invitations")
    assert page.locator("#campaign-status").inner_text() == "Open"

    # ... invites alice and sends the links.
    page.fill("#id_people", "Alice Kim <alice@example.com>")
    page.click("#add-people")
    page.wait_for_selector("text=1 person added.")
    assert page.locator("#invitations tbody td").all_inner_texts()[:2] == ["Alice Kim", "alice@example.com"]
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        page.click("#send-invitations")
        page.wait_for_selector("text=The invitations are being sent.")

    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    [link] = re.findall(rf"{re.escape(live_server.url)}/survey/[\w-]+/", message.body)

    # Alice answers in a browser of her own, not logged in.
    survey = new_page()
    survey.goto(link)
    assert survey.locator("h1").inner_text() == "How do you rate our services?"
    assert "Log out" not in survey.content()
    survey.check(f"input[name=csat_{banking.pk}][value='1']")
    survey.check(f"input[name=csat_{app.pk}][value='4']")
    for category, (importance, performance) in ANSWERS.items():
        survey.check(f"input[name=importance_{category}][value='{importance}']")
        survey.check(f"input[name=performance_{category}][value='{performance}']")
    survey.fill("#id_comment", "Online banking was down on payday.")
    survey.click("#submit-survey")
    assert survey.locator("#survey-thanks").inner_text() == "Thank you for your answers."

    # The manager sees the response and the satisfaction per service.
    page.reload()
    assert page.locator("#response-rate").inner_text() == "1 of 1 invited people answered (100.0 %)."
    csat = page.locator("#csat-per-service tbody").inner_text()
    assert re.search(r"Online banking\s+1\.00\s+1", csat)
    assert re.search(r"Mobile app\s+4\.00\s+1", csat)
    assert "Online banking was down on payday." in page.locator("#survey-comments").inner_text()

    # The chart moved: availability is now (performance (4 + 1) / 2, importance (5 + 5) / 2) = (2.5, 5), and every
    # other category sits where alice put it.
    assert ipa_figure(page) == {
        "Concentrate here": [("Availability", 2.5, 5), ("Performance", 2, 4)],
        "Keep up the good work": [("Continuity", 3, 3), ("Responsiveness", 4, 4), ("Security", 5, 5)],
        "Low priority": [("Capacity", 2, 2), ("Other", 1, 1)],
        "Possible overkill": [("Usability", 4, 2)],
    }
