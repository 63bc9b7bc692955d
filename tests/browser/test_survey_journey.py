"""A satisfaction survey end to end in the browser: the manager opens a survey of customer A over two services,
invites alice and sends the link; alice answers through the link with no login; the manager sees the response and the
Importance-Performance Analysis chart moves. And a survey answered on a phone (390 px), some ratings left N/A.

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

from requirements_analysis.models import SurveyResponse
from tests.browser.conftest import log_in
from tests.factories import ServiceFactory
from tests.requirements_analysis.factories import CampaignFactory, RequirementFactory, invitation_with_token

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


def rate(page, name, value):
    """Choose ``value`` (1 to 5, or "na") of the rating ``name`` as a person does: by tapping its button."""
    radio = page.locator(f"input[name={name}][value='{value}']")
    page.click(f"label[for='{radio.get_attribute('id')}']")
    assert radio.is_checked()


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
    rate(survey, "overall", 2)
    rate(survey, f"csat_{banking.pk}", 1)
    rate(survey, f"csat_{app.pk}", 4)
    for category, (importance, performance) in ANSWERS.items():
        rate(survey, f"importance_{category}", importance)
        rate(survey, f"performance_{category}", performance)
    survey.fill("#id_comment", "Online banking was down on payday.")
    survey.click("#submit-survey")
    assert survey.locator("#survey-thanks").inner_text() == "Thank you for your answers."

    # The manager sees the response and the satisfaction per service.
    page.reload()
    assert page.locator("#response-rate").inner_text() == "1 of 1 invited people answered (100.0 %)."
    csat = page.locator("#csat-per-service tbody").inner_text()
    assert re.search(r"Online banking\s+1\.00\s+1\s+0", csat)
    assert re.search(r"Mobile app\s+4\.00\s+1\s+0", csat)
    assert page.locator("#overall-satisfaction").inner_text() == "Overall satisfaction: 2.00 of 5, from 1 answer."
    assert "Online banking was down on payday." in page.locator("#survey-comments").inner_text()

    # The chart moved: availability is now (performance (4 + 1) / 2, importance (5 + 5) / 2) = (2.5, 5), and every
    # other category sits where alice put it.
    assert ipa_figure(page) == {
        "Concentrate here": [("Availability", 2.5, 5), ("Performance", 2, 4)],
        "Keep up the good work": [("Continuity", 3, 3), ("Responsiveness", 4, 4), ("Security", 5, 5)],
        "Low priority": [("Capacity", 2, 2), ("Other", 1, 1)],
        "Possible overkill": [("Usability", 4, 2)],
    }


def test_a_survey_answered_on_a_phone_with_not_applicable_ratings(new_page, estate, customer_a, alice):
    """At 390 px: every question fits the screen, the comment box and the send button each have a line of their
    own; the person answers overall satisfaction, leaves the app and most aspects N/A (tapped or left out), and the
    results leave those out of every mean."""
    banking, app = estate
    campaign = CampaignFactory(customer=customer_a, code="acme-phone", services=[banking, app])
    _invitation, token = invitation_with_token(campaign=campaign, email="ann@acme.example")
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)

    phone.goto(f"/survey/{token}/")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    for question in phone.locator("fieldset.survey-question").all():
        box = question.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    # Each rating's buttons, N/A included, sit on one line inside the screen.
    buttons = phone.locator(f"[aria-label='{app.name}'] label").all()
    assert [button.inner_text() for button in buttons] == ["1", "2", "3", "4", "5", "N/A"]
    tops = {round(button.bounding_box()["y"]) for button in buttons}
    assert len(tops) == 1
    assert max(b.bounding_box()["x"] + b.bounding_box()["width"] for b in buttons) <= 390
    comment, send = phone.locator("#id_comment").bounding_box(), phone.locator("#submit-survey").bounding_box()
    assert comment["width"] >= 300  # the box takes the line
    assert send["y"] >= comment["y"] + comment["height"]  # the button is below it, not beside it

    # Sending with nothing chosen asks for the one required answer, and stores nothing.
    phone.click("#submit-survey")
    assert "Please rate your overall satisfaction" in phone.locator("#survey-errors").inner_text()
    assert not SurveyResponse.objects.exists()

    rate(phone, "overall", 4)
    rate(phone, f"csat_{banking.pk}", 2)
    rate(phone, f"csat_{app.pk}", "na")  # tapped N/A: she does not use the app
    rate(phone, "importance_availability", 5)
    rate(phone, "performance_availability", "na")
    rate(phone, "performance_security", 3)  # security's importance left out
    phone.fill("#id_comment", "I only use online banking.")
    phone.click("#submit-survey")
    assert phone.locator("#survey-thanks").inner_text() == "Thank you for your answers."

    response = SurveyResponse.objects.get()
    assert (response.overall_satisfaction, response.comment) == (4, "I only use online banking.")
    assert dict(response.service_ratings.values_list("service__code", "csat")) == {
        "online-banking": 2,
        "mobile-app": None,
    }
    ratings = {row.category: (row.importance, row.performance) for row in response.category_ratings.all()}
    assert ratings["availability"] == (5, None)
    assert ratings["security"] == (None, 3)
    assert ratings["capacity"] == (None, None)

    # Her answers open again as she left them, N/A shown as chosen.
    phone.goto(f"/survey/{token}/")
    assert phone.locator(f"input[name=csat_{app.pk}][value='na']").is_checked()
    assert phone.locator("input[name=overall][value='4']").is_checked()

    # The results count only what was rated: the app has no mean, and one N/A.
    customer = log_in(new_page(), "alice")
    customer.goto("/surveys/acme-phone/")
    rows = customer.locator("#csat-per-service tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in rows] == ["Mobile app — 0 1", "Online banking 2.00 1 0"]
    categories = [" ".join(row.split()) for row in customer.locator("#category-ratings tbody tr").all_inner_texts()]
    assert "Availability 5.00 — 1" in categories
    assert "Security — 3.00 1" in categories
