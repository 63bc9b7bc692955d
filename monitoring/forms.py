"""Forms of the monitoring app, and the indicator choice it adds to the agreement page's target forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.extensions import TargetFormExtension, register_target_form_extension
from monitoring.models import Indicator, TargetIndicator


class IndicatorOnTargetForm(TargetFormExtension):
    """The agreement page's target form gets an "indicator" select; the link is stored as a TargetIndicator."""

    field_name = "indicator"

    def add_fields(self, form):
        form.fields[self.field_name] = forms.ModelChoiceField(
            queryset=Indicator.objects.select_related("service").order_by("service__name", "name"),
            required=False,
            label=_("indicator (SLI)"),
            help_text=_("What this target measures. Without one the target is not evaluated."),
        )
        if form.instance.pk:
            link = TargetIndicator.objects.filter(target=form.instance).select_related("indicator").first()
            if link:
                form.initial.setdefault(self.field_name, link.indicator_id)
                form.fields[self.field_name].initial = link.indicator_id

    def save(self, form, target):
        indicator = form.cleaned_data.get(self.field_name)
        if indicator:
            TargetIndicator.objects.update_or_create(target=target, defaults={"indicator": indicator})
        else:
            TargetIndicator.objects.filter(target=target).delete()


def register_target_extension():
    register_target_form_extension(INDICATOR_ON_TARGET_FORM)


INDICATOR_ON_TARGET_FORM = IndicatorOnTargetForm()
