"""Notices: what customers of a service are told about its maintenance, one row per message; and what an agreement's
contacts are told of a ticket clock's warning points and breach, one row per (clock, event, point) and one delivery
per recipient."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer, MaintenanceWindow
from monitoring.choices import ChannelKind, MaintenanceEvent, NotificationStatus, TicketNoticeEvent
from monitoring.models.alerts import NotificationChannel
from monitoring.models.tickets import TicketClock


class MaintenanceNotice(models.Model):
    """One message about one occurrence of a maintenance window, to one e-mail address or one webhook channel.

    Unique per (window, approval, occurrence start, event, recipient): queued again, it is not sent again; a window
    approved again (after a change of its times) is announced again. Sent the way alert
    notifications are (claimed with a conditional UPDATE, retried, at most once; ``monitoring.notify``).
    """

    window = models.ForeignKey(
        MaintenanceWindow, on_delete=models.CASCADE, related_name="notices", verbose_name=_("maintenance window")
    )
    announced_at = models.DateTimeField(
        _("announced"), help_text=_("The approval the notice belongs to: a window approved again is told again.")
    )
    occurrence_start = models.DateTimeField(_("occurrence starts"))
    occurrence_end = models.DateTimeField(_("occurrence ends"))
    event = models.CharField(_("event"), max_length=10, choices=MaintenanceEvent.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    # An e-mail notice names its address (lower case: a customer's contact and a member with the same address get one
    # message); a webhook notice names its channel.
    address = models.CharField(_("address"), max_length=500, blank=True)
    channel = models.ForeignKey(
        NotificationChannel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="maintenance_notices",
        verbose_name=_("channel"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        help_text=_("Whose contact or channel it is; empty for a channel of the service or of everything."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("maintenance notice")
        verbose_name_plural = _("maintenance notices")
        constraints = [
            models.UniqueConstraint(
                fields=["window", "announced_at", "occurrence_start", "event", "address"],
                condition=models.Q(channel__isnull=True),
                name="maintenance_notice_once_per_address",
            ),
            models.UniqueConstraint(
                fields=["window", "announced_at", "occurrence_start", "event", "channel"],
                condition=models.Q(channel__isnull=False),
                name="maintenance_notice_once_per_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=ChannelKind.EMAIL, channel__isnull=True) & ~models.Q(address="")
                | ~models.Q(kind=ChannelKind.EMAIL) & models.Q(channel__isnull=False, address=""),
                name="maintenance_notice_address_or_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(event__in=MaintenanceEvent.values), name="maintenance_notice_event"
            ),
        ]

    def __str__(self):
        return f"{self.window} {self.occurrence_start:%Y-%m-%d %H:%M} → {self.recipient}: {self.event} ({self.status})"

    @property
    def recipient(self):
        return self.address or str(self.channel)


class TicketNotice(models.Model):
    """That a ticket clock reached a warning point (``point``: percent of its goal) or breached its goal (``point``
    100), to be told once: unique per (clock, event, point), so a clock reopened that breaches again, or a warning
    point reached again after a priority change, is not told again. Its figures are those of the instant it was
    queued; ``send_after`` is the first working instant of the ticket indicator's calendar from then on (a notice due
    at 21:00 waits until 09:00)."""

    clock = models.ForeignKey(TicketClock, on_delete=models.CASCADE, related_name="notices", verbose_name=_("clock"))
    event = models.CharField(_("event"), max_length=10, choices=TicketNoticeEvent.choices)
    point = models.DecimalField(_("% of the goal"), max_digits=6, decimal_places=2)
    reached_at = models.DateTimeField(_("reached"))
    priority = models.CharField(_("priority"), max_length=20)
    goal = models.DurationField(_("goal"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    send_after = models.DateTimeField(_("sent from"))
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket notice")
        verbose_name_plural = _("ticket notices")
        constraints = [
            models.UniqueConstraint(fields=["clock", "event", "point"], name="ticket_notice_once"),
            models.CheckConstraint(condition=models.Q(event__in=TicketNoticeEvent.values), name="ticket_notice_event"),
        ]

    def __str__(self):
        return f"{self.clock} {self.event} {self.point} %"


class TicketNoticeDelivery(models.Model):
    """One ticket notice to one e-mail address or one webhook channel; sent the way alert notifications are (claimed
    with a conditional UPDATE, retried, at most once; ``monitoring.notify``)."""

    notice = models.ForeignKey(TicketNotice, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    address = models.CharField(_("address"), max_length=500, blank=True)
    channel = models.ForeignKey(
        NotificationChannel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ticket_notices",
        verbose_name=_("channel"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        help_text=_("Whose contact or channel it is; empty for the agreement owner or a channel of the service."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["notice", "pk"]
        verbose_name = _("ticket notice delivery")
        verbose_name_plural = _("ticket notice deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "address"],
                condition=models.Q(channel__isnull=True),
                name="ticket_notice_once_per_address",
            ),
            models.UniqueConstraint(
                fields=["notice", "channel"],
                condition=models.Q(channel__isnull=False),
                name="ticket_notice_once_per_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=ChannelKind.EMAIL, channel__isnull=True) & ~models.Q(address="")
                | ~models.Q(kind=ChannelKind.EMAIL) & models.Q(channel__isnull=False, address=""),
                name="ticket_notice_address_or_channel",
            ),
        ]

    def __str__(self):
        return f"{self.notice} → {self.recipient} ({self.status})"

    @property
    def recipient(self):
        return self.address or str(self.channel)
