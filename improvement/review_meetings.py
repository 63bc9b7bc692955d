"""Service reviews of agreements: recording a meeting and its decisions, the next review date it sets, the customer's
confirmation of the minutes, and where each decision leads.

Rules.

* A review is recorded for an active agreement, on a day that has come (not in the future) and not before the
  agreement came into force, about a period (a month or a quarter) that had begun by then and in which the agreement
  was in force; it names who took part (the portal's people, and guests by name) and records at least one decision.
  The forms say each of these under the field concerned, and nothing is stored.
* Holding a review moves the agreement's next review date on by its cycle, counted from the meeting date
  (``agreements.review_cycles``; quarterly from 31 January is 30 April). An agreement with no fixed cycle keeps a
  next review date that is still ahead, and loses one the meeting has reached (that review was held). A meeting
  recorded late, dated before another recorded review of the agreement, leaves the date as the later one set it.
  The meeting keeps the date before and the date it set.
* One person of the agreement's customer confirms the minutes, once (who and when): a conditional UPDATE on a
  meeting not yet confirmed, so two confirmations at once record one.
"""

from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from agreements.review_cycles import next_review_after
from core.formatting import plain_number
from core.tenancy import customer_id_of
from improvement.choices import DecisionKind
from improvement.models import ReviewDecision, ReviewMeeting
from improvement.review_reminders import due_kind
from requirements_analysis.choices import Source


class ReviewRefused(Exception):
    """A step on a review that cannot be made; ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def next_review_date(agreement, held_on):
    """The agreement's next review date after a review held on ``held_on`` (see the module's rules)."""
    following = next_review_after(held_on, agreement.cycle.months)
    if following is not None:
        return following
    if agreement.next_review is not None and agreement.next_review > held_on:
        return agreement.next_review
    return None


def record_review(agreement, review_form, decision_forms, user):
    """Store a review from valid forms (``ReviewForm`` and the live ``DecisionForm``s) and move the agreement's next
    review date; returns the meeting. One transaction, with the agreement's row locked."""
    data = review_form.cleaned_data
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        held_on = data["held_on"]
        later = locked.review_meetings.filter(held_on__gt=held_on).exists()
        meeting = ReviewMeeting.objects.create(
            agreement=locked,
            held_on=held_on,
            period_label=data["period_label"],
            guests="\n".join(line.strip() for line in data["guests"].splitlines() if line.strip()),
            notes=data["notes"].strip(),
            recorded_by=user,
            next_review_before=locked.next_review,
        )
        meeting.participants.set(data["participants"])
        for position, form in enumerate(decision_forms):
            decision = form.cleaned_data
            kind = DecisionKind(decision["kind"])
            target = decision.get("target") if kind == DecisionKind.CHANGE_TARGET else None
            ReviewDecision.objects.create(
                meeting=meeting,
                position=position,
                kind=kind,
                target=target,
                objective_then=target.objective if target else None,
                proposed_objective=decision.get("proposed_objective") if target else None,
                service=decision.get("service") if kind == DecisionKind.RECORD_REQUIREMENT else None,
                text=decision.get("text", "").strip(),
            )
        if not later:
            locked.next_review = next_review_date(locked, held_on)
            locked.save(update_fields=["next_review", "updated_at"])
        meeting.next_review_after = locked.next_review
        meeting.save(update_fields=["next_review_after"])
    return meeting


def may_confirm(user, meeting):
    """True for an active person of the meeting's agreement's customer, while the minutes are not confirmed."""
    return (
        not meeting.minutes_confirmed
        and getattr(user, "is_active", False)
        and customer_id_of(user) == meeting.agreement.customer_id
    )


def confirm_minutes(meeting, user, now=None):
    """Record that ``user`` confirmed the minutes; raises ``ReviewRefused`` when they may not or it is done already."""
    if customer_id_of(user) != meeting.agreement.customer_id or not user.is_active:
        raise ReviewRefused(_("Only a person of the customer confirms the minutes of its review."))
    confirmed = ReviewMeeting.objects.filter(pk=meeting.pk, minutes_confirmed_at__isnull=True).update(
        minutes_confirmed_by=user, minutes_confirmed_at=now or timezone.now()
    )
    if not confirmed:
        raise ReviewRefused(_("The minutes of this review are confirmed already."))
    meeting.refresh_from_db()
    return meeting


# --- where a decision leads -----------------------------------------------------------------------------------------


def change_target_url(decision):
    agreement = decision.meeting.agreement
    query = urlencode({"target": decision.target.code, "objective": plain_number(decision.proposed_objective)})
    page = reverse("agreements:agreement_update", kwargs={"code": agreement.code})
    return f"{page}?{query}#edit-target-{decision.target.code}"


def requirement_url(decision):
    agreement = decision.meeting.agreement
    query = {"customer": agreement.customer.code, "statement": decision.text, "source": Source.CONTRACT_REVIEW.value}
    if decision.service_id:
        query["service"] = decision.service.code
    return f"{reverse('requirements_analysis:requirement_create')}?{urlencode(query)}"


def decision_action(decision, user):
    """(label, url) of the form that carries the decision out, for someone who may use it; None otherwise (a kept
    agreement, a target since deleted, a plan already started, an agreement no longer active)."""
    agreement = decision.meeting.agreement
    if not agreement.is_editable:
        return None
    kind = decision.kind
    if kind == DecisionKind.CHANGE_TARGET and decision.is_carried_out:
        return None
    if kind == DecisionKind.CHANGE_TARGET and decision.target_id and user.has_perm("agreements.change_agreement"):
        return _("Edit the target"), change_target_url(decision)
    if (
        kind == DecisionKind.START_PLAN
        and decision.plan_id is None
        and user.has_perm("improvement.add_improvementplan")
    ):
        return _("Start the plan"), f"{reverse('improvement:plan_create')}?{urlencode({'decision': decision.pk})}"
    if kind == DecisionKind.RECORD_REQUIREMENT and user.has_perm("requirements_analysis.add_servicelevelrequirement"):
        return _("Record the requirement"), requirement_url(decision)
    return None


def section_context(agreement, request):
    """What the agreement page's "Service reviews" section shows (a fixed number of queries)."""
    today = timezone.localdate()
    meetings = (
        ReviewMeeting.objects.for_user(request.user)
        .filter(agreement=agreement)
        .select_related("minutes_confirmed_by")
        .prefetch_related(
            Prefetch("decisions", queryset=ReviewDecision.objects.select_related("target").order_by("position"))
        )
        .order_by("-held_on", "-pk")
    )
    days = (agreement.next_review - today).days if agreement.next_review else None
    return {
        "agreement": agreement,
        "meetings": meetings,
        "due": due_kind(agreement.next_review, today) if agreement.status == AgreementStatus.ACTIVE else None,
        "days_to_review": days,
        "days_late": -days if days is not None else None,
        "can_record": request.user.has_perm("improvement.add_reviewmeeting")
        and agreement.status == AgreementStatus.ACTIVE,
    }
