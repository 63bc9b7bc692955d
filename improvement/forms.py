"""Forms of service level improvement: plans (pre-filled from what they start from) and their actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.forms.agreements import choose_owner
from agreements.models import Customer, Service, ServiceLevelTarget
from improvement.models import Action, ImprovementPlan
from monitoring.models import Breach
from requirements_analysis.models import ServiceLevelRequirement


class PlanForm(forms.ModelForm):
    class Meta:
        model = ImprovementPlan
        fields = [
            "title",
            "customer",
            "services",
            "problem",
            "breaches",
            "targets",
            "requirements",
            "goal_target",
            "baseline_attainment",
            "desired_attainment",
            "goal_date",
            "owner",
            "priority_score",
            "priority_override",
            "override_reason",
            "review_periods",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "override_reason": forms.Textarea(attrs={"rows": 2}),
            "services": forms.SelectMultiple(attrs={"size": 5}),
            "breaches": forms.SelectMultiple(attrs={"size": 4}),
            "targets": forms.SelectMultiple(attrs={"size": 4}),
            "requirements": forms.SelectMultiple(attrs={"size": 4}),
            "goal_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choose_owner(self.fields["owner"])
        # Choices through the .for_user() checkpoint: whoever may start plans is offered only rows they may see.
        self.fields["customer"].queryset = Customer.objects.for_user(user)
        self.fields["services"].queryset = Service.objects.for_user(user)
        self.fields["requirements"].queryset = ServiceLevelRequirement.objects.for_user(user)
        self.fields["breaches"].queryset = (
            Breach.objects.for_user(user).select_related("target__agreement").order_by("-detected_at")
        )
        self.fields["breaches"].label_from_instance = lambda b: (
            f"{b.target.agreement.code} · {b.target.name} · {b.period_label}"
        )
        for name in ("targets", "goal_target"):
            self.fields[name].queryset = ServiceLevelTarget.objects.for_user(user).select_related("agreement")
            self.fields[name].label_from_instance = lambda t: f"{t.agreement.code} · {t.name}"
        self.fields["priority_score"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("priority_override") is not None and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the priority is overridden."))
        baseline, desired = cleaned.get("baseline_attainment"), cleaned.get("desired_attainment")
        if baseline is not None and desired is not None and desired <= baseline:
            self.add_error("desired_attainment", _("The goal must be above the baseline."))
        return cleaned


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "due_date", "status", "completion_note"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "completion_note": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_owner(self.fields["owner"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == "done" and not (cleaned.get("completion_note") or "").strip():
            self.add_error("completion_note", _("Say what was done."))
        return cleaned
