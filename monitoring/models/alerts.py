"""Burn-rate alert rules (data, editable in admin), alerts, notification channels and notifications."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Service, ServiceLevelTarget
from core.tenancy import TenantQuerySet
from monitoring.choices import AlertState, ChannelKind, NotificationStatus, Severity


class BurnRateRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class BurnRateRule(models.Model):
    """Fires when the burn rate is at or over ``threshold`` in both the long and the short look-back window."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    long_window_minutes = models.PositiveIntegerField(_("long window (minutes)"), validators=[MinValueValidator(1)])
    short_window_minutes = models.PositiveIntegerField(_("short window (minutes)"), validators=[MinValueValidator(1)])
    threshold = models.DecimalField(
        _("burn rate threshold"), max_digits=8, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = BurnRateRuleQuerySet.as_manager()

    class Meta:
        ordering = ["long_window_minutes"]
        verbose_name = _("burn-rate alert rule")
        verbose_name_plural = _("burn-rate alert rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(short_window_minutes__lt=models.F("long_window_minutes")),
                name="burn_rule_short_window_shorter",
            ),
            models.CheckConstraint(condition=models.Q(threshold__gt=0), name="burn_rule_threshold_positive"),
        ]

    def __str__(self):
        return f"{self.name}: {self.threshold}× over {self.long_window_minutes} and {self.short_window_minutes} min"

    def clean(self):
        if (
            self.short_window_minutes
            and self.long_window_minutes
            and self.short_window_minutes >= self.long_window_minutes
        ):
            raise ValidationError({"short_window_minutes": _("The short window must be shorter than the long one.")})


class AlertQuerySet(TenantQuerySet):
    customer_path = "target__agreement__customer"

    def firing(self):
        return self.filter(state=AlertState.FIRING)


class Alert(models.Model):
    """A burn-rate alert of a target under a rule: firing until the rule's condition no longer holds."""

    target = models.ForeignKey(ServiceLevelTarget, on_delete=models.CASCADE, related_name="alerts")
    rule = models.ForeignKey(BurnRateRule, on_delete=models.PROTECT, related_name="alerts")
    state = models.CharField(_("state"), max_length=10, choices=AlertState.choices, default=AlertState.FIRING)
    started_at = models.DateTimeField(_("started"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    long_burn = models.DecimalField(_("burn rate (long window)"), max_digits=20, decimal_places=6, null=True)
    short_burn = models.DecimalField(_("burn rate (short window)"), max_digits=20, decimal_places=6, null=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledgement = models.TextField(_("note"), blank=True)
    silenced_until = models.DateTimeField(
        _("silenced until"), null=True, blank=True, help_text=_("No notifications are sent for it until then.")
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        permissions = [("acknowledge_alert", _("Can acknowledge and silence alerts"))]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "rule"],
                condition=models.Q(state=AlertState.FIRING),
                name="alert_one_firing_per_target_rule",
            ),
        ]

    def __str__(self):
        return f"{self.rule.name} on {self.target}: {self.get_state_display()}"

    def acknowledge(self, person, note="", at=None):
        """Someone is on it: who, when, and a note for the others (the alert page and the API)."""
        self.acknowledged_by, self.acknowledged_at = person, at or timezone.now()
        self.acknowledgement = note
        self.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement"])

    def silence(self, hours, at=None):
        """No notifications for ``hours`` from now; 0 hours lifts the silence (the alert page and the API)."""
        self.silenced_until = (at or timezone.now()) + dt.timedelta(hours=hours) if hours else None
        self.save(update_fields=["silenced_until"])

    def is_silenced(self, at=None):
        return self.silenced_until is not None and self.silenced_until > (at or timezone.now())

    @property
    def silenced(self):
        return self.is_silenced()


class NotificationChannel(models.Model):
    """Where alerts go: an e-mail address or a webhook, for one agreement, one service, or (neither) everything."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    address = models.CharField(
        _("address"), max_length=500, help_text=_("An e-mail address, or the webhook's https:// URL.")
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="notification_channels"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="notification_channels"
    )
    minimum_severity = models.CharField(
        _("minimum severity"), max_length=10, choices=Severity.choices, default=Severity.TICKET
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(agreement__isnull=False, service__isnull=False),
                name="channel_agreement_or_service",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self):
        from django.core.validators import EmailValidator, URLValidator

        if self.agreement_id and self.service_id:
            raise ValidationError(_("A channel serves one agreement or one service, not both."))
        validator = EmailValidator() if self.kind == ChannelKind.EMAIL else URLValidator(schemes=["http", "https"])
        try:
            validator(self.address)
        except ValidationError as error:
            raise ValidationError({"address": error.messages}) from None

    def accepts(self, severity):
        return self.minimum_severity == Severity.TICKET or severity == Severity.PAGE


class Notification(models.Model):
    """One message about one alert event on one channel; never sent twice."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=10, choices=AlertState.choices)
    # The burn rates as they were at the event: a notification sent later (a retry, a busy worker) tells what fired
    # or resolved, not what the alert says by then.
    long_burn = models.DecimalField(_("burn rate (long window)"), max_digits=20, decimal_places=6, null=True)
    short_burn = models.DecimalField(_("burn rate (short window)"), max_digits=20, decimal_places=6, null=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel", "event"], name="notification_once_per_event"),
        ]

    def __str__(self):
        return f"{self.alert} → {self.channel}: {self.event} ({self.status})"
