"""Forms for customers, services and business calendars."""

import datetime as dt
from itertools import count

from django import forms
from django.db import transaction
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from agreements.models import BusinessCalendar, Customer, Holiday, Service, WorkingPeriod
from core.formatting import by_name, person_name


class CodeLockedOnEditMixin:
    """Codes appear in URLs, reports and the API: they are set once, at creation, and then shown read-only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "code" in self.fields:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change once created.")


class ShiftSafeSaveMixin:
    """Lets an inline formset shift or swap values its table keeps unique (a tier's threshold, a holiday's date).

    Django saves changed rows one by one in form order: moving one row to 99 while the row at 99 moves to 98.5, or
    swapping two values, meets a row not yet saved and breaks the unique constraint (a 500 for a valid edit). So
    deleted rows go first, and the rows whose unique value changes are parked on free values with QuerySet.update()
    (no signals, so no history entry) before Django saves them with their new values.
    """

    shiftable_fields = ()

    def parking_places(self):
        """Endless field updates, each parking one row clear of every saved and submitted value (see taken_values)."""
        raise NotImplementedError

    def taken_values(self, field_name):
        submitted = {form.cleaned_data.get(field_name) for form in self.forms if getattr(form, "cleaned_data", None)}
        return set(self.get_queryset().values_list(field_name, flat=True)) | submitted

    def save(self, commit=True):
        if commit:
            for form in self.deleted_forms:
                if form in self.initial_forms and form.instance.pk is not None:
                    form.instance.delete()  # clears the pk, so super().save() skips the row
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk is not None and set(self.shiftable_fields) & set(form.changed_data)
            ]
            if moving:
                places = self.parking_places()
                for pk in moving:
                    self.model._default_manager.filter(pk=pk).update(**next(places))
        return super().save(commit)


class CustomerForm(CodeLockedOnEditMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "code",
            "contact_name",
            "contact_email",
            "contact_phone",
            "language",
            "email_domains",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ServiceForm(CodeLockedOnEditMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "code", "description", "owner", "criticality", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].label_from_instance = person_name
        self.fields["owner"].queryset = by_name(self.fields["owner"].queryset)


class BusinessCalendarForm(CodeLockedOnEditMixin, forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "code", "time_zone", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class WorkingPeriodForm(forms.ModelForm):
    class Meta:
        model = WorkingPeriod
        fields = ["weekday", "start", "end"]
        widgets = {
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None and end <= start and end.hour + end.minute + end.second != 0:
            self.add_error("end", _("The end must be after the start (00:00 means midnight at the end of the day)."))
        return cleaned


def _minutes(value, end=False):
    minutes = value.hour * 60 + value.minute + value.second / 60
    return 24 * 60 if end and minutes == 0 else minutes


class BaseWorkingPeriodFormSet(ShiftSafeSaveMixin, BaseInlineFormSet):
    shiftable_fields = ("weekday", "start")

    def parking_places(self):
        # A start with seconds, ending at midnight: passes the table's checks and no HH:MM period starts there.
        taken = self.taken_values("start")
        starts = (dt.time(0, minute, second) for minute in range(60) for second in range(1, 60))
        return ({"start": start, "end": dt.time(0)} for start in starts if start not in taken)

    def clean(self):
        super().clean()
        by_day = {}
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            day, start, end = (form.cleaned_data.get(key) for key in ("weekday", "start", "end"))
            if day is None or start is None or end is None:
                continue
            by_day.setdefault(day, []).append((_minutes(start), _minutes(end, end=True), form))
        for periods in by_day.values():
            periods.sort(key=lambda item: item[0])
            for (_start, previous_end, _form), (start, _end, form) in zip(periods, periods[1:], strict=False):
                if start < previous_end:
                    form.add_error("start", _("This period overlaps another one on the same day."))


WorkingPeriodFormSet = inlineformset_factory(
    BusinessCalendar, WorkingPeriod, form=WorkingPeriodForm, formset=BaseWorkingPeriodFormSet, extra=1, can_delete=True
)


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class BaseHolidayFormSet(ShiftSafeSaveMixin, BaseInlineFormSet):
    shiftable_fields = ("date",)

    def parking_places(self):
        taken = self.taken_values("date")
        days = (dt.date(1, 1, 1) + dt.timedelta(days=number) for number in count())
        return ({"date": day} for day in days if day not in taken)


HolidayFormSet = inlineformset_factory(
    BusinessCalendar, Holiday, form=HolidayForm, formset=BaseHolidayFormSet, extra=1, can_delete=True
)


def save_calendar(form, formsets):
    """The calendar page's save, all or nothing: the calendar, then its working periods and holidays (``formsets``,
    valid, bound to the form's calendar or a new one)."""
    with transaction.atomic():
        calendar = form.save()
        for formset in formsets:
            formset.instance = calendar
            formset.save()
    return calendar
