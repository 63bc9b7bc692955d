"""The agreement page shows, on each target's card, its indicator and its latest compliance."""

import pytest

from tests.monitoring.evaluation_helpers import evaluate, kst, measured_target, record_probe_minutes

pytestmark = pytest.mark.django_db


def test_target_card_shows_indicator_status_attainment_and_budget_left(client, alice, customer_a):
    target = measured_target(agreement=None)
    agreement = target.agreement
    agreement.customer = customer_a
    agreement.save()
    record_probe_minutes(target, kst(2026, 11, 2), 1000, bad=range(40))  # 40 of 43.2 budget minutes spent
    evaluate(target, kst(2026, 11, 3))
    client.force_login(alice)

    page = client.get(agreement.get_absolute_url()).text

    card = page.split(f'id="target-{target.code}"', 1)[1]
    assert "Indicator (SLI)" in card
    assert "compliance-at_risk" in card
    assert "96.000 % attained (objective 99.9 %)" in card  # 960 good of 1,000 minutes with data
    assert "3.2 min of 43.2 min error budget left" in card


def test_a_target_without_indicator_says_it_is_not_evaluated(client, manager, agreement_a):
    client.force_login(manager)
    page = client.get(agreement_a.get_absolute_url()).text
    assert "none: this target is not evaluated" in page
