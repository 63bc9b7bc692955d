"""The service review form: the meeting (when, who, the period it looked at, notes) and its decisions (a formset)."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementStatus
from agreements.forms.agreements import portal_staff
from core.formatting import by_name, person_name, plain_number
from core.tenancy import MEMBERSHIP_ACCESSOR
from improvement.choices import DecisionKind
from monitoring.readout.reports import months_in_force, parse_period
from monitoring.windows import MONTH, label_of, quarter_of_month

DATE_WIDGET = {"type": "date"}


def review_people(agreement):
    """Who may be named as a participant: the portal's staff and the people of the agreement's customer."""
    staff = portal_staff().values("pk")
    return by_name(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(pk__in=staff) | Q(**{f"{MEMBERSHIP_ACCESSOR}__customer_id": agreement.customer_id}))
    )


def not_active_message(agreement):
    return _(
        "No review or decision can be recorded on an agreement that is %(status)s: only active ones are reviewed."
    ) % {"status": agreement.get_status_display()}


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    period_label = forms.CharField(
        label=_("Period reviewed"),
        max_length=40,
        help_text=_("A month as YYYY-MM or a quarter as YYYY-Qn; its review pack is linked from the review."),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guests = forms.CharField(
        label=_("Guests"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("People from outside the portal, one a line (name and organisation)."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, agreement, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement, self.today = agreement, today
        self.fields["participants"].queryset = review_people(agreement)
        self.fields["participants"].label_from_instance = person_name

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise forms.ValidationError(
                _("A review is recorded once it has been held: %(date)s is in the future."),
                params={"date": held_on.isoformat()},
            )
        if held_on < self.agreement.valid_from:
            raise forms.ValidationError(
                _("The agreement came into force on %(date)s: a review cannot be held before it."),
                params={"date": self.agreement.valid_from.isoformat()},
            )
        return held_on

    def clean_period_label(self):
        label = self.cleaned_data["period_label"].strip().upper()
        try:
            period = parse_period(label)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "“%(period)s” is not a period: give a month as YYYY-MM or a quarter as YYYY-Qn, such as "
                    "%(month)s or %(quarter)s."
                ),
                params={
                    "period": self.cleaned_data["period_label"],
                    "month": label_of(MONTH, self.today),
                    "quarter": quarter_of_month(label_of(MONTH, self.today)),
                },
            ) from None
        first, last = months_in_force(self.agreement)
        if period.months[-1] < first:
            raise forms.ValidationError(
                _("The agreement came into force in %(first)s: choose %(first)s or a later period."),
                params={"first": first},
            )
        if last is not None and period.months[0] > last:
            raise forms.ValidationError(
                _("The agreement ended in %(last)s: choose %(last)s or an earlier period."), params={"last": last}
            )
        return period.label

    def clean(self):
        cleaned = super().clean()
        if self.agreement.status != AgreementStatus.ACTIVE:
            raise forms.ValidationError(not_active_message(self.agreement))
        held_on, label = cleaned.get("held_on"), cleaned.get("period_label")
        if held_on and label and parse_period(label).months[0] > label_of(MONTH, held_on):
            self.add_error(
                "period_label",
                _("%(period)s had not begun on the day of the review (%(date)s).")
                % {"period": label, "date": held_on.isoformat()},
            )
        if not cleaned.get("participants") and not cleaned.get("guests", "").strip():
            self.add_error("participants", _("Name who took part: choose people, or write the guests' names."))
        return cleaned


class DecisionForm(forms.Form):
    # Not required: an extra row left blank is no decision (the formset skips it); a row with anything in it needs one.
    kind = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("Choose a decision")), *DecisionKind.choices], required=False
    )
    target = forms.ModelChoiceField(label=_("Target"), queryset=None, required=False)
    proposed_objective = forms.DecimalField(
        label=_("Proposed objective (%)"),
        required=False,
        max_digits=6,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=Decimal("99.999"),
    )
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, required=False)
    text = forms.CharField(
        label=_("What was decided"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a plan, the problem it should solve; for a requirement, the need in the customer's words."),
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["target"].queryset = agreement.targets.order_by("code")
        self.fields["target"].label_from_instance = lambda target: f"{target.name} (≥ {target.objective_display})"
        self.fields["service"].queryset = agreement.services.order_by("name")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            if any(cleaned.get(name) for name in ("target", "proposed_objective", "service", "text")):
                self.add_error("kind", _("Choose what was decided."))
            return cleaned
        if self.agreement.status != AgreementStatus.ACTIVE:
            self.add_error("kind", not_active_message(self.agreement))
            return cleaned
        text = cleaned.get("text", "").strip()
        if kind == DecisionKind.CHANGE_TARGET:
            target, objective = cleaned.get("target"), cleaned.get("proposed_objective")
            if target is None:
                self.add_error("target", _("Choose the target to change."))
            if objective is None and "proposed_objective" not in self.errors:
                self.add_error("proposed_objective", _("Give the objective the review proposes."))
            if target is not None and objective is not None and objective == target.objective:
                self.add_error(
                    "proposed_objective",
                    _("%(objective)s %% is the target's objective already: choose “Keep the agreement as it is”.")
                    % {"objective": plain_number(objective)},
                )
        else:
            cleaned["proposed_objective"] = None
        if kind == DecisionKind.START_PLAN and not text:
            self.add_error("text", _("Say what the plan should fix."))
        if kind == DecisionKind.RECORD_REQUIREMENT:
            if not text:
                self.add_error("text", _("State the requirement."))
            if cleaned.get("service") is None:
                services = list(self.fields["service"].queryset[:2])
                if len(services) == 1:
                    cleaned["service"] = services[0]
                else:
                    self.add_error("service", _("Choose the service the requirement is about."))
        return cleaned


class BaseDecisionFormSet(BaseFormSet):
    def live_forms(self):
        return [form for form in self.forms if form.has_changed() and getattr(form, "cleaned_data", {}).get("kind")]

    def clean(self):
        if any(self.errors):
            return
        if not self.live_forms():
            raise forms.ValidationError(_("Record at least one decision: “Keep the agreement as it is” is one."))


DecisionFormSet = formset_factory(DecisionForm, formset=BaseDecisionFormSet, extra=1)
