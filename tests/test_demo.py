"""The demo data that `make run` loads: live on whatever day it is loaded, and the same rows when loaded again."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from agreements.models import Agreement, Holiday, ServiceLevelTarget, SignOff
from agreements.review_cycles import add_months
from agreements.signoffs import sign_off_state
from improvement.choices import DecisionKind
from improvement.models import Action, ImprovementPlan, PlanStatusChange, ReviewDecision, ReviewMeeting
from monitoring.models import Alert, Breach, ComplianceSnapshot, Measurement, Notification
from monitoring.readout import chain
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
    assert active.count() == 4  # three SLAs and the operations team's OLA
    for agreement in active:
        assert agreement.valid_from <= today - dt.timedelta(days=92), agreement.code  # the measured history fits
        assert agreement.valid_to is None or agreement.valid_to > today, agreement.code
    assert Holiday.objects.filter(date__year=today.year).exists()

    # Every measured target of the active agreements has a running period (in the first minute of a month too), and
    # the measurements reach up to now.
    now = timezone.now()
    current = ComplianceSnapshot.objects.filter(is_current=True)
    assert current.count() == 10  # six measured by samples (one an OLA's), four by tickets
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
    # The bank's availability rests on the operations team's OLA, flagged for its lower objective; the same outage
    # breached the OLA's month, a possible cause on the SLA target's page.
    assert_the_demo_ola_is_flagged_and_breached(last_month)
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


def assert_the_demo_ola_is_flagged_and_breached(last_month):
    manager = get_user_model().objects.get(username="manager")
    sla_target = ServiceLevelTarget.objects.get(agreement__code="hanbit-digital-sla", code="availability")
    down, _up = chain.links_of([sla_target], manager, timezone.now())
    (link,) = down[sla_target.pk]
    assert (link.lower.agreement.code, link.lower.agreement.kind, link.lower.code) == (
        "banking-ops-ola",
        "ola",
        "platform-up",
    )
    assert [weakness.rule for weakness in link.weaknesses] == ["objective"]
    assert Breach.objects.filter(target=link.lower, period_label=last_month).exists()
    # The bank's people do not see their provider's internal OLA.
    hanbit = get_user_model().objects.get(username="hanbit")
    assert chain.links_of([sla_target], hanbit, timezone.now()) == ({}, {})


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


def test_the_demo_has_tickets_that_show_each_rule_and_a_later_run_adds_the_days_since():
    from monitoring.demo_tickets import seed_ticket_demo
    from monitoring.models import Ticket, TicketClock, TicketEventRecord

    seed()
    now = timezone.now()

    def clock(ticket, metric="resolution"):
        return TicketClock.objects.get(ticket__external_id=ticket, indicator__ticket_metric=metric)

    paused = clock("HB-1001")  # waited for the customer, and met only because of it
    assert [pause["category"] for pause in paused.pauses] == ["waiting_customer"]
    assert (paused.state, paused.running_time) == ("met", dt.timedelta(hours=6))
    raised = clock("HB-1002")  # raised from P3: P1's four hours from the start
    assert (raised.priority, raised.goal, raised.state) == ("P1", dt.timedelta(hours=4), "met")
    reopened = clock("HB-1003")
    assert TicketEventRecord.objects.filter(ticket__external_id="HB-1003", kind="reopened").exists()
    assert (reopened.state, reopened.running_time) == ("met", dt.timedelta(hours=7))
    late = clock("HB-1004")
    assert (late.state, late.running_time - late.goal) == ("breached", dt.timedelta(minutes=90))
    open_breach = clock("SB-2001")  # waiting for a vendor does not pause: breached while still open
    assert (open_breach.state, open_breach.stopped_at) == ("breached", None)
    for ticket in ("HB-1006", "SB-2002"):  # still open, past the first warning point, not due yet
        at_risk = clock(ticket)
        assert at_risk.state == "running", ticket
        assert at_risk.warning_at <= now < at_risk.due_at, ticket
    assert {clock("HB-1005").state, clock("SB-2004").state} == {"cancelled"}
    # Both customers have about a month of tickets, from the first of last month on.
    first_of_last_month = first_of_month(timezone.localdate(), -1)
    for prefix in ("HB", "SB"):
        routine = Ticket.objects.filter(external_id__startswith=f"{prefix}-D")
        assert timezone.localtime(routine.earliest("created_at").created_at).date() >= first_of_last_month
        assert routine.count() >= 8, prefix
    # Two events of last month's HB-0901 came after the month had closed: its closed snapshot counted the ticket late
    # (bad), the clock now says met.
    this_month = dt.datetime.combine(
        first_of_month(timezone.localdate()), dt.time(), tzinfo=timezone.get_current_timezone()
    )
    if now >= this_month + dt.timedelta(minutes=16):  # in the month's first minutes last month has not closed yet
        came_late = TicketEventRecord.objects.filter(ticket__external_id="HB-0901", received_at__gt=this_month)
        assert came_late.count() == 2
        assert all(event.at < this_month for event in came_late)
    assert clock("HB-0901").state == "met"

    tickets, events = Ticket.objects.count(), TicketEventRecord.objects.count()
    seed()
    assert (Ticket.objects.count(), TicketEventRecord.objects.count()) == (tickets, events)

    # A run ten days later sends the routine tickets of the days since, and what lay ahead of the first run.
    seed_ticket_demo(now + dt.timedelta(days=10))
    assert Ticket.objects.count() > tickets
    assert Ticket.objects.filter(created_at__gt=now).exists()
    assert not TicketClock.objects.filter(ticket__created_at__lt=now - dt.timedelta(days=12), state="running").exists()
