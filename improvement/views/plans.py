"""Improvement plans: the board, a plan's page, creating one from what it addresses, its workflow and actions.

A verified or cancelled plan is closed: its page offers no edits, and the edit, action and review views refuse them
(409) with a page that says why, changing nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agreements.forms.agreements import portal_staff
from agreements.models import Customer, Service
from core.mixins import TransitionView, posted
from core.tenancy import require_permission
from improvement import prefill, reviews, visibility
from improvement.choices import PlanStatus
from improvement.filters import PlanFilter
from improvement.forms import ActionForm, PlanForm
from improvement.models import Action, ImprovementPlan, ReviewDecision
from improvement.views.closed import refuse_if_closed
from improvement.visibility import Visibility, plan_links

BOARD_COLUMNS = [
    PlanStatus.PROPOSED,
    PlanStatus.APPROVED,
    PlanStatus.IN_PROGRESS,
    PlanStatus.COMPLETED,
    PlanStatus.VERIFIED,
]


@login_required
def board(request):
    """Plans by status. Customers see the plans that concern their services, read-only."""
    plans = (
        ImprovementPlan.objects.for_user(request.user)
        .select_related("owner", "customer")
        .prefetch_related("services")
        .order_by("-created_at")
    )
    plans = PlanFilter(request.GET, queryset=plans, user=request.user).qs
    columns = {status: [] for status in [*BOARD_COLUMNS, PlanStatus.CANCELLED]}
    for plan in plans:
        columns[PlanStatus(plan.status)].append(plan)
    return render(
        request,
        "improvement/board.html",
        {
            "columns": [(status, columns[status]) for status in BOARD_COLUMNS],
            "cancelled": columns[PlanStatus.CANCELLED],
            "customers": Customer.objects.for_user(request.user),
            "services": Service.objects.for_user(request.user),
            "can_add": request.user.has_perm("improvement.add_improvementplan"),
        },
    )


@login_required
def plan_create(request):
    require_permission(request.user, "improvement.add_improvementplan")
    initial = prefill.initial_for(request.user, request.GET)
    if initial is None:
        raise Http404(_("What the plan should start from was not found."))
    if portal_staff().filter(pk=request.user.pk).exists():
        initial.setdefault("owner", request.user)  # whoever starts a plan owns it until someone else does
    form = PlanForm(posted(request), initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            plan = form.save(commit=False)
            plan.priority_score = initial.get("priority_score")
            plan.save()
            form.save_m2m()
            if "decision" in initial:  # the review's decision now leads to this plan
                ReviewDecision.objects.filter(pk=initial["decision"].pk, plan__isnull=True).update(plan=plan)
        messages.success(request, _("Plan %(code)s proposed.") % {"code": plan.code})
        return redirect(plan)
    return render(request, "improvement/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_edit(request, code):
    plan = get_object_or_404(ImprovementPlan.objects.for_user(request.user), code=code)
    require_permission(request.user, "improvement.change_improvementplan")
    if refused := refuse_if_closed(request, plan):
        return refused
    form = PlanForm(posted(request), instance=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Plan %(code)s saved.") % {"code": plan.code})
        return redirect(plan)
    return render(request, "improvement/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request, code):
    plan = get_object_or_404(
        ImprovementPlan.objects.for_user(request.user).select_related("owner", "customer", "goal_target__agreement"),
        code=code,
    )
    # A closed plan offers no edits to anyone; its steps (none) and its record stay readable.
    can_edit = request.user.has_perm("improvement.change_improvementplan") and not plan.is_closed
    latest = plan.reviews.select_related("reviewed_by").first()
    # A plan for no one customer may link another customer's rows: the reader sees those they may see, no others.
    links = plan_links(
        plan,
        Visibility(request.user),
        breaches=plan.breaches.select_related("target__agreement"),
        targets=plan.targets.select_related("agreement"),
        requirements=plan.requirements.select_related("service"),
    )
    reading = visibility.review_reading(latest, request.user) if latest else None
    return render(
        request,
        "improvement/plan_detail.html",
        {
            "plan": plan,
            "can_edit": can_edit,
            "steps": plan.steps if can_edit else (),
            "actions": plan.actions.select_related("owner"),
            "can_add_action": can_edit and request.user.has_perm("improvement.add_action"),
            "changes": plan.status_changes.select_related("changed_by"),
            "unrecorded_steps": plan.unrecorded_steps(),
            "review": latest,
            "review_rows": reading.rows if reading else [],
            "review_rows_hidden": reading.hidden if reading else 0,
            "review_verdict": reading,  # the verdict over the targets this reader sees (improvement.visibility)
            "review_chart": reviews.review_chart(reading.rows) if reading else None,
            "breaches": links.breaches,
            "targets": links.targets,
            "requirements": links.requirements,
            "goal_target": links.goal_target,
            "goal_hidden": links.goal_hidden,
            "can_review": can_edit
            and request.user.has_perm("improvement.add_effectreview")
            and plan.status == PlanStatus.COMPLETED,
        },
    )


class PlanTransitionView(TransitionView):
    """Confirm (GET) and make (POST) one step of the plan's workflow, recording who made it and their note."""

    model = ImprovementPlan
    permission = "improvement.change_improvementplan"
    template_name = "improvement/plan_transition.html"
    context_object_name = "plan"
    success_message = gettext_lazy("Plan %(code)s is now %(status)s.")

    def carry_out(self, form):
        self.object.transition_to(self.new_status, self.request.user, self.request.POST.get("note", ""))


plan_transition = PlanTransitionView.as_view()


@login_required
@require_POST
def plan_review(request, code):
    """Record an effect review now, of a completed plan (a verified plan is closed: its review stands)."""
    plan = get_object_or_404(ImprovementPlan.objects.for_user(request.user), code=code)
    require_permission(request.user, "improvement.add_effectreview")
    if refused := refuse_if_closed(request, plan):
        return refused
    if problem := reviews.not_reviewable(plan):
        messages.error(request, problem)
        return redirect(plan)
    reading = visibility.review_reading(reviews.review(plan, request.user), request.user)
    if reading.verdict:
        messages.success(request, _("Effect review recorded: %(verdict)s.") % {"verdict": reading.verdict_label})
    else:
        messages.success(request, _("Effect review recorded."))
    return redirect(plan)


@login_required
def action_add(request, code):
    plan = get_object_or_404(ImprovementPlan.objects.for_user(request.user), code=code)
    require_permission(request.user, "improvement.add_action")
    if refused := refuse_if_closed(request, plan):
        return refused
    form = ActionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.plan = plan
        action.stamp_completion()
        action.save()
        messages.success(request, _("Action added."))
        return redirect(plan)
    return render(request, "improvement/action_form.html", {"form": form, "plan": plan, "action": None})


@login_required
def action_edit(request, code, pk):
    plan = get_object_or_404(ImprovementPlan.objects.for_user(request.user), code=code)
    action = get_object_or_404(Action, plan=plan, pk=pk)
    require_permission(request.user, "improvement.change_action")
    if refused := refuse_if_closed(request, plan):
        return refused
    form = ActionForm(posted(request), instance=action)
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.stamp_completion()
        action.save()
        messages.success(request, _("Action saved."))
        return redirect(plan)
    return render(request, "improvement/action_form.html", {"form": form, "plan": plan, "action": action})
