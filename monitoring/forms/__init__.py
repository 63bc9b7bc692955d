"""Forms of the monitoring app, and the indicator choice it adds to the agreement page's target forms. The indicator
form, with a ticket indicator's goals, is in ``monitoring.forms.indicators``."""

import datetime as dt

from django import forms
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.choices import BudgetingMethod
from agreements.extensions import TargetFormExtension
from agreements.models import Customer, Service
from monitoring.choices import TicketCategory, TokenScope
from monitoring.forms.indicators import IndicatorForm  # noqa: F401 - the forms are found here, as before
from monitoring.kinds import JUDGED
from monitoring.models import ApiToken, DataSource, HttpProbe, Indicator, TargetIndicator, TicketSource
from monitoring.readout.reports import (
    default_period_label,
    last_month_label,
    months_in_force,
    parse_period,
    this_month_label,
)
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

    def save_with_token(self, created_by):
        """A new data source, made by ``created_by``, with its first token: returns (source, token). The token is
        shown this once (on the page, or in the API's answer); only its hash is kept."""
        with transaction.atomic():
            source = self.save(commit=False)
            source.created_by = created_by
            token = source.issue_token()
            source.save()
            self.save_m2m()
        return source, token


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

    def save_with_token(self, created_by, state_map=None):
        """A new service desk, made by ``created_by``, with its state names and its first token and signing key:
        returns (desk, token). Both are shown this once; only the token's hash is kept, the key is derived."""
        with transaction.atomic():
            source = self.save(commit=False)
            source.created_by = created_by
            source.state_map = state_map or {}
            token = source.issue_token()
            source.save()
            self.save_m2m()
        return source, token


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
    """A new personal API token: its name, its scope (read only unless chosen) and how long it lasts (90 days unless
    chosen). A post that leaves the scope or the expiry out gets these defaults, as the page shows them chosen."""

    LIFETIMES = {"30": dt.timedelta(days=30), "90": dt.timedelta(days=90), "365": dt.timedelta(days=365), "never": None}
    DEFAULT_SCOPE, DEFAULT_LIFETIME = TokenScope.READ, "90"

    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=TokenScope.choices,
        initial=DEFAULT_SCOPE,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A token never does more than you may: read and write lets it change only what you can change yourself; "
            "read only keeps it to reading."
        ),
    )
    lifetime = forms.ChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("in 30 days")),
            ("90", _("in 90 days")),
            ("365", _("in 1 year")),
            ("never", pgettext_lazy("token expiry", "never")),
        ],
        initial=DEFAULT_LIFETIME,
        required=False,
        help_text=_("After it expires the token answers 401; make a new one then."),
    )

    class Meta:
        model = ApiToken
        fields = ["name"]

    def clean_scope(self):
        return self.cleaned_data["scope"] or self.DEFAULT_SCOPE

    def clean_lifetime(self):
        return self.cleaned_data["lifetime"] or self.DEFAULT_LIFETIME

    def save(self, commit=True):
        self.instance.scope = self.cleaned_data["scope"]
        lifetime = self.LIFETIMES[self.cleaned_data["lifetime"]]
        self.instance.expires_at = None if lifetime is None else timezone.now() + lifetime
        return super().save(commit)


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
