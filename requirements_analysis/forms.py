"""Forms of service requirements analysis: requirements, their decisions, survey campaigns and survey answers."""

import re

from django import forms
from django.core.validators import validate_email
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementStatus
from agreements.models import Agreement, Customer, Service, ServiceLevelTarget
from core.tenancy import customer_id_of
from requirements_analysis.choices import NEEDS_REASON, Category, RequirementStatus
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign

RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]


class RequirementForm(forms.ModelForm):
    """A customer user states a requirement for their own organisation; a manager chooses the customer."""

    class Meta:
        model = ServiceLevelRequirement
        fields = [
            "customer",
            "service",
            "statement",
            "category",
            "importance",
            "performance",
            "source",
            "desired_level",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "importance": forms.RadioSelect(choices=RATING_CHOICES),
            "performance": forms.RadioSelect(choices=RATING_CHOICES),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer_id = customer_id_of(user)
        if self.customer_id is not None:
            del self.fields["customer"]
            self.fields["service"].queryset = Service.objects.for_user(user).order_by("name")
        else:
            self.fields["customer"].queryset = Customer.objects.for_user(user).order_by("name")
            self.fields["service"].queryset = Service.objects.order_by("name")
        if self.instance.pk:
            self.fields.pop("customer", None)

    def save(self, commit=True):
        requirement = super().save(commit=False)
        if self.customer_id is not None and not requirement.customer_id:
            requirement.customer_id = self.customer_id
        if not requirement.submitted_by_id:
            requirement.submitted_by = self.user
        if commit:
            requirement.save()
            self.save_m2m()
        return requirement


class RequirementTargetsForm(forms.ModelForm):
    """The manager links the targets that meet a requirement (targets of the customer's agreements)."""

    class Meta:
        model = ServiceLevelRequirement
        fields = ["targets"]
        widgets = {"targets": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = ServiceLevelTarget.objects.filter(
            agreement__customer=self.instance.customer
        ).select_related("agreement")
        self.fields["targets"].label_from_instance = lambda target: f"{target.agreement.code} · {target.name}"


class DecisionForm(forms.Form):
    """Moves a requirement on; agreeing may also add a draft target (no indicator yet) to one of the customer's
    agreements, pre-filled from the requirement."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    create_target_on = forms.ModelChoiceField(
        label=_("Add a draft target to"),
        queryset=Agreement.objects.none(),
        required=False,
        help_text=_("It has no indicator yet, so it is not evaluated until you choose one on the agreement form."),
    )

    def __init__(self, *args, requirement, new_status, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirement, self.new_status = requirement, new_status
        if new_status == RequirementStatus.AGREED:
            self.fields["create_target_on"].queryset = Agreement.objects.filter(
                customer=requirement.customer,
                status__in=[AgreementStatus.DRAFT, AgreementStatus.ACTIVE],
            ).order_by("code")
        else:
            del self.fields["create_target_on"]

    def clean(self):
        cleaned = super().clean()
        # Said under the field; the model refuses the step without a reason too (its precondition_problems).
        if self.new_status in NEEDS_REASON and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why: a rejected or deferred requirement needs a reason."))
        return cleaned


class CampaignForm(forms.ModelForm):
    class Meta:
        model = SurveyCampaign
        fields = ["customer", "code", "title", "period_label", "services", "message", "opens_at", "closes_at"]
        widgets = {
            "services": forms.CheckboxSelectMultiple,
            "message": forms.Textarea(attrs={"rows": 3}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.order_by("name")
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["customer"].disabled = True

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
        return cleaned


class InvitationsForm(forms.Form):
    people = forms.CharField(
        label=_("People to invite"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=escape(_('One per line: an e-mail address, or "Name <e-mail>".')),  # help text is not escaped
    )

    LINE = re.compile(r"^\s*(?:(?P<name>[^<]+?)\s*<(?P<bracketed>[^>]+)>|(?P<plain>\S+))\s*$")

    def clean_people(self):
        people, problems = [], []
        for number, line in enumerate(self.cleaned_data["people"].splitlines(), start=1):
            if not line.strip():
                continue
            match = self.LINE.match(line)
            email = match and (match.group("bracketed") or match.group("plain"))
            try:
                validate_email(email or "")
            except forms.ValidationError:
                problems.append(_("Line %(line)s is not an e-mail address: %(text)s") % {"line": number, "text": line})
                continue
            people.append(((match.group("name") or "").strip(), email.strip().lower()))
        if problems:
            raise forms.ValidationError(problems)
        if not people:
            raise forms.ValidationError(_("Give at least one e-mail address."))
        return people


NOT_APPLICABLE = "na"  # the posted value of "N/A"
UNANSWERED = object()  # a rating the person has not given yet (no row stored)


def rating_or_not_applicable(value):
    """A posted rating: 1 to 5, or None for "not applicable"."""
    return None if value == NOT_APPLICABLE else int(value)


def optional_rating(label, stored=UNANSWERED):
    """A rating 1 to 5 that may be "not applicable": chosen as N/A, or left out. ``stored``: the answer given before
    (a number, None for N/A, or UNANSWERED), shown again."""
    initial = None if stored is UNANSWERED else (NOT_APPLICABLE if stored is None else stored)
    return forms.TypedChoiceField(
        label=label,
        choices=[*RATING_CHOICES, (NOT_APPLICABLE, _("N/A"))],
        coerce=rating_or_not_applicable,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        initial=initial,
    )


class SurveyAnswerForm(forms.Form):
    """The questionnaire: overall satisfaction (the one answer required), satisfaction per service, importance and
    performance per category, each of these "not applicable" when it does not apply (chosen, or left out), and a
    comment."""

    overall = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with our services?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("Please rate your overall satisfaction.")},
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        required=False,
    )

    def __init__(self, *args, campaign, response=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = list(campaign.services.order_by("name"))
        initial_csat, initial_categories = {}, {}
        if response is not None:
            initial_csat = dict(response.service_ratings.values_list("service_id", "csat"))
            initial_categories = {
                category: (importance, performance)
                for category, importance, performance in response.category_ratings.values_list(
                    "category", "importance", "performance"
                )
            }
            self.fields["overall"].initial = response.overall_satisfaction
            self.fields["comment"].initial = response.comment
        for service in self.services:
            self.fields[f"csat_{service.pk}"] = optional_rating(service.name, initial_csat.get(service.pk, UNANSWERED))
        for category, label in Category.choices:
            importance, performance = initial_categories.get(category, (UNANSWERED, UNANSWERED))
            self.fields[f"importance_{category}"] = optional_rating(label, importance)
            self.fields[f"performance_{category}"] = optional_rating(label, performance)

    def service_fields(self):
        return [self[f"csat_{service.pk}"] for service in self.services]

    def category_rows(self):
        return [
            (label, self[f"importance_{category}"], self[f"performance_{category}"])
            for category, label in Category.choices
        ]
