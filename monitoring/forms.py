"""Forms of the monitoring app, and the indicator choice it adds to the agreement page's target forms."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agreements.choices import BudgetingMethod
from agreements.extensions import TargetFormExtension
from agreements.models import Agreement, BusinessCalendar, Customer, Service
from monitoring.choices import PAUSABLE, TicketCategory, TicketMetric
from monitoring.kinds import JUDGED, KINDS
from monitoring.models import ApiToken, DataSource, HttpProbe, Indicator, TargetIndicator, TicketGoal, TicketSource
from monitoring.readout.reports import (
    default_period_label,
    last_month_label,
    months_in_force,
    parse_period,
    this_month_label,
)
from monitoring.readout.ticket_list import goals_in_force
from monitoring.windows import quarter_of_month


class IndicatorOnTargetForm(TargetFormExtension):
    """The agreement page's target form gets an "indicator" select; the link is stored as a TargetIndicator."""

    field_name = "indicator"

    def add_fields(self, form):
        form.fields[self.field_name] = forms.ModelChoiceField(
            queryset=Indicator.objects.select_related("service", "customer").order_by("service__name", "name"),
            required=False,
            label=capfirst(_("indicator (SLI)")),
            help_text=_("What this target measures. Without one the target is not evaluated."),
        )
        if form.instance.pk:
            link = TargetIndicator.objects.filter(target=form.instance).select_related("indicator").first()
            if link:
                form.initial.setdefault(self.field_name, link.indicator_id)
                form.fields[self.field_name].initial = link.indicator_id

    def render(self, form):
        """For a saved target: how its last closed periods would have ended at the objective being typed."""
        target = form.instance
        if not target.pk or not target.agreement_id:
            return ""
        url = reverse("monitoring:what_if", kwargs={"code": target.agreement.code, "target": target.code})
        return render_to_string("monitoring/includes/what_if.html", {"url": url, "prefix": form.prefix})

    def clean(self, form, cleaned_data):
        """A ticket indicator counts each ticket once, good or bad: its target counts events (occurrences), and it
        counts one customer's tickets: those of the agreement's customer."""
        indicator = cleaned_data.get(self.field_name)
        if indicator is None or not indicator.sli_kind.tickets:
            return
        method = cleaned_data.get("budgeting_method")
        if method in BudgetingMethod.values and not BudgetingMethod(method).counts_events:
            form.add_error(
                self.field_name,
                _("A ticket indicator counts tickets, not time: its target takes the occurrences method."),
            )
        agreement = getattr(form.instance, "agreement", None)
        customer_id = agreement.customer_id if agreement is not None else None
        if customer_id is not None and indicator.customer_id != customer_id:
            form.add_error(
                self.field_name,
                _("%(indicator)s counts the tickets of %(customer)s, not of this agreement's customer.")
                % {"indicator": indicator.name, "customer": indicator.customer.name},
            )

    def save(self, form, target):
        indicator = form.cleaned_data.get(self.field_name)
        if indicator:
            TargetIndicator.objects.update_or_create(target=target, defaults={"indicator": indicator})
        else:
            TargetIndicator.objects.filter(target=target).delete()


INDICATOR_ON_TARGET_FORM = IndicatorOnTargetForm()


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


class DataSourceForm(forms.ModelForm):
    class Meta:
        model = DataSource
        fields = ["name", "code", "indicators"]
        widgets = {"indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.select_related("service").order_by("code")
        if self.instance.pk:
            self.fields["code"].disabled = True


class HttpProbeForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = HttpProbe
        fields = [
            "name",
            "code",
            "url",
            "interval_seconds",
            "timeout_seconds",
            "expected_status",
            "availability_indicator",
            "latency_indicator",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        thresholds = Indicator.objects.filter(kind__in=JUDGED).select_related("service")
        self.fields["availability_indicator"].queryset = thresholds
        self.fields["latency_indicator"].queryset = thresholds
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("availability_indicator") and not cleaned.get("latency_indicator"):
            # Added, not raised: the timeout is checked too, so that every problem shows at once.
            self.add_error(None, _("A probe records into an availability indicator, a latency one, or both."))
        availability, latency = cleaned.get("availability_indicator"), cleaned.get("latency_indicator")
        if availability and latency and availability == latency:
            # Both samples of a run share its time: the second would be dropped as a duplicate.
            self.add_error("latency_indicator", _("Availability and latency need two different indicators."))
        timeout, interval = cleaned.get("timeout_seconds"), cleaned.get("interval_seconds")
        if timeout and interval and timeout >= interval:
            self.add_error("timeout_seconds", _("The timeout must be shorter than the interval."))
        return cleaned


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns t,value or t,good,total; times with a zone."))

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB; split it."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        if "\x00" in text:  # PostgreSQL keeps no NUL character in text: the file could not even be kept for preview
            raise forms.ValidationError(_("The file holds a NUL character; it is not a CSV text file."))
        return upload.name, text


class TicketCsvForm(CsvUploadForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns id,ticket,type,at,customer,service,priority,state,title; times with a zone."),
    )


class TicketSourceForm(forms.ModelForm):
    """A service desk: its name, code, and the customers and services it may write for."""

    class Meta:
        model = TicketSource
        fields = ["name", "code", "customers", "services"]
        widgets = {"customers": forms.CheckboxSelectMultiple, "services": forms.CheckboxSelectMultiple}
        help_texts = {
            "customers": _("Tickets of other customers are refused."),
            "services": _(
                "Tickets of other services are refused, and so is a service the ticket's customer has no agreement on."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = Customer.objects.order_by("name")
        self.fields["services"].queryset = Service.objects.order_by("name")
        if self.instance.pk:
            # The webhook address carries the code: a desk configured with it would stop being heard.
            self.fields["code"].disabled = True


class StateNameForm(forms.Form):
    """One of the desk's own state names and the portal's category of it."""

    # Rows of a table under one heading: each field carries its label for screen readers only.
    name = forms.CharField(
        label=_("State at the desk"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "aria-label": _("State at the desk")}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *TicketCategory.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "aria-label": _("Category")}),
    )

    def clean(self):
        cleaned = super().clean()
        name, category = cleaned.get("name"), cleaned.get("category")
        if name and not category:
            self.add_error("category", _("Choose the category of this state."))
        elif category and not name:
            self.add_error("name", _("Name the desk's state, or leave its category empty."))
        if name in TicketCategory.values:
            self.add_error(
                "name", _("“%(name)s” is a category's own name: events may use it as it is.") % {"name": name}
            )
        return cleaned


class BaseStateNameFormSet(forms.BaseFormSet):
    def clean(self):
        seen = set()
        for form in self.forms:
            name = (getattr(form, "cleaned_data", None) or {}).get("name")
            if not name:
                continue
            if name in seen:
                form.add_error("name", _("“%(name)s” is named twice.") % {"name": name})
            seen.add(name)

    def state_map(self):
        """{desk state name: category} of the filled rows (call after is_valid())."""
        return {
            form.cleaned_data["name"]: form.cleaned_data["category"]
            for form in self.forms
            if form.cleaned_data.get("name")
        }


StateNameFormSet = forms.formset_factory(
    StateNameForm, formset=BaseStateNameFormSet, extra=1, max_num=200, validate_max=True
)


def state_names_formset(data=None, source=None):
    """The rows of a desk's state names, and an empty one below them (the page adds more)."""
    names = sorted((source.state_map if source is not None else {}).items(), key=lambda item: item[0].lower())
    initial = [{"name": name, "category": category} for name, category in names]
    return StateNameFormSet(data, initial=initial, prefix="states")


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]


class AcknowledgeAlertForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.TextInput())


class SilenceAlertForm(forms.Form):
    HOURS = [(1, _("1 hour")), (4, _("4 hours")), (24, _("1 day")), (72, _("3 days")), (0, _("Lift the silence"))]

    hours = forms.TypedChoiceField(label=_("Silence for"), choices=HOURS, coerce=int)


class ReportPeriodForm(forms.Form):
    """The period of an SLA report or a service review pack, as typed: a month "YYYY-MM" or a quarter "YYYY-Qn", not
    after the month running now, and (given an agreement) one in which the agreement was in force. Left empty, the
    default period. ``cleaned_data["period"]`` is a ``ReportPeriod``."""

    period = forms.CharField(label=_("Period"), required=False, max_length=40)

    def __init__(self, data=None, *, agreement=None):
        super().__init__(data)
        self.agreement = agreement

    def refused(self):
        """400 with the reason, as plain text: for a CSV file or a POST asked for a period the form refuses."""
        return HttpResponseBadRequest(" ".join(self.errors["period"]), content_type="text/plain; charset=utf-8")

    def clean_period(self):
        label = self.cleaned_data["period"]
        if not label:
            return parse_period(default_period_label(self.agreement))
        try:
            period = parse_period(label)
        except ValueError:
            example = last_month_label()
            raise forms.ValidationError(
                _(
                    "“%(period)s” is not a period: give a month as YYYY-MM or a quarter as YYYY-Qn, such as "
                    "%(month)s or %(quarter)s."
                ),
                params={"period": label, "month": example, "quarter": quarter_of_month(example)},
            ) from None
        current = this_month_label()
        if period.months[0] > current:
            raise forms.ValidationError(
                _("%(period)s has not begun yet: the latest period is %(current)s."),
                params={"period": period.label, "current": current},
            )
        if self.agreement is not None:
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
        return period
