"""Service reviews of agreements: the reviews due and held, recording one, its page, and the customer's confirmation
of its minutes. Customers read the reviews of their own agreements; service managers record them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.choices import AgreementStatus
from agreements.forms.agreements import portal_staff
from agreements.models import Agreement, Customer
from agreements.review_cycles import add_months
from core.mixins import posted
from core.tenancy import ReadOnly, customer_id_of, require_permission
from improvement.forms import DecisionFormSet, ReviewForm
from improvement.forms.reviews import not_active_message
from improvement.models import ReviewDecision, ReviewMeeting
from improvement.review_meetings import ReviewRefused, confirm_minutes, decision_action, may_confirm, record_review
from improvement.review_reminders import due_kind, lead_days
from monitoring.readout.reports import default_period_label, months_in_force, parse_period
from monitoring.windows import QUARTER, label_of

HELD_SHOWN = 50


@login_required
def review_list(request):
    """Active agreements by their next review date (overdue first), and the reviews held, newest first."""
    today = timezone.localdate()
    agreements = list(
        Agreement.objects.for_user(request.user)
        .active()
        .filter(next_review__isnull=False)
        .select_related("customer", "owner")
        .order_by("next_review", "code")
    )
    for agreement in agreements:
        agreement.due = due_kind(agreement.next_review, today)
        agreement.days_to_review = (agreement.next_review - today).days
        agreement.days_late = -agreement.days_to_review
    held = (
        ReviewMeeting.objects.for_user(request.user)
        .select_related("agreement__customer")
        .annotate(decision_count=Count("decisions"))
        .order_by("-held_on", "-pk")[:HELD_SHOWN]
    )
    return render(
        request,
        "improvement/review_list.html",
        {"agreements": agreements, "held": held, "lead_days": lead_days(), "today": today},
    )


def _default_period(agreement, today):
    """The period a new review looks at: the last whole quarter for a quarterly or longer cycle (when the agreement
    was in force in it), else the last month (or the agreement's first)."""
    if agreement.cycle.months >= 3:
        quarter = label_of(QUARTER, add_months(today, -3))
        if parse_period(quarter).months[-1] >= months_in_force(agreement)[0]:
            return quarter
    return default_period_label(agreement)


@login_required
def review_create(request, code):
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    require_permission(request.user, "improvement.add_reviewmeeting")
    today = timezone.localdate()
    initial = {"held_on": today, "period_label": _default_period(agreement, today)}
    if portal_staff().filter(pk=request.user.pk).exists():
        initial["participants"] = [request.user]
    form = ReviewForm(posted(request), initial=initial, agreement=agreement, today=today)
    decisions = DecisionFormSet(posted(request), prefix="decisions", form_kwargs={"agreement": agreement})
    if request.method == "POST":
        form_ok, decisions_ok = form.is_valid(), decisions.is_valid()
        if form_ok and decisions_ok:
            meeting = record_review(agreement, form, decisions.live_forms(), request.user)
            messages.success(
                request,
                _("Review of %(code)s on %(date)s recorded.") % {"code": agreement.code, "date": meeting.held_on},
            )
            return redirect(meeting)
    return render(
        request,
        "improvement/review_form.html",
        {
            "agreement": agreement,
            "form": form,
            "decisions": decisions,
            "not_active": not_active_message(agreement) if agreement.status != AgreementStatus.ACTIVE else "",
        },
    )


def _meeting(request, code):
    rows = ReviewMeeting.objects.for_user(request.user).select_related(
        "agreement__customer", "recorded_by", "minutes_confirmed_by"
    )
    return get_object_or_404(rows, code=code)


@login_required
def review_detail(request, code, *, problem="", status=200):
    meeting = _meeting(request, code)
    agreement = meeting.agreement
    decisions = list(
        ReviewDecision.objects.filter(meeting=meeting).select_related("target", "service", "plan").order_by("position")
    )
    for decision in decisions:
        decision.meeting = meeting  # read from the page's copy: no query per decision
        decision.action = decision_action(decision, request.user)
    participants = list(meeting.participants.all())
    pack_url = None
    if Customer.objects.for_user(request.user).filter(pk=agreement.customer_id).exists():
        pack_url = (
            reverse("improvement:review_pack", kwargs={"code": agreement.customer.code})
            + f"?period={meeting.period_label}"
        )
    return render(
        request,
        "improvement/review_detail.html",
        {
            "meeting": meeting,
            "agreement": agreement,
            "decisions": decisions,
            "participants": participants,
            "pack_url": pack_url,
            "can_confirm": may_confirm(request.user, meeting),
            "problem": problem,
        },
        status=status,
    )


@login_required
@require_POST
def review_confirm(request, code):
    """A person of the agreement's customer confirms the minutes (once); anyone else may not (403)."""
    meeting = _meeting(request, code)
    if customer_id_of(request.user) != meeting.agreement.customer_id:
        raise ReadOnly  # a service manager reads the minutes; the customer confirms them
    try:
        confirm_minutes(meeting, request.user)
    except ReviewRefused as refusal:
        return review_detail(request, code, problem=refusal.message, status=409)
    messages.success(request, _("You confirmed the minutes of this review."))
    return redirect(meeting)
