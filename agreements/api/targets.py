"""An agreement's service level targets over the API, ``/agreements/<code>/targets[/<target code>]``, each written the
way the agreement page writes it: the page's target formset with every saved target posted back as it is, and this
one target added, changed or deleted; saved by the formset's ``save_all`` (credit tiers, links, the indicator).

The body is the target form's fields, with ``credit_tiers: [{below_attainment, credit_percent}]`` (the form's credit
tier formset, the same way as ``rows_data`` fills any formset) and ``rests_on``: the targets it rests on, each named
``"<agreement code>/<target code>"`` (a target's code is unique only within its agreement). Other apps' fields of the
form come by code too: the monitoring app's ``indicator``.
"""

from django.shortcuts import get_object_or_404
from rest_framework.exceptions import ValidationError

from agreements import underpinning
from agreements.api.agreements import EditableAgreementMixin, target_formset_errors, targets_posted_back
from agreements.api.serializers import CreditTierSerializer, TargetSerializer, extension_fields, target_name
from agreements.filters import TargetFilter
from agreements.forms import CreditTierFormSet, TargetForm
from agreements.forms.agreements import TARGETS_PREFIX, agreement_targets
from agreements.models import Agreement, ServiceLevelTarget
from core.api import forms as api_forms
from core.api.form_schema import schema_field
from core.api.viewsets import TenantViewSet

CREDIT_TIERS = "credit_tiers"


def named_targets(body):
    """The body with ``rests_on``'s "<agreement code>/<target code>" names as the ids the form takes; a name that
    names no target a target may rest on stays as it is, for the form to refuse with its own message."""
    names = body.get("rests_on") if isinstance(body, dict) else None
    if not isinstance(names, list):
        return body
    ids = {target_name(target): target.pk for target in underpinning.candidates()}
    return {**body, "rests_on": [ids.get(name, name) if isinstance(name, str) else name for name in names]}


class TargetWrite:
    """One target added (``target`` None), changed (``body``) or deleted (``delete``) in the page's target formset of
    ``agreement``. ``form`` is that target's form in the formset; ``errors()`` says what refuses the write."""

    def __init__(self, agreement, target=None, body=None, *, partial=False, delete=False):
        self.agreement, self.deleting, kind = agreement, delete, agreement.kind
        data = targets_posted_back(agreement, kind)
        saved = int(data[f"{TARGETS_PREFIX}-INITIAL_FORMS"])
        if target is None:
            self.index = saved
            data[f"{TARGETS_PREFIX}-TOTAL_FORMS"] = str(saved + 1)
        else:
            self.index = next(i for i in range(saved) if str(data[f"{TARGETS_PREFIX}-{i}-id"]) == str(target.pk))
        prefix = f"{TARGETS_PREFIX}-{self.index}"
        if delete:
            data[f"{prefix}-DELETE"] = "on"
        self.single = None
        if body is not None:
            self.single = api_forms.bind(
                TargetForm,
                named_targets(body),
                instance=target,
                partial=partial,
                allowed=(CREDIT_TIERS,),
                agreement_kind=kind,
            )
            for name in self.single.fields:
                data.pop(f"{prefix}-{name}", None)
            data.update({f"{prefix}-{name}": value for name, value in self.single.data.items()})
            if CREDIT_TIERS in body or not partial:
                data = {key: value for key, value in data.items() if not key.startswith(f"{prefix}-tiers-")}
                data.update(self.tiers_data(target, f"{prefix}-tiers", body.get(CREDIT_TIERS)))
        self.formset = agreement_targets(data, agreement, kind)
        self.form = self.formset.forms[self.index]
        self.form.empty_permitted = False  # a new target sent empty is refused, not skipped as a blank row
        if self.single is not None:  # the fields the body named by code take codes here too
            for name, field in self.single.fields.items():
                if api_forms.is_related(field) and field.to_field_name:
                    self.form.fields[name].to_field_name = field.to_field_name

    @staticmethod
    def tiers_data(target, prefix, rows):
        try:
            return api_forms.rows_data(
                CreditTierFormSet, target or ServiceLevelTarget(), prefix, [] if rows is None else rows
            )
        except ValidationError as error:
            raise ValidationError({CREDIT_TIERS: error.detail[prefix]}) from None

    def errors(self):
        """{field: [messages]} of the target (``credit_tiers`` by index, ``targets`` for the agreement's other
        targets, ``non_field_errors`` for the formset's own); empty when the write may be saved."""
        valid = self.formset.is_valid()
        errors = dict(getattr(self.single, "api_errors", None) or {})
        if valid and not errors:
            return {}
        if not self.deleting:
            if self.form.errors:
                errors.update(api_forms.errors_of(self.form))
            tiers = api_forms.formset_errors(self.form.credit_tiers)
            if tiers:
                errors[CREDIT_TIERS] = tiers
        others = target_formset_errors(self.formset, skip=self.form)
        own = others.pop(api_forms.NON_FIELD, [])
        if own:
            errors[api_forms.NON_FIELD] = [*errors.get(api_forms.NON_FIELD, []), *own]
        if others:
            errors["targets"] = others
        return errors

    def problems(self):
        """The errors as a list of messages (for a refused deletion's 409)."""
        return [message for messages in flat(self.errors()) for message in messages]

    def save(self):
        self.formset.save_all(self.agreement)
        return self.form.instance


def flat(errors):
    """Every list of messages in nested errors."""
    for value in errors.values():
        if isinstance(value, dict):
            yield from flat(value)
        else:
            yield [str(message) for message in value]


class TargetViewSet(EditableAgreementMixin, TenantViewSet):
    """The service level targets of one agreement: the objective in percent (99.9 is 99.9 %), the window, the
    budgeting method, service hours by calendar code, credit tiers nested and the targets it rests on by
    "<agreement code>/<target code>". Written by those who may change the agreement, as on its page; an active
    agreement keeps at least one target."""

    model = ServiceLevelTarget
    serializer_class = TargetSerializer
    form_class = TargetForm
    filterset_class = TargetFilter
    ordering_fields = ["code", "name", "objective"]
    add_permission = "agreements.change_agreement"
    change_permission = "agreements.change_agreement"
    delete_permission = "agreements.change_agreement"

    def write_schema_extras(self):
        fields = {name: schema_field(field) for name, field in extension_fields().items()}
        return {**fields, CREDIT_TIERS: CreditTierSerializer(many=True, required=False)}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.agreement = get_object_or_404(Agreement.objects.for_user(request.user), code=kwargs["agreement"])

    def base_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceLevelTarget.objects.none()
        return (
            ServiceLevelTarget.objects.filter(agreement=self.agreement)
            .select_related("agreement", "service_hours")
            .prefetch_related("credit_tiers", "underpinning_links__underpinning__agreement")
        )

    def bind(self, instance=None, partial=False):
        self.refuse_unless_editable(self.agreement)
        self.write = TargetWrite(self.agreement, instance, self.request.data, partial=partial)
        return self.write.form

    def validate(self, form):
        errors = self.write.errors()
        if errors:
            raise ValidationError(errors)

    def save_form(self, form):
        return self.write.save()

    def deletion_problems(self, row):
        return self.agreement.editing_problems() or TargetWrite(self.agreement, row, delete=True).problems()
