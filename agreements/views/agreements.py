"""Agreement pages: list, detail with history, create and edit with targets and credit tiers, status changes."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from agreements.choices import MaintenanceStatus
from agreements.counting import how_agreements_count, terms_text
from agreements.extensions import agreement_links, agreement_sections, target_panels
from agreements.filters import AgreementFilter
from agreements.forms import AgreementForm
from agreements.forms.agreements import agreement_targets, save_agreement, targets_kind
from agreements.history import change_log
from agreements.models import Agreement, ServiceCreditTier, ServiceLevelTarget
from agreements.signoffs import may_sign, sign_off_state
from agreements.views.maintenance import windows_ahead
from core.mixins import FilteredListView, ForUserMixin, TransitionView, posted
from core.tenancy import require_permission


class AgreementListView(FilteredListView):
    model = Agreement
    filterset_class = AgreementFilter
    template_name = "agreements/agreement_list.html"

    def rows(self, queryset):
        return queryset.select_related("customer").prefetch_related("services")


def targets_with_tiers():
    return Prefetch(
        "targets",
        queryset=ServiceLevelTarget.objects.select_related("service_hours").prefetch_related(
            Prefetch("credit_tiers", queryset=ServiceCreditTier.objects.order_by("-below_attainment"))
        ),
    )


class AgreementDetailView(ForUserMixin, DetailView):
    model = Agreement
    template_name = "agreements/agreement_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("customer", "owner")
            .prefetch_related("services", targets_with_tiers())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_edit"] = user.has_perm("agreements.change_agreement") and self.object.is_editable
        context["steps"] = self.object.steps if user.has_perm("agreements.change_agreement") else ()
        context["changes"] = change_log(self.object, user=user)
        targets = list(self.object.targets.all())
        for target in targets:
            target.extra_panels = []
        for extension in target_panels:
            panels = extension.panels(targets, self.request)
            for target in targets:
                if target.pk in panels:
                    target.extra_panels.append(panels[target.pk])
        context["targets"] = targets
        context["extra_links"] = [
            link for extension in agreement_links for link in extension.links(self.object, self.request)
        ]
        context["maintenance_terms"] = terms_text(self.object)
        context["windows_ahead"] = windows_ahead(user, self.object.services.all())
        for window in context["windows_ahead"]:
            # How this agreement counts the window's next occurrence (a planned window is not counted at all).
            counted = (
                []
                if window.status == MaintenanceStatus.PLANNED
                else how_agreements_count(window, [self.object], [window.occurrence], user=self.request.user)
            )
            window.outcomes = sorted(
                {part.outcome for count in counted for line in count.occurrences for part in line.parts}
            )
        context["exclusions"] = self.object.exclusions.select_related("service", "recorded_by").order_by("-starts_at")
        context["can_record_exclusion"] = user.has_perm("agreements.add_exclusion")
        context["can_delete_exclusion"] = user.has_perm("agreements.delete_exclusion")
        context["sign_offs"] = sign_off_state(self.object)
        context["can_send_for_sign_off"] = (
            user.has_perm("agreements.add_signoff")
            and self.object.is_editable
            and context["sign_offs"].current_terms_to_send
        )
        context["may_sign"] = may_sign(user, self.object)
        context["extra_sections"] = [
            section for extension in agreement_sections for section in extension.sections(self.object, self.request)
        ]
        return context


def _agreement_form_page(request, agreement):
    """Create (agreement is None) or edit an agreement with its targets and their credit tiers, all or nothing."""
    form = AgreementForm(posted(request), instance=agreement)
    kind = targets_kind(request.POST.get("kind") if request.method == "POST" else None, agreement)
    targets = agreement_targets(posted(request), agreement, kind)
    proposal = None if request.method == "POST" or agreement is None else propose_objective(targets, request.GET)
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        saved = save_agreement(form, targets)
        messages.success(request, _("Agreement %(code)s saved.") % {"code": saved.code})
        return redirect(saved)
    return render(
        request,
        "agreements/agreement_form.html",
        {"form": form, "targets": targets, "agreement": agreement, "proposal": proposal},
    )


def propose_objective(targets, query):
    """``?target=CODE&objective=99.95`` (a review's decision to change a target) fills that saved target's objective
    in the form, for the manager to check and save; returns (target form, the objective it has now), or None when the
    query names no saved target or no objective the form would accept (the form is then shown as it is)."""
    code, typed = query.get("target", ""), query.get("objective", "").strip()
    if not code or not typed:
        return None
    try:
        objective = Decimal(typed)
    except (InvalidOperation, ValueError):
        return None
    if not objective.is_finite() or not (0 < objective < 100) or objective != objective.quantize(Decimal("0.001")):
        return None
    for target_form in targets.forms:
        if target_form.instance.pk and target_form.instance.code == code:
            target_form.initial["objective"] = objective
            target_form.proposed_from = target_form.instance.objective
            return target_form, target_form.instance.objective
    return None


@login_required
def agreement_create(request):
    require_permission(request.user, "agreements.add_agreement")
    return _agreement_form_page(request, None)


@login_required
def agreement_update(request, code):
    agreement = get_object_or_404(Agreement.objects.for_user(request.user), code=code)
    require_permission(request.user, "agreements.change_agreement")
    problems = agreement.editing_problems()
    if problems:
        messages.error(request, problems[0])
        return redirect(agreement)
    return _agreement_form_page(request, agreement)


class AgreementTransitionView(TransitionView):
    """Confirm (GET) and carry out (POST) one status change of the agreement workflow."""

    model = Agreement
    permission = "agreements.change_agreement"
    template_name = "agreements/agreement_transition.html"
    context_object_name = "agreement"
    success_message = gettext_lazy("Agreement %(code)s is now %(status)s.")


agreement_transition = AgreementTransitionView.as_view()
