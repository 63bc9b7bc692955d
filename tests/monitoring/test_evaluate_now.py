"""A new target says it is not evaluated yet and when it will be; a service manager can evaluate it now."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings

from agreements.choices import AgreementStatus
from monitoring.readout.freshness import evaluation_state
from tests.ladder import Rung, climb
from tests.monitoring.dashboard_helpers import NOW
from tests.monitoring.evaluation_helpers import active_agreement, evaluate, measured_target, record_probe_minutes

pytestmark = pytest.mark.django_db
PAGE = "/agreements/acme-new/targets/fresh/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    cache.clear()
    yield NOW
    cache.clear()


@pytest.fixture
def fresh(customer_a):
    """A target of an active agreement, measured since the morning, never evaluated."""
    agreement = active_agreement(customer=customer_a, code="acme-new", valid_from=dt.date(2026, 11, 1))
    target = measured_target(agreement=agreement, code="fresh", name="Fresh")
    record_probe_minutes(target, NOW - dt.timedelta(hours=3), 120)
    return target


def test_a_target_never_evaluated_says_so_and_when_the_next_evaluation_is_due(client, fresh, alice, manager):
    other = measured_target(code="other")
    evaluate(other, NOW - dt.timedelta(minutes=7))  # the last evaluation anywhere: 11:53, every 5 minutes
    client.force_login(alice)
    page = client.get(PAGE).text

    assert "Not evaluated yet. The next evaluation is due at about 12:03 KST (every 5 minutes)." in page
    assert 'id="period-picker"' not in page
    assert 'id="attainment-history"' not in page
    assert 'id="evaluate-now"' not in page  # a customer cannot

    client.force_login(manager)
    assert 'id="evaluate-now"' in client.get(PAGE).text


@override_settings(SLM_EVALUATION_INTERVAL=dt.timedelta(minutes=10))
def test_with_no_evaluation_anywhere_the_next_is_one_interval_away(fresh, manager):
    state = evaluation_state(manager, fresh, [], now=NOW)
    assert (state["next"], state["interval_minutes"], state["can_evaluate"]) == (
        NOW + dt.timedelta(minutes=10),
        10,
        True,
    )


def test_evaluate_now_climbs_the_ladder(client, fresh, alice, bob, manager):
    rung = Rung(PAGE + "evaluate/", write=True, method="post")
    response = climb(client, rung, owner=alice, outsider=bob, manager=manager, allowed_status=302)
    assert response["Location"] == PAGE + "?queued=2026-11-16T03%3A00%3A00%2B00%3A00"


def test_the_status_says_done_once_the_queued_evaluation_is_written(client, fresh, manager):
    client.force_login(manager)
    status = PAGE + "evaluation/?queued=2026-11-16T03:00:00%2B00:00"
    page = client.get(PAGE + "?queued=2026-11-16T03:00:00%2B00:00").text
    assert 'id="evaluation-queued"' in page
    assert client.get(status).json() == {"done": False}

    evaluate(fresh, NOW)  # what the worker does with the queued task

    assert client.get(status).json() == {"done": True}
    page = client.get(PAGE + "?queued=2026-11-16T03:00:00%2B00:00").text
    assert 'id="evaluation-queued"' not in page
    assert 'id="period-summary"' in page


def test_a_target_that_is_not_evaluated_is_not_queued(client, fresh, manager):
    fresh.agreement.status = AgreementStatus.DRAFT
    fresh.agreement.save()
    client.force_login(manager)

    response = client.post(PAGE + "evaluate/", follow=True)

    assert "Only a target of an active agreement that measures an indicator is evaluated." in response.text
    assert "Not evaluated: only the targets of an active agreement that measure an indicator are." in response.text
    assert "queued=" not in response.redirect_chain[-1][0]
