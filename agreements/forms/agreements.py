"""The agreement form: the agreement itself, its targets as an inline formset, each target's credit tiers nested."""

from decimal import Decimal
from itertools import count

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agreements import underpinning
from agreements.choices import AgreementKind, AgreementStatus, ReviewCycle
from agreements.extensions import target_form
from agreements.forms.catalogue import CodeLockedOnEditMixin, ShiftSafeSaveMixin
from agreements.models import Agreement, ServiceCreditTier, ServiceLevelTarget, Underpinning
from core.formatting import by_name, person_name, plain_number
from core.tenancy import SERVICE_MANAGERS_GROUP

DATE_WIDGET = {"type": "date"}
HUNDRED = Decimal(100)


def portal_staff():
    """People who may own agreements and services: service managers and superusers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=SERVICE_MANAGERS_GROUP))
        .distinct()
    )


def choose_owner(field):
    """An owner select: the portal's staff (``portal_staff``), each shown by name."""
    field.queryset = by_name(portal_staff())
    field.label_from_instance = person_name


class AgreementForm(CodeLockedOnEditMixin, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "kind",
            "code",
            "title",
            "customer",
            "services",
            "owner",
            "valid_from",
            "valid_to",
            "next_review",
            "review_cycle",
            "monthly_fee",
            "currency",
            "maintenance_notice_days",
            "maintenance_cap_minutes",
            "report_recipients",
            "description",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "next_review": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "services": forms.SelectMultiple(attrs={"size": 6}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "report_recipients": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_owner(self.fields["owner"])
        # Optional on the page: a form sent without it (an older page, a script) keeps "no fixed cycle".
        self.fields["review_cycle"].required = False
        self.fields["maintenance_notice_days"].error_messages["min_value"] = _(
            "The notice cannot be negative: 0 days excludes maintenance approved any time before it starts."
        )
        self.fields["maintenance_cap_minutes"].error_messages["min_value"] = _(
            "The cap cannot be negative: 0 minutes means maintenance always counts."
        )

    def clean_review_cycle(self):
        return self.cleaned_data.get("review_cycle") or ReviewCycle.NONE

    def clean(self):
        cleaned = super().clean()
        valid_from, valid_to, review = (cleaned.get(key) for key in ("valid_from", "valid_to", "next_review"))
        if valid_from and valid_to and valid_to <= valid_from:
            self.add_error("valid_to", _("The end date must be after the start date."))
        if review and valid_from and review < valid_from:
            self.add_error("next_review", _("The review cannot be before the agreement starts."))
        kind = cleaned.get("kind")
        if kind and self.instance.pk and kind != self.instance.kind:
            for problem in underpinning.kind_change_problems(self.instance, kind):
                self.add_error("kind", problem)
        return cleaned


class CreditTierForm(forms.ModelForm):
    below_attainment = forms.DecimalField(
        label=capfirst(_("attainment below (%)")),
        max_digits=6,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=HUNDRED,
    )
    credit_percent = forms.DecimalField(
        # xgettext:no-python-format
        label=capfirst(_("credit (% of monthly fee)")),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=HUNDRED,
    )

    class Meta:
        model = ServiceCreditTier
        fields = ["below_attainment", "credit_percent"]


class BaseCreditTierFormSet(ShiftSafeSaveMixin, BaseInlineFormSet):
    """Tiers of one target: distinct thresholds, and the lower the attainment the larger the credit."""

    shiftable_fields = ("below_attainment",)

    def parking_places(self):
        taken = self.taken_values("below_attainment")
        thresholds = (Decimal(f"{number}e-3") for number in count(1))  # 0.001, 0.002, ...: exact, no context
        return ({"below_attainment": threshold} for threshold in thresholds if threshold not in taken)

    # Nested inside a target form whose own template placeholder is __prefix__, so the tier's empty form uses
    # another placeholder; the page's script fills __prefix__ when it adds a target and __tier__ when it adds a tier.
    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__tier__"),
            empty_permitted=True,
            use_required_attribute=False,
            **self.get_form_kwargs(None),
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def live_tiers(self):
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("below_attainment") is not None
            and form.cleaned_data.get("credit_percent") is not None
        ]

    def clean(self):
        # Before super().clean(): Django's unique check would strip a repeated threshold from cleaned_data and
        # answer only with a formset-wide "duplicate data" error, never naming the field. add_error() removes a
        # value from cleaned_data, so the values are read once, up front.
        tiers = sorted(
            (
                (form.cleaned_data["below_attainment"], form.cleaned_data["credit_percent"], form)
                for form in self.live_tiers()
            ),
            key=lambda tier: tier[0],
            reverse=True,
        )
        seen = set()
        for threshold, _credit, form in tiers:
            if threshold in seen:
                form.add_error("below_attainment", _("Another tier already starts at this attainment."))
            seen.add(threshold)
        for (higher_threshold, higher_credit, _higher), (lower_threshold, lower_credit, lower) in zip(
            tiers, tiers[1:], strict=False
        ):
            if lower_threshold != higher_threshold and lower_credit <= higher_credit:
                lower.add_error(
                    "credit_percent",
                    _("Tiers overlap: a lower attainment must earn a larger credit than %(credit)s %%.")
                    % {"credit": plain_number(higher_credit)},
                )
        super().clean()


CreditTierFormSet = inlineformset_factory(
    ServiceLevelTarget,
    ServiceCreditTier,
    form=CreditTierForm,
    formset=BaseCreditTierFormSet,
    extra=0,
    can_delete=True,
)


class TargetForm(CodeLockedOnEditMixin, forms.ModelForm):
    objective = forms.DecimalField(
        label=capfirst(_("objective (%)")),
        max_digits=6,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=Decimal("99.999"),
        help_text=_("For example 99.9; more than 0 and less than 100, up to three decimals."),
    )

    class Meta:
        model = ServiceLevelTarget
        fields = [
            "code",
            "name",
            "objective",
            "window_kind",
            "calendar_period",
            "rolling_days",
            "budgeting_method",
            "slice_minutes",
            "slice_target",
            "missing_data",
            "service_hours",
            "warning_threshold",
            "minimum_events",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    rests_on = forms.ModelMultipleChoiceField(
        queryset=ServiceLevelTarget.objects.none(),
        required=False,
        label=capfirst(_("rests on")),
        help_text=_(
            "The OLA and UC targets this promise depends on: an SLA target may rest on OLA and UC targets, an OLA "
            "target on UC targets. Each link is checked for weaker promises on the agreement page."
        ),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    # Fields the page lays out by hand; fields added by extensions are rendered after them.
    core_field_names = Meta.fields

    def __init__(self, *args, agreement_kind=AgreementKind.SLA, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement_kind = agreement_kind
        self.fields["calendar_period"].required = False
        rests_on = self.fields["rests_on"]
        rests_on.queryset = underpinning.candidates()
        rests_on.label_from_instance = underpinning_choice_label
        if self.instance.pk:
            rests_on.initial = self.initial.setdefault(
                "rests_on", list(self.instance.underpinning_links.values_list("underpinning_id", flat=True))
            )
        for extension in target_form:
            extension.add_fields(self)
        self.fields["rests_on"] = self.fields.pop("rests_on")  # after what the target measures
        self.extension_html = [html for extension in target_form if (html := extension.render(self))]
        self.credit_tiers = CreditTierFormSet(
            data=self.data if self.is_bound else None,
            instance=self.instance,
            prefix=f"{self.prefix}-tiers" if self.prefix else "tiers",
        )

    def has_changed(self):
        return super().has_changed() or self.credit_tiers.has_changed()

    def clean(self):
        cleaned = super().clean()
        # The window's completeness is checked once, by ServiceLevelTarget.clean() (ModelForm runs it after this):
        # checking it here as well showed "A rolling window needs its number of days." twice under the field.
        for extension in target_form:
            extension.clean(self, cleaned)
        chosen = cleaned.get("rests_on")
        if chosen:
            for problem in underpinning.link_problems(self.instance, self.agreement_kind, chosen):
                self.add_error("rests_on", problem)
        objective = cleaned.get("objective")
        if objective is not None and self.credit_tiers.is_valid():
            for tier in self.credit_tiers.live_tiers():
                if tier.cleaned_data["below_attainment"] > objective:
                    tier.add_error(
                        "below_attainment",
                        _("A credit tier cannot start above the objective (%(objective)s %%).")
                        % {"objective": plain_number(objective)},
                    )
        return cleaned

    def save_credit_tiers(self, target):
        self.credit_tiers.instance = target
        self.credit_tiers.save()
        self.save_links(target)
        for extension in target_form:
            extension.save(self, target)

    def save_links(self, target):
        """One row per link made or removed (not a bulk ``set()``), so that each is kept in the history."""
        wanted = {other.pk for other in self.cleaned_data.get("rests_on") or ()}
        stored = {link.underpinning_id: link for link in target.underpinning_links.all()}
        for underpinning_id, link in stored.items():
            if underpinning_id not in wanted:
                link.delete()
        for underpinning_id in sorted(wanted - stored.keys()):
            Underpinning.objects.create(target=target, underpinning_id=underpinning_id)


def underpinning_choice_label(target):
    """ "hanbit-ops-ola · Platform up ≥ 99.8 %" (and the agreement's status when it is not active)."""
    text = f"{target.agreement.code} · {target.name} ≥ {target.objective_display}"
    if target.agreement.status != AgreementStatus.ACTIVE:
        text += f" ({target.agreement.get_status_display()})"
    return text


class BaseTargetFormSet(BaseInlineFormSet):
    """An agreement's targets; each form carries its credit tiers. Active agreements keep at least one target."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_target = bool(self.instance.pk) and self.instance.status == AgreementStatus.ACTIVE

    def live_forms(self):
        return [
            form
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form)) and (form.instance.pk or form.has_changed())
        ]

    def is_valid(self):
        valid = super().is_valid()
        return all(form.credit_tiers.is_valid() for form in self.live_forms()) and valid

    def clean(self):
        super().clean()
        if self.require_target and not self.live_forms():
            raise forms.ValidationError(_("An active agreement needs at least one service level target."))

    def save_all(self, agreement):
        """Save targets, their credit tiers and extension fields; call inside a transaction after is_valid()."""
        self.instance = agreement
        self.save()
        for form in self.live_forms():
            form.save_credit_tiers(form.instance)


TargetFormSet = inlineformset_factory(
    Agreement,
    ServiceLevelTarget,
    form=TargetForm,
    formset=BaseTargetFormSet,
    extra=0,
    can_delete=True,
)
TARGETS_PREFIX = "targets"


def targets_kind(sent, agreement):
    """The kind an agreement's targets' links are checked against: the kind sent with them (it may change in the same
    save), else the agreement's own (an SLA for a new one)."""
    if sent in AgreementKind.values:
        return sent
    return agreement.kind if agreement is not None else AgreementKind.SLA


def agreement_targets(data, agreement, kind):
    """The agreement page's target formset (``data`` posted, or None to show it), its links checked against ``kind``."""
    return TargetFormSet(
        data, instance=agreement or Agreement(), prefix=TARGETS_PREFIX, form_kwargs={"agreement_kind": kind}
    )


def save_agreement(form, targets):
    """The agreement page's save, all or nothing: the agreement, then its targets with their credit tiers, links and
    the fields other apps add. Call after both are valid."""
    with transaction.atomic():
        saved = form.save()
        targets.save_all(saved)
    return saved
