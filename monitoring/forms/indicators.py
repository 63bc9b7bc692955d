"""The indicator form: every kind's fields, and a ticket indicator's goals per priority as versions."""

import re
from decimal import Decimal, InvalidOperation
from functools import partial

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, BusinessCalendar, Customer
from monitoring.choices import PAUSABLE, TicketMetric
from monitoring.kinds import KINDS
from monitoring.models import Indicator, TicketGoal
from monitoring.readout.ticket_list import goals_in_force
from monitoring.tasks import rebuild_ticket_indicator

GOAL_TEXT = re.compile(r"(\d{1,4}):([0-5]\d)")


def parse_goal(text):
    """Business minutes of a goal written as hours and minutes, "4:00" -> 240, "0:30" -> 30, "27:00" -> 1620."""
    match = GOAL_TEXT.fullmatch(text.strip())
    if not match:
        raise forms.ValidationError(
            _("“%(goal)s” is not a goal: write hours and minutes of business time, such as 4:00, 0:30 or 27:00."),
            params={"goal": text},
        )
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes < 1:
        raise forms.ValidationError(_("A goal must be at least one minute (0:01)."))
    return minutes


def goal_text(minutes):
    """The goal as the form writes it: 240 -> "4:00", 1620 -> "27:00"."""
    return f"{minutes // 60}:{minutes % 60:02d}"


class TicketGoalForm(forms.Form):
    """One priority's goal, in hours and minutes of the indicator's business time."""

    priority = forms.CharField(label=_("Priority"), max_length=20, required=False)
    goal = forms.CharField(
        label=_("Goal (business hours:minutes)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean_priority(self):
        return self.cleaned_data["priority"].strip()

    def clean_goal(self):
        text = self.cleaned_data["goal"].strip()
        return parse_goal(text) if text else None

    def clean(self):
        cleaned = super().clean()
        priority, goal = cleaned.get("priority"), cleaned.get("goal")
        if priority and goal is None and "goal" not in self.errors:
            self.add_error("goal", _("Give the goal of priority %(priority)s.") % {"priority": priority})
        if goal is not None and not priority:
            self.add_error("priority", _("Name the priority this goal is for."))
        return cleaned


class BaseTicketGoalFormSet(forms.BaseFormSet):
    """The goals per priority. A priority that has a goal keeps one (running clocks took it): its row's priority is
    fixed and its goal may change, which adds a new version effective from the save."""

    def _construct_form(self, index, **kwargs):
        form = super()._construct_form(index, **kwargs)
        if index < len(self.initial or []):
            form.fields["priority"].disabled = True
        return form

    def rows(self):
        """{priority: minutes} of the filled rows (after is_valid())."""
        return {
            form.cleaned_data["priority"]: form.cleaned_data["goal"]
            for form in self.forms
            if form.cleaned_data.get("priority") and form.cleaned_data.get("goal") is not None
        }

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            priority = form.cleaned_data.get("priority")
            if priority and priority in seen:
                form.add_error("priority", _("Priority %(priority)s is given twice.") % {"priority": priority})
            seen.add(priority)
        if not self.rows():
            raise forms.ValidationError(_("A ticket indicator needs the goal of at least one priority."))


class WarningPointsField(forms.CharField):
    """Percentages of the goal, "50, 75": each above 0 and at most 100; stored as numbers, in order."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        points = []
        for part in text.replace(";", ",").split(","):
            part = part.strip().rstrip("%").strip()
            if not part:
                continue
            try:
                point = Decimal(part)
            except InvalidOperation:
                raise forms.ValidationError(
                    _("“%(point)s” is not a percentage: write numbers such as 50, 75."), params={"point": part}
                ) from None
            if not point.is_finite() or not 0 < point <= 100:
                raise forms.ValidationError(
                    _("A warning point is a percentage of the goal above 0 and at most 100, not %(point)s."),
                    params={"point": part},
                )
            points.append(int(point) if point == point.to_integral_value() else float(point))
        return sorted(set(points))

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(format(Decimal(str(point)).normalize(), "f") for point in value)
        return value


class IndicatorForm(forms.ModelForm):
    """An indicator of any kind. A ticket indicator has its customer, its clock, its business hours, what pauses it,
    its warning points and its goals per priority (``goals``, versioned: an edit adds a version effective now, so
    running clocks keep the goal they started with); the fields of the other kinds are cleared for it, and its own
    for them."""

    pause_categories = forms.MultipleChoiceField(
        label=capfirst(_("paused while")),
        choices=[(category.value, category.label) for category in PAUSABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The clock stops while the ticket is in one of these categories."),
        error_messages={
            "invalid_choice": _("%(value)s cannot pause a ticket clock: only open and waiting categories can.")
        },
    )
    warning_points = WarningPointsField(
        label=capfirst(_("warning points (% of the goal)")),
        required=False,
        help_text=_("For example 50, 75 (the default when empty): a clock past its first point is at risk."),
    )
    ticket_metric = forms.ChoiceField(
        label=capfirst(_("ticket clock")),
        choices=TicketMetric.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    TICKET_FIELDS = ("customer", "ticket_metric", "business_hours", "pause_categories", "warning_points")
    # Kept apart from the ticket fields: what ratio and threshold indicators use (a ticket indicator has none of it).
    SAMPLE_FIELDS = ("unit", "operator", "threshold")

    class Meta:
        model = Indicator
        fields = [
            "service",
            "code",
            "name",
            "kind",
            "unit",
            "operator",
            "threshold",
            "customer",
            "ticket_metric",
            "business_hours",
            "pause_categories",
            "warning_points",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.creating = self.instance.pk is None
        customers = self.fields["customer"]
        customers.queryset = Customer.objects.filter(agreements__isnull=False).distinct().order_by("name")
        customers.help_text = _("Whose tickets are counted: a customer with an agreement on the service.")
        self.fields["business_hours"].empty_label = _("Around the clock")
        self.fields["business_hours"].queryset = BusinessCalendar.objects.order_by("name")
        self.fields["kind"].widget.attrs["data-indicator-kind"] = ""
        if self.instance.pk:
            # Stored samples were judged good or bad by the kind and threshold in force when they arrived; a ticket
            # indicator's clocks are of one customer's tickets of one service, by one metric.
            locked = ["code", "kind"]
            if self.is_ticket:
                locked += ["service", "customer", "ticket_metric"]
            for name in locked:
                self.fields[name].disabled = True
        initial = []
        if self.instance.pk and self.is_ticket:
            self.in_force = goals_in_force(self.instance, self.now)
            initial = [{"priority": p, "goal": goal_text(goal.minutes)} for p, goal in self.in_force.items()]
        else:
            self.in_force = {}
        # Three empty rows for a new indicator's goals, one more under those of a saved one ("Add priority" adds).
        goal_rows = forms.formset_factory(
            TicketGoalForm, formset=BaseTicketGoalFormSet, extra=1 if initial else 3, max_num=30
        )
        self.goals = goal_rows(self.data if self.is_bound and self.is_ticket else None, initial=initial, prefix="goals")

    @property
    def kind(self):
        """The kind being edited: the saved one, else the one posted, else the one the page was asked for."""
        if self.instance.pk:
            return self.instance.kind
        if self.is_bound:
            return self.data.get(self.add_prefix("kind"), "")
        return self.initial.get("kind") or self.fields["kind"].initial or ""

    @property
    def is_ticket(self):
        return self.kind in KINDS and KINDS[self.kind].tickets

    def sections(self):
        """The page's sections of kind-specific fields, each with the kinds it is for (the page's script shows the
        chosen kind's): those of the saved kind on edit, both while the kind can still be chosen."""
        sample_kinds = " ".join(value for value, kind in KINDS.items() if not kind.tickets)
        ticket_kinds = " ".join(value for value, kind in KINDS.items() if kind.tickets)
        shown = {
            "samples": not self.instance.pk or not self.is_ticket,
            "tickets": not self.instance.pk or self.is_ticket,
        }
        return {
            "samples": sample_kinds if shown["samples"] else None,
            "tickets": ticket_kinds if shown["tickets"] else None,
        }

    def is_valid(self):
        valid = super().is_valid()
        if self.is_ticket:
            valid = self.goals.is_valid() and valid
        return valid

    def clean(self):
        cleaned = super().clean()
        if not self.is_ticket:
            cleaned.update(customer=None, ticket_metric="", business_hours=None, pause_categories=[])
            cleaned["warning_points"] = []
            return cleaned
        cleaned["unit"] = ""
        customer, service = cleaned.get("customer"), cleaned.get("service")
        known = customer and service and not self.instance.pk
        if known and not Agreement.objects.filter(customer=customer, services=service).exists():
            self.add_error(
                "customer",
                _("%(customer)s has no agreement on %(service)s: choose a customer of the service.")
                % {"customer": customer.name, "service": service.name},
            )
        return cleaned

    def _update_errors(self, errors):
        # A field the form refused already (a customer with no agreement on the service) is not blamed a second time
        # by the model's check for being empty.
        if hasattr(errors, "error_dict"):
            for field in [field for field in errors.error_dict if field in self._errors]:
                del errors.error_dict[field]
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    @property
    def goals_changed(self):
        """{priority: minutes} of the goals that are new or differ from the version in force."""
        if not self.is_ticket:
            return {}
        return {
            priority: minutes
            for priority, minutes in self.goals.rows().items()
            if priority not in self.in_force or self.in_force[priority].minutes != minutes
        }

    @property
    def clocks_change(self):
        """Whether the saved indicator's clocks must be rebuilt (a new ticket indicator, or its rules changed)."""
        if not self.is_ticket:
            return False
        rules = {"business_hours", "pause_categories", "warning_points"}
        return self.creating or bool(rules & set(self.changed_data)) or bool(self.goals_changed)

    def save(self, commit=True):
        indicator = super().save(commit=commit)
        if commit and self.is_ticket:
            TicketGoal.objects.bulk_create(
                TicketGoal(indicator=indicator, priority=priority, minutes=minutes, effective_from=self.now)
                for priority, minutes in self.goals_changed.items()
            )
        return indicator

    # Indicator.clean checks what each kind needs (monitoring.kinds), for this form and the admin's.


def save_indicator(form):
    """What saving the indicator form does, on its page and over the API: the indicator and its goals in one
    transaction and, for a ticket indicator whose rules or goals changed, its tickets' clocks rebuilt on a worker once
    the save has committed. Returns the indicator."""
    with transaction.atomic():
        indicator = form.save()
        if form.clocks_change:
            transaction.on_commit(partial(rebuild_ticket_indicator.delay, indicator.pk))
    return indicator
