"""Only a closed period is met: a running one is on track, at risk or breached (docs/compliance.md, Status)."""

import importlib

import pytest
from django.apps import apps

from monitoring.models import ComplianceSnapshot
from tests.monitoring.dashboard_helpers import NOW, agreement_since
from tests.monitoring.evaluation_helpers import evaluate, kst, measured_target, record_probe_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(customer_a):
    agreement = agreement_since("2026-10", customer=customer_a, code="acme-portal")
    monthly = measured_target(agreement=agreement, code="monthly")
    rolling = measured_target(agreement=agreement, code="rolling", window_kind="rolling", rolling_days=7)
    for target in (monthly, rolling):
        record_probe_minutes(target, kst(2026, 10, 5), 600)
        record_probe_minutes(target, kst(2026, 11, 14), 600)
        evaluate(target, NOW)
    return monthly, rolling


def statuses():
    return dict(
        ComplianceSnapshot.objects.filter(period_label__in=["2026-10", "2026-11", "2026-11-16"]).values_list(
            "period_label", "status"
        )
    )


def test_a_clean_closed_month_is_met_and_the_running_month_and_rolling_window_are_on_track(targets):
    assert statuses() == {"2026-10": "met", "2026-11": "on_track", "2026-11-16": "on_track"}


def test_the_migration_turns_open_and_rolling_rows_stored_as_met_into_on_track(targets):
    migration = importlib.import_module("monitoring.migrations.0008_snapshot_on_track")
    ComplianceSnapshot.objects.filter(status="on_track").update(status="met")  # as rows were written before
    assert set(statuses().values()) == {"met"}

    migration.open_periods_on_track(apps, None)
    assert statuses() == {"2026-10": "met", "2026-11": "on_track", "2026-11-16": "on_track"}

    migration.on_track_back_to_met(apps, None)
    assert set(statuses().values()) == {"met"}
