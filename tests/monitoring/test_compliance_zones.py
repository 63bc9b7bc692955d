"""A month is that month in the target's own time zone: the compliance API and the SLA report read it there.

The portal runs in Asia/Seoul (UTC+9). Each target here keeps round-the-clock service hours in another zone, on both
sides of Seoul's, and has probe data for the last local day of November (30 bad minutes in its last hour) and the
first local day of December (60 bad minutes in its first hour): November attains 1,410 / 1,440 slices, December
1,380 / 1,440. Read in Seoul, the last instant of November is already December in Auckland and Sydney, and so was
the snapshot the API used to answer with.
"""

import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agreements.models import WorkingPeriod
from monitoring.evaluation import evaluate_targets
from monitoring.models import ComplianceSnapshot
from tests.factories import BusinessCalendarFactory
from tests.monitoring.evaluation_helpers import active_agreement, measured_target, record_probe_minutes
from tests.monitoring.test_reports import csv_rows

pytestmark = pytest.mark.django_db
ZONES = ["Pacific/Auckland", "Australia/Sydney", "UTC", "America/Los_Angeles"]
EVALUATED_AT = dt.datetime(2026, 12, 10, tzinfo=dt.UTC)
NOVEMBER = Decimal("97.9166666667")  # 1,410 / 1,440 = 0.979166666667 (12 places), in percent
DECEMBER = Decimal("95.8333333333")  # 1,380 / 1,440


def around_the_clock(zone):
    calendar = BusinessCalendarFactory(code=f"always-{zone.lower().replace('/', '-')}", time_zone=zone)
    calendar.working_periods.all().delete()
    for weekday in range(7):
        WorkingPeriod.objects.create(calendar=calendar, weekday=weekday, start=dt.time(0), end=dt.time(0))
    return calendar


def local(zone, *args):
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


@pytest.fixture
def agreement(customer_a):
    """One agreement with a monthly target in each zone, measured around the month's end and evaluated on 10 Dec."""
    agreement = active_agreement(code="zones", customer=customer_a, valid_from=dt.date(2026, 10, 1))
    targets = []
    for number, zone in enumerate(ZONES):
        target = measured_target(agreement=agreement, code=f"t{number}", service_hours=around_the_clock(zone))
        record_probe_minutes(target, local(zone, 2026, 11, 30), 1440, bad=range(1380, 1410))
        record_probe_minutes(target, local(zone, 2026, 12, 1), 1440, bad=range(60))
        targets.append(target)
    evaluate_targets([target.pk for target in targets], EVALUATED_AT)
    return agreement


def instant(text):
    return dt.datetime.fromisoformat(text)


def compliance(client, user, period):
    client.force_login(user)
    response = client.get(f"/api/v1/agreements/zones/compliance?period={period}")
    assert response.status_code == 200, response.content
    return {row["code"]: row for row in response.json()["targets"]}


@pytest.mark.parametrize(("number", "zone"), list(enumerate(ZONES)))
def test_the_api_reads_november_in_the_targets_own_zone(client, manager, agreement, number, zone):
    row = compliance(client, manager, "2026-11")[f"t{number}"]
    assert row["period"]["label"] == "2026-11"
    assert instant(row["period"]["start"]) == local(zone, 2026, 11, 1)
    assert instant(row["period"]["end"]) == local(zone, 2026, 12, 1)
    assert Decimal(row["attainment_percent"]) == NOVEMBER
    assert row["period"]["closed"] is True


@pytest.mark.parametrize(("number", "zone"), list(enumerate(ZONES)))
def test_the_api_reads_december_in_the_targets_own_zone(client, manager, agreement, number, zone):
    row = compliance(client, manager, "2026-12")[f"t{number}"]
    assert row["period"]["label"] == "2026-12"
    assert Decimal(row["attainment_percent"]) == DECEMBER
    assert row["period"]["closed"] is False


def test_the_report_reads_each_targets_month_in_its_own_zone(client, manager, agreement):
    client.force_login(manager)
    rows = csv_rows(client.get("/agreements/zones/report.csv?period=2026-Q4"))
    by_month = {(row["target"], row["month"]): Decimal(row["attainment_percent"] or "0") for row in rows}
    for number in range(len(ZONES)):
        assert by_month[(f"t{number}", "2026-11")] == NOVEMBER
        assert by_month[(f"t{number}", "2026-12")] == DECEMBER


def test_a_rolling_window_shows_its_own_start_and_end(client, manager, customer_a):
    agreement = active_agreement(code="zones", customer=customer_a, valid_from=dt.date(2026, 10, 1))
    zone = "Pacific/Auckland"
    target = measured_target(
        agreement=agreement,
        code="rolling",
        service_hours=around_the_clock(zone),
        window_kind="rolling",
        rolling_days=7,
    )
    record_probe_minutes(target, local(zone, 2026, 11, 30), 1440, bad=range(1380, 1410))
    evaluate_targets([target.pk], EVALUATED_AT)

    row = compliance(client, manager, "2026-11")["rolling"]
    # The snapshot of 30 Nov (Auckland), the last day of the month there: the 7 days up to its end.
    assert row["period"]["label"] == "2026-11-30"
    assert instant(row["period"]["start"]) == local(zone, 2026, 11, 24)
    assert instant(row["period"]["end"]) == local(zone, 2026, 12, 1)
    assert Decimal(row["attainment_percent"]) == NOVEMBER


def test_the_migration_gives_existing_snapshots_their_window_start(customer_a):
    from django.apps import apps

    migration = importlib.import_module("monitoring.migrations.0007_snapshot_window_start")
    agreement = active_agreement(code="zones", customer=customer_a, valid_from=dt.date(2026, 11, 27))
    zone = "Pacific/Auckland"
    hours = around_the_clock(zone)
    rolling = measured_target(
        agreement=agreement, code="rolling", service_hours=hours, window_kind="rolling", rolling_days=7
    )
    monthly = measured_target(agreement=agreement, code="monthly", service_hours=hours)
    for target in (rolling, monthly):
        record_probe_minutes(target, local(zone, 2026, 11, 30), 1440)
    evaluate_targets([rolling.pk, monthly.pk], EVALUATED_AT)
    snapshots = ComplianceSnapshot.objects.filter(target__agreement=agreement)
    written = set(snapshots.values_list("target__code", "period_label", "window_start"))
    snapshots.update(window_start=None)

    migration.fill_window_starts(apps, None)

    assert set(snapshots.values_list("target__code", "period_label", "window_start")) == written
    assert ("rolling", "2026-11-30", local(zone, 2026, 11, 27)) in written  # clipped to the agreement's start
    assert ("rolling", "2026-12-09", local(zone, 2026, 12, 3)) in written
    assert ("monthly", "2026-11", local(zone, 2026, 11, 27)) in written
    assert ("monthly", "2026-12", local(zone, 2026, 12, 1)) in written


def test_without_a_period_each_target_answers_for_the_month_running_in_its_zone(
    client, manager, agreement, time_machine
):
    # 1 Dec 02:00 in Seoul: December in Auckland, Sydney and Seoul, still 30 November in UTC and Los Angeles.
    time_machine.move_to(dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC), tick=False)
    client.force_login(manager)
    body = client.get("/api/v1/agreements/zones/compliance").json()
    assert body["period"] == "2026-12"
    labels = {row["code"]: row["period"]["label"] for row in body["targets"]}
    assert labels == {"t0": "2026-12", "t1": "2026-12", "t2": "2026-11", "t3": "2026-11"}
