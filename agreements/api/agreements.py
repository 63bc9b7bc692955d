"""Agreements over the API, written as the agreement page writes them: the agreement's form together with the page's
target formset (its targets posted back as they are, so that a change of kind is checked against their links), saved
by the page's ``save_agreement``; their status steps are the page's workflow."""

from rest_framework.exceptions import ValidationError

from agreements.api.serializers import AgreementSerializer
from agreements.filters import AgreementFilter
from agreements.forms import AgreementForm
from agreements.forms.agreements import agreement_targets, save_agreement, targets_kind
from agreements.models import Agreement
from core.api import forms as api_forms
from core.api.viewsets import Conflict, TenantViewSet, TransitionMixin


def targets_posted_back(agreement, kind):
    """The page's target formset for ``agreement`` (None: a new one) as the page posts it untouched: every target
    with its credit tiers, its links checked against ``kind``."""
    shown = agreement_targets(None, agreement, kind)
    data = api_forms.posted_unchanged(shown)
    for form in shown.initial_forms:
        data.update(api_forms.posted_unchanged(form.credit_tiers))
    return data


def target_formset_errors(formset, skip=None):
    """The errors of the page's target formset: {target code: its errors} for its forms (but the form ``skip``), and
    ``non_field_errors`` for the set's own."""
    errors = {}
    for form in formset.forms:
        if form is skip or (formset.can_delete and formset._should_delete_form(form)):
            continue
        problems = api_forms.errors_of(form) if form.errors else {}
        tiers = api_forms.formset_errors(form.credit_tiers) if form.credit_tiers.is_bound else {}
        if tiers:
            problems["credit_tiers"] = tiers
        if problems:
            errors[form.instance.code or form["code"].value()] = problems
    if formset.non_form_errors():
        errors[api_forms.NON_FIELD] = list(formset.non_form_errors())
    return errors


class EditableAgreementMixin:
    """An expired or terminated agreement, and its targets, no longer change: 409 with the page's message."""

    def refuse_unless_editable(self, agreement):
        problems = agreement.editing_problems() if agreement is not None else []
        if problems:
            raise Conflict({"detail": problems})


class AgreementViewSet(EditableAgreementMixin, TransitionMixin, TenantViewSet):
    """SLAs, OLAs and underpinning contracts: the customer and the services by code, the owner by login name.
    ``POST …/<code>/transition`` with ``{"status": "active"}`` makes a step of its workflow (activate, mark expired,
    terminate). Its targets are ``…/<code>/targets``. Agreements are never deleted here: they expire or end, as on
    their page."""

    model = Agreement
    serializer_class = AgreementSerializer
    form_class = AgreementForm
    filterset_class = AgreementFilter
    ordering_fields = ["code", "title", "kind", "status", "valid_from", "created_at"]
    add_permission = "agreements.add_agreement"
    change_permission = "agreements.change_agreement"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return Agreement.objects.select_related("customer", "owner").prefetch_related("services", "targets")

    def bind(self, instance=None, partial=False):
        self.refuse_unless_editable(instance)
        form = super().bind(instance=instance, partial=partial)
        kind = targets_kind(form.data.get("kind"), instance)
        self.targets = agreement_targets(targets_posted_back(instance, kind), instance, kind)
        return form

    def validate(self, form):
        errors = {} if api_forms.is_valid(form) else api_forms.errors_of(form)
        if not self.targets.is_valid():
            errors["targets"] = target_formset_errors(self.targets)
        if errors:
            raise ValidationError(errors)

    def save_form(self, form):
        return save_agreement(form, self.targets)
