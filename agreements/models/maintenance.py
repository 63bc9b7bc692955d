"""Planned maintenance of a service, and exclusions an agreement's customer agreed to after the fact.

Which of their time an agreement excludes is worked out in ``agreements.maintenance`` (plain Python): the agreement
states the notice and the monthly cap, a window is announced when it is approved.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements import maintenance
from agreements.choices import (
    MAINTENANCE_TRANSITIONS,
    ExclusionReason,
    MaintenanceStatus,
    Recurrence,
)
from agreements.extensions import closed_periods
from agreements.models.agreements import Agreement
from agreements.models.business_calendars import BusinessCalendar
from agreements.models.catalogue import Service
from core.tenancy import TenantQuerySet
from core.workflow import WorkflowMixin


def closed_period_problems(service, start, end, agreement=None):
    """Why [start, end) may not be excluded for ``service`` (under ``agreement``, or any): it reaches into a period
    whose results are closed. Closed periods never change: a list of messages, empty when none is touched."""
    labels = []
    for extension in closed_periods:
        labels += extension.closed_periods(service, start, end, agreement)
    if not labels:
        return []
    return [
        _("It reaches into a closed period (%(periods)s): the results of a closed period never change.")
        % {"periods": ", ".join(sorted(set(labels)))}
    ]


def shown(instant, time_zone=None):
    """An instant as the pages write one, in ``time_zone`` (the portal's by default) with the zone named."""
    local = timezone.localtime(instant, ZoneInfo(time_zone) if time_zone else None)
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


def minute(instant):
    return instant.replace(second=0, microsecond=0) if instant else instant


class MaintenanceWindowQuerySet(TenantQuerySet):
    customer_path = "service__agreements__customer"
    customer_path_is_many = True

    def for_user(self, user):
        rows = super().for_user(user)
        if not user.has_perm("agreements.view_maintenancewindow"):
            rows = rows.filter(customer_visible=True)  # a customer never sees a window kept from customers
        return rows

    def counting(self):
        """Windows whose time an agreement may exclude: approved ones, and completed ones."""
        return self.filter(status__in=[MaintenanceStatus.APPROVED, MaintenanceStatus.COMPLETED])


class MaintenanceWindow(WorkflowMixin, models.Model):
    """Planned work on a service: once, or repeating every week or month in a calendar's time zone."""

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="maintenance_windows", verbose_name=_("service")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("What is done, and what users notice."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    recurrence = models.CharField(_("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE)
    repeat_until = models.DateField(
        _("repeats until"), null=True, blank=True, help_text=_("The last local date an occurrence may start on.")
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("time zone of"),
        help_text=_("A repeating window keeps its local time in this calendar's time zone. Empty: the portal's."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MaintenanceStatus.choices,
        default=MaintenanceStatus.PLANNED,
        editable=False,
    )
    customer_visible = models.BooleanField(
        _("customers see it"),
        default=True,
        help_text=_(
            "Customers of the service see it, and are told when it is approved, before it starts and when it ends."
        ),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = MaintenanceWindowQuerySet.as_manager()

    status_choices = MaintenanceStatus
    transitions = MAINTENANCE_TRANSITIONS
    refused_transition_message = _("A maintenance window cannot go from %(old)s to %(new)s.")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="maintenance_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(recurrence=Recurrence.NONE) | models.Q(repeat_until__isnull=False),
                name="maintenance_repeat_has_until",
            ),
            models.CheckConstraint(condition=models.Q(status__in=MaintenanceStatus.values), name="maintenance_status"),
            models.CheckConstraint(condition=models.Q(recurrence__in=Recurrence.values), name="maintenance_recurrence"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.starts_at, self.ends_at = minute(self.starts_at), minute(self.ends_at)
        if self.recurrence == Recurrence.NONE:
            self.repeat_until = None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("agreements:maintenance_detail", kwargs={"pk": self.pk})

    @property
    def time_zone(self):
        return self.calendar.time_zone if self.calendar_id else settings.TIME_ZONE

    @property
    def schedule(self):
        return maintenance.Schedule(
            start=self.starts_at,
            end=self.ends_at,
            recurrence=self.recurrence,
            time_zone=self.time_zone,
            repeat_until=self.repeat_until if self.recurrence != Recurrence.NONE else None,
        )

    @property
    def facts(self):
        """What the exclusion rules read: an unapproved window is never announced."""
        counting = self.status in (MaintenanceStatus.APPROVED, MaintenanceStatus.COMPLETED)
        return maintenance.WindowFacts(self.pk, self.title, self.schedule, self.approved_at if counting else None)

    @property
    def last_end(self):
        return self.schedule.last_end

    def upcoming(self, now=None, until=None):
        """Occurrences not over yet at ``now``."""
        return self.schedule.occurrences(since=now or timezone.now(), until=until)

    @property
    def is_editable(self):
        return self.status in (MaintenanceStatus.PLANNED, MaintenanceStatus.APPROVED)

    def editing_problems(self):
        """Why the window cannot be edited now: a list of messages, empty when it can."""
        return [] if self.is_editable else [_("A completed or cancelled maintenance window cannot be edited.")]

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and minute(self.ends_at) <= minute(self.starts_at):
            errors["ends_at"] = _("The window must end after it starts.")
        if self.recurrence != Recurrence.NONE:
            if not self.repeat_until:
                errors["repeat_until"] = _("A repeating window needs the date it repeats until.")
            elif self.starts_at and self.ends_at and not errors:
                occurrences = self.schedule.occurrences()
                if len(occurrences) < 2:
                    errors["repeat_until"] = _(
                        "With this date the window never repeats: it occurs only once. Choose a later date, or "
                        "“Does not repeat”."
                    )
                elif self.recurrence == Recurrence.WEEKLY and self.ends_at - self.starts_at > dt.timedelta(days=7):
                    errors["ends_at"] = _("A window that repeats every week must be shorter than a week.")
                elif self.recurrence == Recurrence.MONTHLY and self.ends_at - self.starts_at > dt.timedelta(days=28):
                    errors["ends_at"] = _("A window that repeats every month must be shorter than 28 days.")
        if errors:
            raise ValidationError(errors)
        if self.service_id and self.starts_at and self.ends_at:  # a missing one has its own "required" error
            self._check_overlap()
            changed = self.changed_occurrences()
            if not changed:
                return  # the title, the description or who sees it: nothing that counts
            if self.pk and any(start < timezone.now() for start, _end in changed):
                raise ValidationError(
                    {
                        "starts_at": _(
                            "Occurrences that have begun cannot change. To stop a repeating window, set its last "
                            "date (repeats until) to today or later; to change the times ahead, end it and plan a "
                            "new window."
                        )
                    }
                )
            problems = closed_period_problems(
                self.service, min(start for start, _end in changed), max(end for _start, end in changed)
            )
            if problems:
                raise ValidationError({"starts_at": problems})

    def _stored(self):
        if not self.pk:
            return None
        return MaintenanceWindow.objects.filter(pk=self.pk).select_related("calendar").first()

    def changed_occurrences(self):
        """The occurrences this row adds or removes compared with the stored one (all of them for a new row, or when
        the service changes): only these can change what a period counts."""
        mine = {(minute(start), minute(end)) for start, end in self.schedule.occurrences()}
        stored = self._stored()
        if stored is None or stored.service_id != self.service_id:
            return mine | (set(stored.schedule.occurrences()) if stored else set())
        return mine ^ set(stored.schedule.occurrences())

    def adds_occurrences(self):
        """True when the row, as edited, has an occurrence the stored one does not: customers must be told again.
        Ending a repeating window earlier only removes occurrences ahead, and keeps its approval."""
        stored = self._stored()
        if stored is None or stored.service_id != self.service_id:
            return True
        mine = {(minute(start), minute(end)) for start, end in self.schedule.occurrences()}
        return bool(mine - set(stored.schedule.occurrences()))

    def _check_overlap(self):
        mine = self.schedule.occurrences()
        since, until = mine[0][0], mine[-1][1]
        others = (
            MaintenanceWindow.objects.filter(service_id=self.service_id, starts_at__lt=until)
            .exclude(status=MaintenanceStatus.CANCELLED)
            .exclude(pk=self.pk)
        )
        intervals = maintenance.merged(mine)
        for other in others:
            for start, end in other.schedule.occurrences(since, until):
                if maintenance.overlap(intervals, start, end):
                    message = _("It overlaps “%(title)s” of the same service (%(start)s to %(end)s).")
                    raise ValidationError(
                        {
                            "starts_at": message
                            % {
                                "title": other.title,
                                "start": shown(start, other.time_zone),
                                "end": shown(end, other.time_zone),
                            }
                        }
                    )

    def precondition_problems(self, new_status, **details):
        now = details.get("now") or timezone.now()
        if new_status == MaintenanceStatus.APPROVED and self.last_end <= now:
            return [_("A window that is over cannot be approved: its time counted like any other.")]
        if new_status == MaintenanceStatus.COMPLETED and self.last_end > now:
            return [_("A window is completed once its last occurrence has ended.")]
        if new_status == MaintenanceStatus.CANCELLED and self.starts_at <= now:
            # Its occurrences so far happened: cancelling would rewrite what they counted.
            return [
                _(
                    "A window that has begun cannot be cancelled. To stop a repeating window, set its last date "
                    "(repeats until) on its edit page."
                )
            ]
        return []

    def record_transition(self, locked, new_status, **details):
        self.status = new_status
        fields = ["status", "updated_at"]
        if new_status == MaintenanceStatus.APPROVED:
            self.approved_by = details.get("user")
            self.approved_at = details.get("now") or timezone.now()
            fields += ["approved_by", "approved_at"]
        self.save(update_fields=fields)


class ExclusionQuerySet(TenantQuerySet):
    customer_path = "agreement__customer"


class Exclusion(models.Model):
    """An interval an agreement's customer agreed not to count (an outage they caused, force majeure)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="exclusions", verbose_name=_("agreement")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=20, choices=ExclusionReason.choices)
    description = models.TextField(_("what happened"))
    customer_agreement = models.CharField(
        _("agreed by the customer"),
        max_length=300,
        help_text=_("Who at the customer agreed, and how (for example: J. Kim, e-mail of 20 November)."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ExclusionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="exclusion_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(reason__in=ExclusionReason.values), name="exclusion_reason"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.starts_at, self.ends_at = minute(self.starts_at), minute(self.ends_at)
        super().save(*args, **kwargs)

    def deletion_problems(self):
        """Why the exclusion cannot be taken back: it reaches into a closed period (whose results never change)."""
        return closed_period_problems(self.service, self.starts_at, self.ends_at, self.agreement)

    @property
    def facts(self):
        return maintenance.AgreedExclusion(self.pk, self.starts_at, self.ends_at, self.reason, self.description)

    def clean(self):
        if self.starts_at and self.ends_at and minute(self.ends_at) <= minute(self.starts_at):
            raise ValidationError({"ends_at": _("The exclusion must end after it starts.")})
        if self.agreement_id and self.service_id:
            if not self.agreement.services.filter(pk=self.service_id).exists():
                raise ValidationError({"service": _("The agreement does not cover this service.")})
            if self.ends_at and self.ends_at > timezone.now():
                raise ValidationError(
                    {"ends_at": _("An exclusion records what has happened: it cannot end later than now.")}
                )
            if not (self.starts_at and self.ends_at):
                return  # a missing one has its own "required" error
            problems = closed_period_problems(
                self.service, minute(self.starts_at), minute(self.ends_at), self.agreement
            )
            if problems:
                raise ValidationError({"starts_at": problems})


def excluded_parts(pairs, since, until):
    """How each (agreement, service id) of ``pairs`` counts the maintenance and exclusions that overlap [since,
    until): {(agreement id, service id): [maintenance.Part, oldest first]}. Two queries, whatever the number of
    pairs."""
    pairs = list(pairs)
    result = {(agreement.pk, service_id): [] for agreement, service_id in pairs}
    if not pairs:
        return result
    service_ids = {service_id for _agreement, service_id in pairs}
    windows = {}
    for window in (
        MaintenanceWindow.objects.counting()
        .filter(service_id__in=service_ids, starts_at__lt=until)
        .filter(models.Q(ends_at__gt=since - dt.timedelta(days=32)) | ~models.Q(recurrence=Recurrence.NONE))
        .select_related("calendar")
    ):
        windows.setdefault(window.service_id, []).append(window.facts)
    exclusions = {}
    for exclusion in Exclusion.objects.filter(
        agreement_id__in={agreement.pk for agreement, _service in pairs}, starts_at__lt=until, ends_at__gt=since
    ):
        exclusions.setdefault((exclusion.agreement_id, exclusion.service_id), []).append(exclusion.facts)
    for agreement, service_id in pairs:
        parts = []
        if windows.get(service_id):
            parts = [
                part
                for part in maintenance.window_parts(
                    windows[service_id],
                    agreement.maintenance_notice,
                    agreement.maintenance_cap_minutes,
                    settings.TIME_ZONE,
                    since,
                    until,
                )
                if part.end > since and part.start < until
            ]
        parts += maintenance.exclusion_parts(exclusions.get((agreement.pk, service_id), ()))
        result[(agreement.pk, service_id)] = sorted(parts, key=lambda part: (part.start, part.end))
    return result
