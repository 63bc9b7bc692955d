"""Forms of Prometheus sources: the source (its secret written once, never shown), a query, and a backfill."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from monitoring.choices import PrometheusAuth
from monitoring.kinds import PUSHED
from monitoring.models import Indicator, PrometheusQuery, PrometheusSource

MAX_BACKFILL = dt.timedelta(days=400)


class PrometheusSourceForm(forms.ModelForm):
    """The token or password is written here and kept encrypted; the field is always empty when shown."""

    base_url = forms.URLField(label=capfirst(_("base URL")), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=capfirst(_("token or password")),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Kept encrypted and never shown again. Leave empty to keep the one saved."),
    )

    class Meta:
        model = PrometheusSource
        fields = [
            "name",
            "code",
            "base_url",
            "auth",
            "username",
            "secret",
            "secret_env",
            "timeout_seconds",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_url"].help_text = PrometheusSource._meta.get_field("base_url").help_text
        if self.instance.pk:
            self.fields["code"].disabled = True
            if self.instance.secret_encrypted:
                self.fields["secret"].help_text = _(
                    "A secret is saved (not shown). Type a new one to replace it, or leave empty to keep it."
                )

    def clean(self):
        data = super().clean()
        auth = data.get("auth")
        if auth and auth != PrometheusAuth.NONE:
            has_secret = data.get("secret") or data.get("secret_env") or self.instance.secret_encrypted
            if not has_secret:
                self.add_error(
                    "secret", _("This authentication needs a token or password, or an environment variable.")
                )
        return data

    def save(self, commit=True):
        source = super().save(commit=False)
        if source.auth == PrometheusAuth.NONE or source.secret_env:
            source.set_secret("")  # nothing kept that is not used
        elif self.cleaned_data.get("secret"):
            source.set_secret(self.cleaned_data["secret"])
        if commit:
            source.save()
        return source


class PrometheusQueryForm(forms.ModelForm):
    class Meta:
        model = PrometheusQuery
        fields = ["indicator", "good_query", "total_query", "value_query"]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in ["good_query", "total_query", "value_query"]}

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.source = source
        # An indicator is fed by one Prometheus query at most; ticket indicators are counted from tickets.
        taken = PrometheusQuery.objects.exclude(pk=self.instance.pk).values("indicator_id")
        self.fields["indicator"].queryset = (
            Indicator.objects.filter(kind__in=PUSHED).exclude(pk__in=taken).select_related("service").order_by("code")
        )
        if self.instance.pk:
            self.fields["indicator"].disabled = True


class BackfillForm(forms.Form):
    start = forms.DateTimeField(label=capfirst(_("from")), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=capfirst(_("to")), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return data
        if end <= start:
            raise ValidationError(_("The end must be after the start."))
        if end > timezone.now():
            raise ValidationError(_("The end must not be in the future."))
        if end - start > MAX_BACKFILL:
            raise ValidationError(_("At most 400 days at once."))
        return data
