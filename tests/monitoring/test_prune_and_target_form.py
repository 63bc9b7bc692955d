"""Pruning raw measurements keeps evaluation whole; the agreement page's target form links the indicator."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.ingest import record_samples
from monitoring.models import ComplianceSnapshot, HourRollup, Measurement, TargetIndicator
from tests.agreements.forms_data import agreement_post, target
from tests.factories import ServiceFactory
from tests.monitoring.evaluation_helpers import evaluate, kst, measured_target, record_probe_minutes, snapshot
from tests.monitoring.factories import ThresholdIndicatorFactory

pytestmark = pytest.mark.django_db


def test_pruning_deletes_old_raw_rows_and_keeps_rollups_and_results():
    target = measured_target()
    record_probe_minutes(target, kst(2026, 11, 2), 120, bad=range(10))
    evaluate(target, kst(2026, 11, 3))
    before = snapshot(target)
    hours = HourRollup.objects.count()
    out = StringIO()

    call_command("prune_measurements", "--older-than", "1", stdout=out)

    assert Measurement.objects.count() == 0
    assert "Deleted 120 raw measurements" in out.getvalue()
    assert HourRollup.objects.count() == hours
    ComplianceSnapshot.objects.all().delete()
    evaluate(target, kst(2026, 11, 3))
    after = snapshot(target)
    assert (after.attainment, after.good_slices, after.slices_with_data) == (
        before.attainment,
        before.good_slices,
        before.slices_with_data,
    )


def test_pruning_keeps_recent_raw_rows():
    indicator = ThresholdIndicatorFactory()
    now = timezone.now()
    record_samples(indicator, [{"t": (now - dt.timedelta(hours=1)).isoformat(), "value": 1}])
    call_command("prune_measurements", "--older-than", "2", stdout=StringIO())
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_pruning_refuses_a_bad_age(days):
    with pytest.raises(CommandError):
        call_command("prune_measurements", "--older-than", days, stdout=StringIO())


def test_the_agreement_form_links_and_unlinks_the_targets_indicator(client, manager, customer_a):
    service = ServiceFactory(code="acme-banking")
    indicator = ThresholdIndicatorFactory(code="acme-up", service=service)
    client.force_login(manager)
    data = agreement_post(customer_a, [service], [target("availability", indicator=str(indicator.pk))])

    response = client.post("/agreements/new/", data)

    assert response.status_code == 302
    link = TargetIndicator.objects.get(target__agreement__code="new-sla")
    assert link.indicator == indicator
    page = client.get("/agreements/new-sla/edit/").text
    assert f'<option value="{indicator.pk}" selected>' in page

    data["targets-0-indicator"] = ""
    data["targets-0-id"] = str(link.target_id)
    data["targets-INITIAL_FORMS"] = "1"
    data["code"] = "new-sla"
    assert client.post("/agreements/new-sla/edit/", data).status_code == 302
    assert not TargetIndicator.objects.exists()
