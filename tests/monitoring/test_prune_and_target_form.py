"""Pruning raw measurements keeps evaluation whole; the agreement page's target form links the indicator."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.choices import Operator
from monitoring.intake.ingest import record_samples
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


def test_pruning_cuts_on_a_whole_hour(time_machine):
    # Now is 2 Nov 15:30 UTC: a day back is 1 Nov 15:30, cut at 15:00 so that an hour is kept or pruned whole.
    time_machine.move_to(dt.datetime(2026, 11, 2, 15, 30, tzinfo=dt.UTC), tick=False)
    indicator = ThresholdIndicatorFactory()
    samples = [dt.datetime(2026, 11, 1, 14, 50, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, 15, 10, tzinfo=dt.UTC)]
    record_samples(indicator, [{"t": t.isoformat(), "value": 1} for t in samples])
    out = StringIO()

    call_command("prune_measurements", "--older-than", "1", stdout=out)

    assert list(Measurement.objects.values_list("t", flat=True)) == samples[1:]
    assert "Deleted 1 raw measurements from before 2026-11-01 15:00 UTC." in out.getvalue()


def hour_counts(indicator):
    return list(HourRollup.objects.filter(indicator=indicator).order_by("hour").values_list("hour", "good", "total"))


@pytest.fixture
def latency():
    """A latency indicator (good at or under 300 ms) with four samples in the 10:00 UTC hour of 2 November."""
    indicator = ThresholdIndicatorFactory(code="api-latency", unit="ms", operator=Operator.LTE, threshold=300)
    values = [100, 200, 250, 400]
    record_samples(
        indicator,
        [{"t": f"2026-11-02T10:0{minute}:00Z", "value": value} for minute, value in enumerate(values)],
        now=dt.datetime(2026, 11, 2, 11, tzinfo=dt.UTC),
    )
    return indicator


def test_rebuilding_judges_the_stored_values_again_against_a_changed_threshold(latency):
    ten = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)
    assert hour_counts(latency) == [(ten, 3, 4)]
    latency.threshold = 220
    latency.save()
    out = StringIO()

    call_command("rebuild_rollups", "api-latency", stdout=out)

    assert hour_counts(latency) == [(ten, 2, 4)]  # 100 and 200 ms are still good; 250 ms no longer is
    assert list(Measurement.objects.order_by("t").values_list("good", flat=True)) == [1, 1, 0, 0]
    assert out.getvalue() == "Rebuilt the rollups of api-latency from 2026-11-02 10:00 UTC.\n"


def test_rebuilding_an_unknown_indicator_changes_nothing(latency):
    latency.threshold = 220
    latency.save()
    with pytest.raises(CommandError, match="No indicator nope"):
        call_command("rebuild_rollups", "api-latency", "nope", stdout=StringIO())
    assert hour_counts(latency)[0][1:] == (3, 4)


def test_rebuilding_after_pruning_keeps_the_pruned_hours_rollups(time_machine):
    target = measured_target()
    record_probe_minutes(target, kst(2026, 11, 2), 120, bad=range(10))  # 1 Nov 15:00-17:00 UTC, 10 bad minutes
    time_machine.move_to(kst(2026, 11, 4), tick=False)
    record_probe_minutes(target, kst(2026, 11, 3, 23), 30)  # 3 Nov 14:00-14:30 UTC, all good
    evaluate(target, kst(2026, 11, 4))
    before = snapshot(target)
    indicator = target.indicator_link.indicator
    call_command("prune_measurements", "--older-than", "1", stdout=StringIO())
    assert Measurement.objects.count() == 30

    out = StringIO()
    call_command("rebuild_rollups", indicator.code, stdout=out)

    assert f"Rebuilt the rollups of {indicator.code} from 2026-11-03 14:00 UTC." in out.getvalue()
    assert [counts[1:] for counts in hour_counts(indicator)] == [(50, 60), (60, 60), (30, 30)]
    ComplianceSnapshot.objects.all().delete()
    evaluate(target, kst(2026, 11, 4))
    assert (snapshot(target).good_slices, snapshot(target).slices_with_data) == (before.good_slices, 150)

    Measurement.objects.all().delete()
    call_command("rebuild_rollups", indicator.code, stdout=out)
    assert f"{indicator.code}: no raw measurements; its rollups were left as they are." in out.getvalue()
    assert len(hour_counts(indicator)) == 3


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
