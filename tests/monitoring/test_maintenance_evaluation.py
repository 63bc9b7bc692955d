"""Maintenance and agreed exclusions through the evaluation: the worked examples of docs/compliance.md.

A 99.9 % monthly target measured by an up/down probe in Asia/Seoul: November 2026 is 43,200 minutes and its budget
43.2 minutes. The agreement excludes approved maintenance announced at least 5 days ahead, up to 4 hours a month.
Data is recorded around the window only; a timeslice target leaves slices without data out, so the budget is taken
over the whole period's length and the bad minutes alone decide what is consumed.
"""

import datetime as dt
from decimal import Decimal

import pytest

from agreements.choices import BudgetingMethod, ExclusionReason, MaintenanceStatus, Recurrence, WindowKind
from agreements.models import Exclusion, MaintenanceWindow
from monitoring.models import Alert, ComplianceSnapshot
from tests.monitoring.evaluation_helpers import (
    DECEMBER,
    NOVEMBER,
    THREE_DAYS,
    active_agreement,
    evaluate,
    kst,
    measured_target,
    record_counts,
    record_probe_minutes,
    snapshot,
)

pytestmark = pytest.mark.django_db
D = Decimal
CLOSED = DECEMBER + dt.timedelta(minutes=15)  # November is frozen from here on (SLM_CLOSE_GRACE_MINUTES=15)
WINDOW_START = kst(2026, 11, 10, 2)  # Tuesday 10 Nov 02:00 KST


def terms(notice_days=5, cap_minutes=240):
    return active_agreement(
        valid_from=dt.date(2026, 11, 1), maintenance_notice_days=notice_days, maintenance_cap_minutes=cap_minutes
    )


def approved_window(service, start, minutes, announced_days_ahead, **fields):
    """A window of ``service`` approved ``announced_days_ahead`` days before it starts (the approval announces it)."""
    window = MaintenanceWindow.objects.create(
        service=service,
        title=fields.pop("title", "Database upgrade"),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        **fields,
    )
    window.transition_to(MaintenanceStatus.APPROVED, now=start - dt.timedelta(days=announced_days_ahead))
    return window


def probe_day_around_window(target, bad_inside=30, bad_outside=10):
    """A probe answer every minute of 10 Nov: ``bad_inside`` bad minutes from 02:10 (inside a 02:00 window) and
    ``bad_outside`` from 05:00."""
    inside = range(130, 130 + bad_inside)
    outside = range(300, 300 + bad_outside)
    record_probe_minutes(target, kst(2026, 11, 10), 1440, bad=[*inside, *outside])


# --- the worked examples ------------------------------------------------------------------------------------------


def test_a_window_announced_seven_days_ahead_leaves_the_period_and_its_thirty_bad_minutes():
    target = measured_target(agreement=terms())
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=7)
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    row = snapshot(target)
    assert row.is_closed
    assert row.budget_total == D("43.08")  # 0.001 x (43,200 - 120) minutes
    assert row.budget_consumed == D("10")
    assert row.slices_in_scope == 43_080
    assert row.slices_with_data == 1440 - 120
    assert row.good_slices == 1440 - 120 - 10
    assert row.maintenance == [
        {
            "start": "2026-11-09T17:00:00+00:00",
            "end": "2026-11-09T19:00:00+00:00",
            "outcome": "excluded",
            "reason": "maintenance",
            "source": "window",
            "id": MaintenanceWindow.objects.get().pk,
            "title": "Database upgrade",
        }
    ]


def test_the_same_window_announced_two_days_ahead_counts_and_all_forty_bad_minutes_are_consumed():
    target = measured_target(agreement=terms())
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=2)
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    row = snapshot(target)
    assert row.budget_total == D("43.2")
    assert row.budget_consumed == D("40")
    assert [part["outcome"] for part in row.maintenance] == ["late_notice"]


def test_notice_of_exactly_the_agreed_days_is_enough():
    target = measured_target(agreement=terms(notice_days=5))
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=5)
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    assert snapshot(target).budget_consumed == D("10")


def test_a_six_hour_window_under_a_four_hour_cap_leaves_two_hours_counting():
    target = measured_target(agreement=terms(cap_minutes=240))
    approved_window(target.agreement.services.first(), WINDOW_START, 360, announced_days_ahead=7)
    # The window runs 02:00-08:00; the cap excludes 02:00-06:00. Down 05:00-08:00: one hour excluded, two count.
    record_probe_minutes(target, kst(2026, 11, 10), 1440, bad=range(300, 480))
    evaluate(target, CLOSED)
    row = snapshot(target)
    assert row.budget_total == D("42.96")  # 0.001 x (43,200 - 240)
    assert row.budget_consumed == D("120")
    assert [(part["outcome"], part["start"], part["end"]) for part in row.maintenance] == [
        ("excluded", "2026-11-09T17:00:00+00:00", "2026-11-09T21:00:00+00:00"),
        ("over_cap", "2026-11-09T21:00:00+00:00", "2026-11-09T23:00:00+00:00"),
    ]


def test_the_cap_is_shared_by_the_months_windows_earliest_first():
    target = measured_target(agreement=terms(cap_minutes=240))
    service = target.agreement.services.first()
    approved_window(service, kst(2026, 11, 3, 2), 180, announced_days_ahead=10, title="First")
    approved_window(service, kst(2026, 11, 17, 2), 180, announced_days_ahead=10, title="Second")
    evaluate(target, CLOSED)
    outcomes = [(part["title"], part["outcome"], part["start"]) for part in snapshot(target).maintenance]
    assert outcomes == [
        ("First", "excluded", "2026-11-02T17:00:00+00:00"),
        ("Second", "excluded", "2026-11-16T17:00:00+00:00"),  # 60 minutes left of the cap
        ("Second", "over_cap", "2026-11-16T18:00:00+00:00"),
    ]
    assert snapshot(target).budget_total == D("42.96")


def test_a_cap_of_zero_counts_all_maintenance():
    target = measured_target(agreement=terms(cap_minutes=0))
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=7)
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    assert snapshot(target).budget_consumed == D("40")
    assert [part["outcome"] for part in snapshot(target).maintenance] == ["over_cap"]


@pytest.mark.parametrize("status", [MaintenanceStatus.PLANNED, MaintenanceStatus.CANCELLED])
def test_a_window_never_approved_or_cancelled_excludes_nothing(status):
    target = measured_target(agreement=terms())
    MaintenanceWindow.objects.create(
        service=target.agreement.services.first(),
        title="Unapproved",
        starts_at=WINDOW_START,
        ends_at=WINDOW_START + dt.timedelta(minutes=120),
    )
    MaintenanceWindow.objects.update(status=status)
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    assert snapshot(target).budget_consumed == D("40")
    assert snapshot(target).maintenance == []


def test_each_agreement_applies_its_own_notice_to_the_same_window():
    strict = measured_target(agreement=terms(notice_days=10))
    service = strict.agreement.services.first()
    lenient = measured_target(agreement=terms(notice_days=5))
    lenient.agreement.services.set([service])
    lenient.indicator_link.indicator.service = service
    lenient.indicator_link.indicator.save()
    approved_window(service, WINDOW_START, 120, announced_days_ahead=7)
    probe_day_around_window(strict)
    probe_day_around_window(lenient)
    evaluate(strict, CLOSED)
    evaluate(lenient, CLOSED)
    assert snapshot(strict).budget_consumed == D("40")
    assert snapshot(lenient).budget_consumed == D("10")


def test_a_window_of_another_service_changes_nothing():
    target = measured_target(agreement=terms())
    other = measured_target(agreement=terms())
    approved_window(other.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=7)
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    assert snapshot(target).budget_consumed == D("40")


# --- agreed exclusions --------------------------------------------------------------------------------------------


def test_an_agreed_exclusion_leaves_the_period_whole_whatever_the_cap():
    target = measured_target(agreement=terms(cap_minutes=0))
    Exclusion.objects.create(
        agreement=target.agreement,
        service=target.agreement.services.first(),
        starts_at=kst(2026, 11, 10, 2),
        ends_at=kst(2026, 11, 10, 3),
        reason=ExclusionReason.CUSTOMER_CAUSED,
        description="The customer's firewall change blocked the service",
        customer_agreement="J. Kim, e-mail",
    )
    probe_day_around_window(target)  # 30 bad minutes from 02:10, inside the hour; 10 from 05:00
    evaluate(target, CLOSED)
    row = snapshot(target)
    assert row.budget_total == D("43.14")  # 0.001 x (43,200 - 60)
    assert row.budget_consumed == D("10")
    assert [(part["reason"], part["source"]) for part in row.maintenance] == [("customer_caused", "exclusion")]


def test_an_exclusion_of_another_agreement_on_the_same_service_does_not_count_here():
    target = measured_target(agreement=terms())
    other = terms()
    other.services.set(target.agreement.services.all())
    Exclusion.objects.create(
        agreement=other,
        service=target.agreement.services.first(),
        starts_at=kst(2026, 11, 10, 2),
        ends_at=kst(2026, 11, 10, 3),
        reason=ExclusionReason.FORCE_MAJEURE,
        description="Flood",
        customer_agreement="signed",
    )
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    assert snapshot(target).budget_consumed == D("40")


def test_events_inside_an_excluded_interval_count_as_neither_good_nor_bad():
    target = measured_target(agreement=terms(), probe=False, method=BudgetingMethod.OCCURRENCES)
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=7)
    record_counts(
        target,
        {
            kst(2026, 11, 10, 1, 59): (990, 1000),  # before the window: counts
            kst(2026, 11, 10, 2, 0): (0, 500),  # inside: counts as nothing
            kst(2026, 11, 10, 3, 59): (0, 500),  # inside, its last minute
            kst(2026, 11, 10, 4, 0): (1000, 1000),  # after: counts
        },
    )
    evaluate(target, CLOSED)
    row = snapshot(target)
    assert (row.good, row.total) == (1990, 2000)
    assert row.budget_consumed == D("10")
    assert row.budget_total == D("2")  # 0.001 x 2,000 events


def test_a_rolling_window_leaves_excluded_time_out_too():
    target = measured_target(agreement=terms(), window_kind=WindowKind.ROLLING, rolling_days=28)
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=7)
    probe_day_around_window(target)
    at = kst(2026, 11, 11)
    evaluate(target, at)
    row = ComplianceSnapshot.objects.get(target=target, is_current=True)
    assert row.budget_consumed == D("10")
    assert row.slices_in_scope == 10 * 1440 - 120  # 1 Nov (valid from) to 11 Nov, less the window


# --- a repeating window ---------------------------------------------------------------------------------------------


def test_a_weekly_window_excludes_each_occurrence_until_the_months_cap_is_spent():
    target = measured_target(agreement=terms(cap_minutes=240))
    approved_window(
        target.agreement.services.first(),
        kst(2026, 11, 1, 3),
        90,
        announced_days_ahead=7,
        recurrence=Recurrence.WEEKLY,
        repeat_until=dt.date(2026, 12, 31),
    )
    evaluate(target, CLOSED)
    parts = [(part["outcome"], part["start"][:16], part["end"][:16]) for part in snapshot(target).maintenance]
    # Sundays 1, 8, 15, 22 and 29 November at 03:00 KST (18:00Z the day before), 90 minutes each: 240 = 90+90+60.
    assert parts == [
        ("excluded", "2026-10-31T18:00", "2026-10-31T19:30"),
        ("excluded", "2026-11-07T18:00", "2026-11-07T19:30"),
        ("excluded", "2026-11-14T18:00", "2026-11-14T19:00"),
        ("over_cap", "2026-11-14T19:00", "2026-11-14T19:30"),
        ("over_cap", "2026-11-21T18:00", "2026-11-21T19:30"),
        ("over_cap", "2026-11-28T18:00", "2026-11-28T19:30"),
    ]
    assert snapshot(target).budget_total == D("42.96")
    # December runs: its budget already leaves out the Sundays ahead, under December's own cap.
    december = ComplianceSnapshot.objects.get(target=target, period_start=DECEMBER)
    assert [(part["outcome"], part["start"][:10]) for part in december.maintenance] == [
        ("excluded", "2026-12-05"),
        ("excluded", "2026-12-12"),
        ("excluded", "2026-12-19"),
        ("over_cap", "2026-12-19"),
        ("over_cap", "2026-12-26"),
    ]
    assert december.budget_total == D("44.4")  # 0.001 x (31 x 1,440 - 240)


# --- burn rates, alerts and the current state -----------------------------------------------------------------------


def test_burn_rate_alerts_ignore_excluded_time_and_the_target_shows_in_maintenance():
    target = measured_target(agreement=terms())
    at = kst(2026, 11, 4)
    # Down for the last 30 minutes before ``at``, inside a window running from 23:30 to 00:30.
    approved_window(target.agreement.services.first(), at - dt.timedelta(minutes=30), 60, announced_days_ahead=7)
    record_probe_minutes(target, NOVEMBER, THREE_DAYS, bad=range(THREE_DAYS - 30, THREE_DAYS))
    evaluate(target, at)
    current = ComplianceSnapshot.objects.get(target=target, is_current=True)
    assert current.in_maintenance
    assert current.budget_consumed == D("0")
    assert current.burn_rates["60"] == "0"
    assert not Alert.objects.filter(target=target).exists()


def test_without_the_window_the_same_outage_fires_and_is_not_in_maintenance():
    target = measured_target(agreement=terms())
    at = kst(2026, 11, 4)
    record_probe_minutes(target, NOVEMBER, THREE_DAYS, bad=range(THREE_DAYS - 30, THREE_DAYS))
    evaluate(target, at)
    current = ComplianceSnapshot.objects.get(target=target, is_current=True)
    assert not current.in_maintenance
    assert current.budget_consumed == D("30")
    assert Alert.objects.filter(target=target).exists()


# --- closed periods never change -----------------------------------------------------------------------------------


def test_a_window_stored_into_a_closed_period_changes_nothing_there():
    target = measured_target(agreement=terms())
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    before = snapshot(target)
    # Past the forms' refusal (the pages never let it in): the frozen period is not computed again.
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=7)
    evaluate(target, CLOSED + dt.timedelta(hours=1))
    after = snapshot(target)
    assert (after.budget_total, after.budget_consumed, after.maintenance) == (D("43.2"), D("40"), [])
    assert after.computed_at == before.computed_at


def test_the_model_refuses_a_window_or_an_exclusion_reaching_into_a_closed_period():
    target = measured_target(agreement=terms())
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    service = target.agreement.services.first()
    window = MaintenanceWindow(
        service=service, title="Late", starts_at=kst(2026, 11, 30, 23), ends_at=kst(2026, 12, 1, 1)
    )
    with pytest.raises(Exception, match="closed period") as refused:
        window.full_clean()
    assert f"{target.agreement.code} / {target.code} 2026-11" in str(refused.value)
    exclusion = Exclusion(
        agreement=target.agreement,
        service=service,
        starts_at=kst(2026, 11, 30, 23),
        ends_at=kst(2026, 12, 1, 0, 10),
        reason=ExclusionReason.OTHER,
        description="x",
        customer_agreement="y",
    )
    with pytest.raises(Exception, match="closed period"):
        exclusion.full_clean()


def test_the_daily_figures_leave_out_what_the_snapshot_excluded():
    from monitoring.readout.timeline import daily_figures

    target = measured_target(agreement=terms())
    approved_window(target.agreement.services.first(), WINDOW_START, 120, announced_days_ahead=7)
    probe_day_around_window(target)
    evaluate(target, CLOSED)
    bars, burn, labels = daily_figures(target, snapshot(target), now=CLOSED)
    tenth = labels.index("2026-11-10")
    assert bars[tenth] == ("11-10", 1440 - 120 - 10, 10)
    assert burn[-1][1] == snapshot(target).budget_remaining  # the burn-down ends where the snapshot stands


# --- a series that has begun keeps what it counted -----------------------------------------------------------------


@pytest.fixture
def weekly_series_under_way():
    """A weekly hour of maintenance that began 40 days ago and runs 30 days more, approved 50 days ago, on a target
    whose last month is closed with data in it (relative to the real clock the model reads)."""
    from django.utils import timezone

    now = timezone.now().replace(second=0, microsecond=0)
    target = measured_target(
        agreement=active_agreement(valid_from=(now - dt.timedelta(days=120)).date(), maintenance_cap_minutes=600)
    )
    record_probe_minutes(target, now - dt.timedelta(days=40, hours=2), 60)  # in a month now closed
    evaluate(target, now)
    window = approved_window(
        target.agreement.services.first(),
        now - dt.timedelta(days=40),
        60,
        announced_days_ahead=10,
        recurrence=Recurrence.WEEKLY,
        repeat_until=timezone.localdate(now + dt.timedelta(days=30)),
    )
    return window, now


def test_a_title_change_of_a_series_reaching_into_a_closed_period_is_allowed(weekly_series_under_way):
    window, _now = weekly_series_under_way
    assert ComplianceSnapshot.objects.filter(is_closed=True).exclude(status="no_data").exists()
    window.title = "Weekly patching (renamed)"
    window.full_clean()


def test_a_series_that_has_begun_is_not_cancelled_but_ended_early_and_keeps_its_approval(weekly_series_under_way):
    from agreements.forms.maintenance import send_back_if_retimed
    from core.workflow import TransitionNotAllowed

    window, now = weekly_series_under_way
    with pytest.raises(TransitionNotAllowed, match="has begun"):
        window.transition_to(MaintenanceStatus.CANCELLED)
    approved_at = window.approved_at
    window.repeat_until = (now + dt.timedelta(days=8)).date()
    window.full_clean()  # only occurrences ahead go
    assert not send_back_if_retimed(window, ["repeat_until"])
    assert (window.status, window.approved_at) == (MaintenanceStatus.APPROVED, approved_at)


def test_occurrences_that_have_begun_cannot_be_moved(weekly_series_under_way):
    from django.core.exceptions import ValidationError

    window, _now = weekly_series_under_way
    window.starts_at += dt.timedelta(hours=1)
    window.ends_at += dt.timedelta(hours=1)
    with pytest.raises(ValidationError, match="have begun cannot change"):
        window.full_clean()


def test_the_running_periods_budget_leaves_out_the_maintenance_announced_ahead_in_it():
    target = measured_target(agreement=terms())
    approved_window(target.agreement.services.first(), kst(2026, 11, 25, 2), 120, announced_days_ahead=7)
    record_probe_minutes(target, kst(2026, 11, 10), 60)
    evaluate(target, kst(2026, 11, 11))
    running = snapshot(target)
    assert not running.is_closed
    assert running.budget_total == D("43.08")  # the whole month less the window of the 25th, from the start
    assert [part["start"] for part in running.maintenance] == ["2026-11-24T17:00:00+00:00"]
    assert not running.in_maintenance


def test_a_rolling_targets_closed_days_do_not_hold_back_an_exclusion_of_yesterday():
    target = measured_target(agreement=terms(), window_kind=WindowKind.ROLLING, rolling_days=28)
    probe_day_around_window(target)  # 10 Nov; evaluated on the 12th, the 10th's and 11th's days are closed
    evaluate(target, kst(2026, 11, 12, 1))
    assert ComplianceSnapshot.objects.filter(target=target, is_closed=True).exclude(status="no_data").exists()
    exclusion = Exclusion(
        agreement=target.agreement,
        service=target.agreement.services.first(),
        starts_at=kst(2026, 11, 10, 2),
        ends_at=kst(2026, 11, 10, 3),
        reason=ExclusionReason.CUSTOMER_CAUSED,
        description="x",
        customer_agreement="y",
    )
    exclusion.full_clean()
    exclusion.save()
    evaluate(target, kst(2026, 11, 12, 2))
    current = ComplianceSnapshot.objects.get(target=target, is_current=True)
    assert current.budget_consumed == D("10")  # the window running now counts the exclusion
    assert ComplianceSnapshot.objects.get(target=target, period_start=kst(2026, 11, 10)).budget_consumed == D("40")
