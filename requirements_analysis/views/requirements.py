"""Service level requirements: customers submit and follow theirs; service managers analyse and decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements.choices import BudgetingMethod
from agreements.models import ServiceLevelTarget
from core.mixins import FilteredListView, posted
from core.tenancy import customer_id_of, require_permission
from requirements_analysis.choices import Category, RequirementStatus
from requirements_analysis.filters import RequirementFilter
from requirements_analysis.forms import DecisionForm, RequirementForm, RequirementTargetsForm, objective_from
from requirements_analysis.models import ServiceLevelRequirement


class RequirementListView(FilteredListView):
    model = ServiceLevelRequirement
    filterset_class = RequirementFilter
    template_name = "requirements_analysis/requirement_list.html"

    def rows(self, queryset):
        return queryset.select_related("customer", "service")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_submit"] = can_submit(self.request.user)
        return context


def can_submit(user):
    """Customer users submit for their organisation; service managers for any customer."""
    return customer_id_of(user) is not None or user.has_perm("requirements_analysis.add_servicelevelrequirement")


@login_required
def requirement_create(request):
    if not can_submit(request.user):
        raise PermissionDenied
    form = RequirementForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        requirement = form.save()
        messages.success(request, _("Requirement %(code)s submitted.") % {"code": requirement.code})
        return redirect(requirement)
    return render(request, "requirements_analysis/requirement_form.html", {"form": form})


@login_required
def requirement_detail(request, code):
    requirement = get_object_or_404(
        ServiceLevelRequirement.objects.for_user(request.user).select_related("customer", "service", "submitted_by"),
        code=code,
    )
    can_decide = request.user.has_perm("requirements_analysis.change_servicelevelrequirement")
    targets_form = RequirementTargetsForm(instance=requirement) if can_decide else None
    return render(
        request,
        "requirements_analysis/requirement_detail.html",
        {
            "requirement": requirement,
            "targets": requirement.targets.select_related("agreement"),
            "can_decide": can_decide,
            "transitions": [RequirementStatus(s) for s in requirement.allowed_transitions] if can_decide else [],
            "targets_form": targets_form,
            "history": requirement.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


@login_required
def requirement_edit(request, code):
    requirement = get_object_or_404(ServiceLevelRequirement.objects.for_user(request.user), code=code)
    require_permission(request.user, "requirements_analysis.change_servicelevelrequirement")
    form = RequirementForm(posted(request), instance=requirement, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Requirement %(code)s saved.") % {"code": requirement.code})
        return redirect(requirement)
    return render(request, "requirements_analysis/requirement_form.html", {"form": form, "requirement": requirement})


@login_required
def requirement_targets(request, code):
    requirement = get_object_or_404(ServiceLevelRequirement.objects.for_user(request.user), code=code)
    require_permission(request.user, "requirements_analysis.change_servicelevelrequirement")
    if request.method != "POST":
        return redirect(requirement)
    form = RequirementTargetsForm(request.POST, instance=requirement)
    if form.is_valid():
        form.save()
        messages.success(request, _("The linked targets are saved."))
    else:
        messages.error(request, _("Those targets cannot be linked."))
    return redirect(requirement)


def draft_target(requirement, agreement):
    """A target pre-filled from the requirement, with no indicator: nothing evaluates it until a manager picks one."""
    base = slugify(requirement.category)[:40] or "requirement"
    code, number = base, 2
    while ServiceLevelTarget.objects.filter(agreement=agreement, code=code).exists():
        code, number = f"{base}-{number}", number + 1
    method = (
        BudgetingMethod.TIMESLICES
        if requirement.category in (Category.AVAILABILITY, Category.CONTINUITY)
        else BudgetingMethod.OCCURRENCES
    )
    return ServiceLevelTarget.objects.create(
        agreement=agreement,
        code=code,
        name=requirement.statement[:200],
        objective=objective_from(requirement.desired_level),
        budgeting_method=method,
        description=_("From requirement %(code)s: %(level)s")
        % {"code": requirement.code, "level": requirement.desired_level or requirement.statement},
    )


@login_required
def requirement_decide(request, code, status):
    """Confirm (GET) and record (POST) an analysis step: analysed, agreed, rejected or deferred."""
    requirement = get_object_or_404(
        ServiceLevelRequirement.objects.for_user(request.user).select_related("customer"), code=code
    )
    require_permission(request.user, "requirements_analysis.change_servicelevelrequirement")
    if status not in RequirementStatus.values:
        raise Http404
    new_status = RequirementStatus(status)
    form = DecisionForm(posted(request), requirement=requirement, new_status=new_status)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                requirement.transition_to(new_status, form.cleaned_data.get("reason", ""))
                agreement = form.cleaned_data.get("create_target_on")
                if agreement is not None:
                    requirement.targets.add(draft_target(requirement, agreement))
        except ValidationError as refusal:  # someone else moved it in the meantime
            for problem in refusal.messages:
                form.add_error(None, problem)
        else:
            messages.success(
                request,
                _("Requirement %(code)s is now %(status)s.") % {"code": requirement.code, "status": new_status.label},
            )
            if agreement is not None:
                messages.info(request, _("A draft target was added; choose its indicator on the agreement form."))
                return redirect("agreements:agreement_update", code=agreement.code)
            return redirect(requirement)
    return render(
        request,
        "requirements_analysis/requirement_decide.html",
        {"requirement": requirement, "new_status": new_status, "form": form},
        status=409 if request.method == "POST" and form.non_field_errors() else 200,
    )
