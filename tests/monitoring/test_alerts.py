"""Burn rates and multi-window burn-rate alerts: fire, keep firing once, resolve; the rules are data.

The scene: a 99.9 % monthly probe target answered every minute for three days, 1 Nov 00:00 to 4 Nov 00:00 (4,320
minutes), down in the last two. Evaluated at 4 Nov 00:00, bad share / (1 - 0.999) in each look-back window:

    5 m    2 / 5     = 0.4      -> 400         page-1h:   1 h 33.3 and 5 m 400, both >= 14.4: fires
    30 m   2 / 30                -> 66.67       page-6h:   6 h 5.56 < 6: does not fire
    1 h    2 / 60                -> 33.33       ticket-3d: 3 d 0.46 < 1: does not fire
    6 h    2 / 360               -> 5.556
    3 d    2 / 4,320             -> 0.463
"""

import datetime as dt
from decimal import Decimal

import pytest

from monitoring.models import Alert, BurnRateRule
from tests.monitoring.evaluation_helpers import (
    BURN_AT,
    active_agreement,
    burning_target,
    evaluate,
    record_probe_minutes,
    slowly_burning_target,
    snapshot,
)

pytestmark = pytest.mark.django_db
D = Decimal
AT = BURN_AT


@pytest.fixture
def burning():
    return burning_target()


def test_the_default_rules_are_those_of_the_sre_workbook():
    rules = BurnRateRule.objects.values_list("name", "severity", "long_window_minutes", "short_window_minutes")
    thresholds = dict(BurnRateRule.objects.values_list("name", "threshold"))
    assert sorted(rules) == [
        ("page-1h", "page", 60, 5),
        ("page-6h", "page", 360, 30),
        ("ticket-3d", "ticket", 4320, 360),
    ]
    assert thresholds == {"page-1h": D("14.4"), "page-6h": D(6), "ticket-3d": D(1)}


def test_the_snapshot_keeps_the_burn_rate_of_every_window_the_rules_use(burning):
    evaluate(burning, AT)
    assert snapshot(burning).burn_rates == {
        "5": "400",
        "30": "66.666666666667",
        "60": "33.333333333333",
        "360": "5.555555555556",
        "4320": "0.462962962963",
    }


def test_a_fast_burn_fires_the_page_1h_alert_and_puts_the_target_at_risk(burning):
    summary = evaluate(burning, AT)
    alert = Alert.objects.get()
    assert (alert.target, alert.rule.name, alert.state, alert.started_at) == (burning, "page-1h", "firing", AT)
    assert (alert.long_burn, alert.short_burn) == (D("33.333333"), D("400"))
    assert (summary.alerts_fired, summary.alerts_resolved) == (1, 0)
    row = snapshot(burning)
    # Only 2 of 43.2 budget minutes are spent (95 % left): at risk because the alert fires, not for the budget.
    assert row.budget_remaining > D("0.95")
    assert row.status == "at_risk"


def test_evaluating_again_while_it_burns_keeps_the_one_alert(burning):
    evaluate(burning, AT)
    summary = evaluate(burning, AT)
    record_probe_minutes(burning, AT, 1)  # a good minute: 5 m is still 2 bad of 5
    later = evaluate(burning, AT + dt.timedelta(minutes=1))
    assert Alert.objects.count() == 1
    assert Alert.objects.get().started_at == AT
    assert summary.alerts_fired == later.alerts_fired == 0


def test_the_alert_resolves_once_the_bad_minutes_stop_and_time_moves_on(burning):
    evaluate(burning, AT)
    record_probe_minutes(burning, AT, 10)  # ten good minutes
    resolved_at = AT + dt.timedelta(minutes=10)
    summary = evaluate(burning, resolved_at)
    alert = Alert.objects.get()
    # The 5 m window [00:05, 00:10) is clean: burn 0 < 14.4, although the 1 h window still holds the 2 bad minutes.
    assert (alert.state, alert.resolved_at, alert.short_burn) == ("resolved", resolved_at, D(0))
    assert (summary.alerts_fired, summary.alerts_resolved) == (0, 1)
    assert snapshot(burning).status == "on_track"
    # Nothing fires again, and the resolved alert is not touched.
    assert evaluate(burning, resolved_at + dt.timedelta(minutes=1)).alerts_resolved == 0
    assert Alert.objects.get().resolved_at == resolved_at


def test_a_new_burn_after_resolution_opens_a_new_alert(burning):
    evaluate(burning, AT)
    record_probe_minutes(burning, AT, 10)
    evaluate(burning, AT + dt.timedelta(minutes=10))
    record_probe_minutes(burning, AT + dt.timedelta(minutes=10), 2, bad=[0, 1])
    evaluate(burning, AT + dt.timedelta(minutes=12))
    page_1h = Alert.objects.filter(rule__name="page-1h").order_by("started_at")
    assert [(a.state, a.started_at) for a in page_1h] == [
        ("resolved", AT),
        ("firing", AT + dt.timedelta(minutes=12)),
    ]


def test_a_window_without_data_never_fires(burning):
    # 4 Nov 00:30: the last 5 minutes hold no sample, so the short window has no burn rate at all.
    evaluate(burning, AT + dt.timedelta(minutes=30))
    assert snapshot(burning).burn_rates["5"] is None
    assert not Alert.objects.exists()


def test_raising_a_rules_threshold_above_the_burn_keeps_it_quiet(burning):
    BurnRateRule.objects.filter(name="page-1h").update(threshold=D("40"))  # 1 h burns at 33.3
    evaluate(burning, AT)
    assert not Alert.objects.exists()
    assert snapshot(burning).status == "on_track"


def test_lowering_a_rules_threshold_under_the_burn_makes_it_fire(burning):
    BurnRateRule.objects.filter(name="page-6h").update(threshold=D("5"))  # 6 h 5.56 and 30 m 66.7, both >= 5
    evaluate(burning, AT)
    assert sorted(Alert.objects.values_list("rule__name", flat=True)) == ["page-1h", "page-6h"]


def test_an_inactive_rule_neither_fires_nor_asks_for_its_windows(burning):
    BurnRateRule.objects.filter(name="page-1h").update(is_active=False)
    evaluate(burning, AT)
    assert not Alert.objects.exists()
    assert set(snapshot(burning).burn_rates) == {"30", "360", "4320"}


def test_a_new_rule_is_evaluated_like_the_defaults(burning):
    BurnRateRule.objects.create(
        name="page-10m", severity="page", long_window_minutes=10, short_window_minutes=2, threshold=D("500")
    )
    evaluate(burning, AT)
    # 2 m window: 2 / 2 = 1 -> 1,000; 10 m: 2 / 10 -> 200 < 500: the new rule stays quiet; page-1h fires.
    assert snapshot(burning).burn_rates["2"] == "1000"
    assert list(Alert.objects.values_list("rule__name", flat=True)) == ["page-1h"]


def test_switching_a_firing_rule_off_resolves_its_alert(burning):
    evaluate(burning, AT)
    BurnRateRule.objects.filter(name="page-1h").update(is_active=False)
    later = AT + dt.timedelta(minutes=1)
    summary = evaluate(burning, later)
    alert = Alert.objects.get()
    assert (alert.state, alert.resolved_at, summary.alerts_resolved) == ("resolved", later, 1)
    assert snapshot(burning).status == "on_track"


def test_the_alert_resolves_when_the_period_is_over_and_nothing_is_open():
    # An agreement ending on 4 Nov: at 4 Nov 00:00 its only period is over, so nothing burns any more.
    target = burning_target(active_agreement(valid_from=dt.date(2026, 11, 1), valid_to=dt.date(2026, 11, 4)))
    evaluate(target, AT - dt.timedelta(minutes=1))
    assert Alert.objects.get().state == "firing"
    assert evaluate(target, AT).alerts_resolved == 1
    assert Alert.objects.get().state == "resolved"


def test_the_ticket_rule_catches_a_slow_burn():
    # Three days, down six minutes: five on 1 Nov and one at 21:00 on 3 Nov, three hours before the evaluation.
    target = slowly_burning_target()
    evaluate(target, AT)
    # 3 d: 6 / 4,320 -> 1.39 >= 1; 6 h: 1 / 360 -> 2.78 >= 1 (< 6, so page-6h stays quiet); 1 h: 0.
    alert = Alert.objects.get()
    assert (alert.rule.name, alert.rule.severity) == ("ticket-3d", "ticket")
    assert (alert.long_burn, alert.short_burn) == (D("1.388889"), D("2.777778"))


def _queries_to_resolve(how_many):
    """Queries of the evaluation that resolves the firing alerts of ``how_many`` new targets (and notifies them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring.evaluation import evaluate_targets

    targets = [burning_target() for _ in range(how_many)]
    evaluate_targets([target.pk for target in targets], AT)
    for target in targets:
        record_probe_minutes(target, AT, 10)
    with CaptureQueriesContext(connection) as captured:
        summary = evaluate_targets([target.pk for target in targets], AT + dt.timedelta(minutes=10))
    assert summary.alerts_resolved == how_many
    return len(captured.captured_queries)


def test_resolving_firing_alerts_reads_no_row_per_alert():
    from monitoring.models import NotificationChannel

    NotificationChannel.objects.create(name="everyone", kind="email", address="ops@example.com")
    assert _queries_to_resolve(1) == _queries_to_resolve(3)
