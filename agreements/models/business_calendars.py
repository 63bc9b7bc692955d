"""Business calendars: a time zone, weekly working hours and holidays, used as a target's service hours."""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.calendars import WorkingCalendar
from agreements.choices import Weekday
from core.tenancy import TenantQuerySet
from core.validators import validate_code_not_reserved


def validate_time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value}) from None


class BusinessCalendarQuerySet(TenantQuerySet):
    customer_path = "targets__agreement__customer"
    customer_path_is_many = True

    def with_hours(self):
        return self.prefetch_related("working_periods", "holidays")


class BusinessCalendar(models.Model):
    """When a service is supported: weekly hours in a time zone, minus holidays."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True, validators=[validate_code_not_reserved])
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Seoul", validators=[validate_time_zone])
    description = models.TextField(_("description"), blank=True)

    objects = BusinessCalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agreements:calendar_detail", kwargs={"code": self.code})

    def as_working_calendar(self):
        """The plain-Python calendar for business-hours arithmetic (uses prefetched rows when present)."""
        weekly = {}
        for period in self.working_periods.all():
            weekly.setdefault(period.weekday, []).append((period.start, period.end))
        return WorkingCalendar(
            time_zone=self.time_zone,
            weekly_hours={day: sorted(intervals) for day, intervals in weekly.items()},
            holidays=frozenset(holiday.date for holiday in self.holidays.all()),
        )


class WorkingPeriod(models.Model):
    """Working hours on one weekday, local time of the calendar. An end of 00:00 means midnight at the day's end."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_periods", verbose_name=_("calendar")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__gte=0, weekday__lte=6), name="working_period_weekday"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")) | models.Q(end=datetime.time(0, 0)),
                name="working_period_end_after_start",
            ),
            models.UniqueConstraint(fields=["calendar", "weekday", "start"], name="working_period_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"
