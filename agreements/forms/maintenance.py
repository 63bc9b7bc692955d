"""Planning a maintenance window, and recording an exclusion the customer agreed to.

Times are typed in the portal's time zone, as on every form of the portal, and the field says which zone that is.
The rules themselves (an end after the start, no overlap, a recurrence that repeats, no closed period) are the
models' ``clean()``: the form shows each under the field it concerns.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.choices import MaintenanceStatus, ServiceStatus
from agreements.models import BusinessCalendar, Exclusion, MaintenanceWindow, Service

MOMENT_WIDGET = {"type": "datetime-local"}
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def moment_input():
    return forms.DateTimeInput(attrs=MOMENT_WIDGET, format=MOMENT_FORMAT)


def name_the_zone(form, *names):
    """Say in each moment field's help which zone its time is read in (the portal's, the request's current one)."""
    zone = timezone.get_current_timezone_name()
    for name in names:
        form.fields[name].help_text = _("Date and time in %(zone)s.") % {"zone": zone}


class CalendarZoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.time_zone})"


# Changing any of these on an approved window changes what was announced: it is planned again, and must be approved
# again (the notice counts from the new approval).
TIMING_FIELDS = ("service", "starts_at", "ends_at", "recurrence", "repeat_until", "calendar")


def send_back_if_retimed(window, changed_data):
    """Put an approved ``window`` whose timing changed back to planned, its approval cleared (not saved). True when
    it did."""
    if window.status != MaintenanceStatus.APPROVED or not any(name in changed_data for name in TIMING_FIELDS):
        return False
    if not window.adds_occurrences():
        return False  # ended earlier: the occurrences left were announced already
    window.status, window.approved_by, window.approved_at = MaintenanceStatus.PLANNED, None, None
    return True


def save_window(form, user):
    """Store a valid window form as its page does: a new window records who planned it (``user``), and an approved
    one whose timing changed is planned again (``send_back_if_retimed``). Returns (the window, whether it was sent
    back)."""
    window = form.save(commit=False)
    if window.pk is None:
        window.created_by = user
    sent_back = send_back_if_retimed(window, form.changed_data)
    window.save()
    return window, sent_back


class MaintenanceWindowForm(forms.ModelForm):
    class Meta:
        model = MaintenanceWindow
        fields = [
            "service",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "recurrence",
            "repeat_until",
            "calendar",
            "customer_visible",
        ]
        field_classes = {"calendar": CalendarZoneChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_at": moment_input(),
            "ends_at": moment_input(),
            "repeat_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        services = Service.objects.for_user(user).exclude(status=ServiceStatus.RETIRED)
        if self.instance.service_id:
            services = Service.objects.for_user(user).filter(
                Q(pk__in=services.values("pk")) | Q(pk=self.instance.service_id)
            )
        self.fields["service"].queryset = services.order_by("name")
        self.fields["calendar"].queryset = BusinessCalendar.objects.order_by("name")
        self.fields["calendar"].label = _("Repeats in the time zone of")
        self.fields["calendar"].empty_label = _("The portal's zone (%(zone)s)") % {
            "zone": timezone.get_current_timezone_name()
        }
        name_the_zone(self, "starts_at", "ends_at")


def record_exclusion(form, user):
    """Store a valid exclusion form as its page does, with who recorded it."""
    exclusion = form.save(commit=False)
    exclusion.recorded_by = user
    exclusion.save()
    return exclusion


class ExclusionForm(forms.ModelForm):
    class Meta:
        model = Exclusion
        fields = ["service", "starts_at", "ends_at", "reason", "description", "customer_agreement"]
        widgets = {
            "starts_at": moment_input(),
            "ends_at": moment_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        self.fields["service"].queryset = agreement.services.order_by("name")
        name_the_zone(self, "starts_at", "ends_at")
