"""Evaluate now in the browser: a new target says it is not evaluated yet; the manager's click queues its evaluation,
and the page shows the result by itself once it is written (the page's script asks for it)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from agreements.choices import AgreementStatus
from monitoring.evaluation import evaluate_targets
from tests.browser.conftest import log_in
from tests.factories import AgreementFactory
from tests.monitoring.evaluation_helpers import measured_target, record_probe_minutes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_evaluate_now_shows_the_result_once_it_is_written(new_page, customer_a, manager, locale):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    agreement = AgreementFactory(code="acme-new", customer=customer_a, valid_from=start.date() - dt.timedelta(days=1))
    target = measured_target(agreement=agreement, code="fresh", name="Fresh")
    record_probe_minutes(target, start, 100, bad=range(3))
    agreement.status = AgreementStatus.ACTIVE
    agreement.save()

    page = log_in(new_page(locale=locale), manager.username)
    page.goto("/agreements/acme-new/targets/fresh/")
    assert page.locator("#not-evaluated").is_visible()
    assert page.locator("#period-picker").count() == 0

    page.click("#evaluate-now button")
    page.wait_for_selector("#evaluation-queued")
    queued = dt.datetime.fromisoformat(parse_qs(urlsplit(page.url).query)["queued"][0])

    evaluate_targets([target.pk], queued)  # what the worker does with the queued task

    page.wait_for_selector("#period-summary", timeout=20_000)  # the page's script saw it done and showed it
    assert page.locator("#evaluation-queued").count() == 0
    assert page.locator("#not-evaluated").count() == 0
    assert "queued=" not in page.url
    assert page.locator("#attainment").inner_text() == "97.000 %"
