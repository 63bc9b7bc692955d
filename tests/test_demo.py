"""The demo data that `make run` loads: live on whatever day it is loaded, and the same rows when loaded again."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from agreements.models import Agreement, Holiday, SignOff
from agreements.review_cycles import add_months
from agreements.signoffs import sign_off_state
from improvement.choices import DecisionKind
from improvement.models import Action, ImprovementPlan, PlanStatusChange, ReviewDecision, ReviewMeeting
from monitoring.models import Alert, ComplianceSnapshot, Measurement, Notification
from monitoring.windows import first_of_month
from requirements_analysis.models import SurveyCampaign
from slm_portal.demo import korean_holidays

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", "--allow-production", "--portal-url", "http://127.0.0.1:9", stdout=io.StringIO())


def test_korean_holidays_hold_the_solar_ones_of_every_year_and_the_lunar_ones_known():
    days = dict(korean_holidays(range(2026, 2029)))
    assert days[dt.date(2028, 10, 9)] == "Hangul Day"
    assert days[dt.date(2027, 9, 15)] == "Chuseok"
    assert days[dt.date(2026, 2, 17)] == "Seollal"
    assert all(day.year in (2026, 2027, 2028) for day in days)


def test_the_demo_is_live_on_the_day_it_is_loaded_and_loads_again_unchanged():
    started = timezone.now()
    seed()
    today = timezone.localdate()
    active = Agreement.objects.filter(status="active")
    assert active.count() == 3
    for agreement in active:
        assert agreement.valid_from <= today - dt.timedelta(days=92), agreement.code  # the measured history fits
        assert agreement.valid_to is None or agreement.valid_to > today, agreement.code
    assert Holiday.objects.filter(date__year=today.year).exists()

    # Every measured target of the active agreements has a running period (in the first minute of a month too), and
    # the measurements reach up to now.
    now = timezone.now()
    current = ComplianceSnapshot.objects.filter(is_current=True)
    assert current.count() == 5
    assert all(snapshot.period_start <= now for snapshot in current)
    # Up to the minute the seeding began (it takes minutes on a busy machine: measured from then, not from now).
    assert Measurement.objects.latest("t").t >= started - dt.timedelta(minutes=2)
    # Last month's banking availability had an outage that took it under its objective (it reads breached once the
    # month has closed, fifteen minutes after its end).
    last_month = first_of_month(today, -1).strftime("%Y-%m")
    availability = ComplianceSnapshot.objects.get(
        target__agreement__code="hanbit-digital-sla", target__code="availability", period_label=last_month
    )
    assert availability.attainment_percent < availability.objective
    assert SurveyCampaign.objects.get().status == "open"
    assert SurveyCampaign.objects.get().closes_at > timezone.now()
    assert ImprovementPlan.objects.filter(status="in_progress").exists()
    assert Action.objects.open().filter(due_date__lt=today).exists()  # an overdue action shows as such
    assert_the_demo_plans_went_through_their_workflow(now)
    assert_the_demo_has_reviews_and_a_signed_agreement(today)
    # Burn-rate alerts: the dispatch failures of the last half hour fire one now; this month's banking outage fired
    # one, resolved since.
    firing = Alert.objects.filter(state="firing").values_list("target__code", flat=True)
    assert "dispatch-success" in set(firing)
    assert Alert.objects.filter(state="resolved", target__code="availability", resolved_at__lte=now).exists()
    # The days-old outage is not announced as firing now.
    assert not Notification.objects.filter(alert__target__code="availability", event="firing").exists()

    counts = (
        Agreement.objects.count(),
        Holiday.objects.count(),
        Action.objects.count(),
        ReviewMeeting.objects.count(),
        ReviewDecision.objects.count(),
        SignOff.objects.count(),
    )
    histories = {
        plan.title: list(plan.status_changes.values_list("pk", "changed_at")) for plan in ImprovementPlan.objects.all()
    }
    measured = Measurement.objects.count()
    dates = list(Agreement.objects.order_by("code").values_list("valid_from", "valid_to", "next_review"))
    seed()
    assert (
        Agreement.objects.count(),
        Holiday.objects.count(),
        Action.objects.count(),
        ReviewMeeting.objects.count(),
        ReviewDecision.objects.count(),
        SignOff.objects.count(),
    ) == counts
    assert list(Agreement.objects.order_by("code").values_list("valid_from", "valid_to", "next_review")) == dates
    assert {
        plan.title: list(plan.status_changes.values_list("pk", "changed_at")) for plan in ImprovementPlan.objects.all()
    } == histories
    # Measurements only fill the minutes since the first load, for the indicators measured every minute.
    assert measured <= Measurement.objects.count() <= measured + 5 * 10

    # A demo loaded by an older version moved its plans with no history (and verified one at once): loading the demo
    # again records the steps they went through.
    PlanStatusChange.objects.all().delete()
    ImprovementPlan.objects.filter(status="verified").first().status_changes.create(
        from_status="completed", to_status="verified"
    )
    seed()
    assert_the_demo_plans_went_through_their_workflow(timezone.now())


def assert_the_demo_has_reviews_and_a_signed_agreement(today):
    """A held review with a decision of each kind and its minutes confirmed, one cycle before the next review (which
    is soon); an overdue review; a signed agreement whose terms are still the signed ones, and one waiting."""
    bank = Agreement.objects.get(code="hanbit-digital-sla")
    held = ReviewMeeting.objects.get(agreement=bank)
    assert held.held_on < today
    assert add_months(held.held_on, bank.cycle.months) == bank.next_review
    assert today < bank.next_review <= today + dt.timedelta(days=settings.SLM_REVIEW_REMINDER_DAYS)
    assert set(held.decisions.values_list("kind", flat=True)) == set(DecisionKind.values)
    assert held.minutes_confirmed_by.username == "hanbit"
    assert Agreement.objects.get(code="saebyeok-wms-sla").next_review < today
    state = sign_off_state(bank)
    assert state.signed.decided_by.username == "hanbit"
    assert state.current_terms_signed
    assert SignOff.objects.get(agreement__code="saebyeok-wms-sla").status == "pending"


def assert_the_demo_plans_went_through_their_workflow(now):
    """Each demo plan's history is the steps it took, in order, from its creation up to now; the verified one has its
    actions, a measured baseline under its objective, and the review it was verified with."""
    running = ImprovementPlan.objects.get(status="in_progress")
    verified = ImprovementPlan.objects.get(status="verified")
    steps = {
        running: [("proposed", "approved"), ("approved", "in_progress")],
        verified: [
            ("proposed", "approved"),
            ("approved", "in_progress"),
            ("in_progress", "completed"),
            ("completed", "verified"),
        ],
    }
    for plan, expected in steps.items():
        changes = list(plan.status_changes.order_by("changed_at", "pk"))
        assert [(change.from_status, change.to_status) for change in changes] == expected, plan.title
        assert all(change.changed_by.username == "manager" for change in changes)
        instants = [plan.created_at, *(change.changed_at for change in changes)]
        assert instants == sorted(instants)
        assert instants[-1] <= now
        assert not plan.unrecorded_steps()
    assert running.started_at == running.status_changes.get(to_status="in_progress").changed_at
    assert running.baseline_attainment is not None
    assert running.baseline_attainment < running.desired_attainment
    assert verified.actions.count() == 3
    assert set(verified.actions.values_list("status", flat=True)) == {"done"}
    assert verified.baseline_attainment is not None
    assert verified.baseline_attainment < verified.goal_target.objective
    assert verified.reviews_since_completion().get().verdict == "improved"


def test_the_demo_has_a_completed_window_an_upcoming_one_and_an_exclusion_that_the_figures_leave_out():
    from agreements.models import Exclusion, MaintenanceWindow

    seed()
    now = timezone.now()
    completed = MaintenanceWindow.objects.get(status="completed")
    assert completed.ends_at < now
    upcoming = MaintenanceWindow.objects.get(status="approved")
    assert upcoming.starts_at > now
    assert upcoming.starts_at - upcoming.approved_at >= dt.timedelta(days=5)  # announced with the agreed notice
    exclusion = Exclusion.objects.get()
    assert exclusion.ends_at <= now
    banking = ComplianceSnapshot.objects.get(
        target__agreement__code="hanbit-digital-sla",
        target__code="availability",
        period_start__lte=completed.starts_at,
        period_end__gt=completed.starts_at,
    )
    # 70 bad minutes counted last month; the 50 of the outage inside the announced window are not.
    assert banking.budget_consumed == 70
    assert [(part["outcome"], part["id"]) for part in banking.maintenance] == [("excluded", completed.pk)]
    wms = ComplianceSnapshot.objects.get(
        target__agreement__code="saebyeok-wms-sla", target__code="availability", is_current=True
    )
    assert "customer_caused" in [part["reason"] for part in wms.maintenance]
    assert wms.budget_consumed == 0  # its 30 bad minutes lie inside the exclusion
    seed()
    assert MaintenanceWindow.objects.count() == 2
    assert Exclusion.objects.count() == 1
