"""Service level requirements: customers submit and follow theirs; service managers analyse and decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Customer, Service
from core.mixins import FilteredListView, TransitionView, posted
from core.tenancy import require_permission
from requirements_analysis.choices import Source
from requirements_analysis.filters import RequirementFilter
from requirements_analysis.forms import DecisionForm, RequirementForm, RequirementTargetsForm
from requirements_analysis.models import ServiceLevelRequirement


class RequirementListView(FilteredListView):
    model = ServiceLevelRequirement
    filterset_class = RequirementFilter
    template_name = "requirements_analysis/requirement_list.html"

    def rows(self, queryset):
        return queryset.select_related("customer", "service")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_submit"] = ServiceLevelRequirement.may_submit(self.request.user)
        return context


def initial_from_query(query, user):
    """The new requirement's form filled in from the query (a service review's decision links here): ``customer`` and
    ``service`` by code, seen through ``.for_user()``; ``statement``, ``desired_level`` and ``source`` as given. What
    is not found, or not a choice, is left empty."""
    initial = {}
    customer = query.get("customer", "")
    if customer and (row := Customer.objects.for_user(user).filter(code=customer).first()):
        initial["customer"] = row
    service = query.get("service", "")
    if service and (row := Service.objects.for_user(user).filter(code=service).first()):
        initial["service"] = row
    for name, limit in (("statement", 4000), ("desired_level", 200)):
        if query.get(name, "").strip():
            initial[name] = query[name].strip()[:limit]
    if query.get("source") in Source.values:
        initial["source"] = query["source"]
    return initial


@login_required
def requirement_create(request):
    if not ServiceLevelRequirement.may_submit(request.user):
        raise PermissionDenied
    form = RequirementForm(posted(request), user=request.user, initial=initial_from_query(request.GET, request.user))
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
            "steps": requirement.steps if can_decide else (),
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


class RequirementDecisionView(TransitionView):
    """Confirm (GET) and record (POST) an analysis step: analysed, agreed, rejected or deferred. The page asks for
    the reason a rejection or deferral needs and, when agreeing, whether to add a draft target."""

    model = ServiceLevelRequirement
    permission = "requirements_analysis.change_servicelevelrequirement"
    template_name = "requirements_analysis/requirement_decide.html"
    context_object_name = "requirement"
    form_class = DecisionForm
    success_message = gettext_lazy("Requirement %(code)s is now %(status)s.")

    def get_queryset(self):
        return super().get_queryset().select_related("customer")

    def get_form_kwargs(self):
        return {"requirement": self.object, "new_status": self.new_status}

    def blocking_problems(self):
        # The reason a rejection needs is asked for on this page: only a step the workflow refuses blocks it.
        return self.object.refused_transition(self.new_status)

    def carry_out(self, form):
        self.draft_on = form.cleaned_data.get("create_target_on")
        self.object.transition_to(
            self.new_status, reason=form.cleaned_data.get("reason", ""), create_target_on=self.draft_on
        )

    def succeeded(self):
        if self.draft_on is None:
            return super().succeeded()
        messages.info(self.request, _("A draft target was added; choose its indicator on the agreement form."))
        return redirect("agreements:agreement_update", code=self.draft_on.code)


requirement_decide = RequirementDecisionView.as_view()
