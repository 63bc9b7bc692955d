from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.choices import BudgetingMethod
from core.statuses import Palette


class Operator(models.TextChoices):
    LT = "lt", "<"
    LTE = "lte", "≤"
    GT = "gt", ">"
    GTE = "gte", "≥"
    EQ = "eq", "="


class SnapshotStatus(models.TextChoices):
    MET = "met", _("Met")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    NO_DATA = "no_data", _("No data")


# Worst first: what needs attention leads every list, and each status has its one colour.
COMPLIANCE = Palette(
    "compliance",
    SnapshotStatus,
    {
        SnapshotStatus.BREACHED: "danger",
        SnapshotStatus.AT_RISK: "warning",
        SnapshotStatus.NO_DATA: "secondary",
        SnapshotStatus.ON_TRACK: "success",
        SnapshotStatus.MET: "success",
    },
)


class TargetActivity(models.TextChoices):
    """What a target is going through now, beside its status: shown on its current period while it lasts."""

    IN_MAINTENANCE = "in_maintenance", _("In maintenance")


# In maintenance, a target is not burning its budget: the time is left out (read apart from every status's colour).
ACTIVITY = Palette("activity", TargetActivity, {TargetActivity.IN_MAINTENANCE: "info"})


class BudgetUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    EVENTS = "events", _("events")

    @classmethod
    def of(cls, method):
        """The unit of a budgeting method's error budget."""
        return cls.EVENTS if BudgetingMethod(method).counts_events else cls.MINUTES


class BreachKind(models.TextChoices):
    PERIOD_MISSED = "period_missed", _("Period ended under the objective")
    BUDGET_EXHAUSTED = "budget_exhausted", _("Error budget spent before the period ended")
    WINDOW_EXHAUSTED = "window_exhausted", _("Error budget of the rolling window spent")


class Severity(models.TextChoices):
    PAGE = "page", _("Page")
    TICKET = "ticket", _("Ticket")


class AlertState(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


ALERT_STATE = Palette("alert", AlertState, {AlertState.FIRING: "danger", AlertState.RESOLVED: "secondary"})


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook (JSON)")
    SLACK = "slack", _("Slack-compatible webhook")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# How a message's sending stands (report deliveries show it as a badge).
DELIVERY = Palette(
    "delivery",
    NotificationStatus,
    {
        NotificationStatus.FAILED: "danger",
        NotificationStatus.PENDING: "warning",
        NotificationStatus.SENDING: "info",
        NotificationStatus.SENT: "success",
    },
)


class MaintenanceEvent(models.TextChoices):
    """What a maintenance notice tells: the window was approved, an occurrence starts soon, an occurrence ended, an
    announced window was cancelled."""

    APPROVED = "approved", pgettext_lazy("maintenance notice", "Approved")
    REMINDER = "reminder", pgettext_lazy("maintenance notice", "Starts soon")
    ENDED = "ended", pgettext_lazy("maintenance notice", "Ended")
    CANCELLED = "cancelled", pgettext_lazy("maintenance notice", "Cancelled")


class TicketNoticeEvent(models.TextChoices):
    """What a ticket notice tells: a running clock reached a warning point, or breached its goal."""

    WARNING = "warning", pgettext_lazy("ticket notice", "Warning")
    BREACH = "breach", pgettext_lazy("ticket notice", "Breach")


class UploadStatus(models.TextChoices):
    PREVIEW = "preview", _("Waiting for confirmation")
    REJECTED = "rejected", pgettext_lazy("upload status", "Rejected")
    STORED = "stored", _("Stored")
    DISCARDED = "discarded", _("Discarded")


class TicketMetric(models.TextChoices):
    """What a ticket indicator's clock measures (``monitoring.tickets.clock.Metric``)."""

    FIRST_RESPONSE = "first_response", _("Time to first response")
    RESOLUTION = "resolution", _("Time to resolve")


class TicketCategory(models.TextChoices):
    """The portal's state categories of a ticket (``monitoring.tickets.clock.StateCategory``): a service desk's own
    state names map to these."""

    # "ticket": an open ticket is not an open survey, a resolved ticket not a resolved alert.
    OPEN = "open", pgettext_lazy("ticket", "Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting for a third party")
    RESOLVED = "resolved", pgettext_lazy("ticket", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("ticket", "Cancelled")


# The categories a ticket indicator may pause in (an ended ticket's clock has stopped already).
PAUSABLE = [TicketCategory.WAITING_CUSTOMER, TicketCategory.WAITING_THIRD_PARTY, TicketCategory.OPEN]


class TicketEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("ticket", "Created")
    FIRST_RESPONSE = "first_response", _("First response")
    STATE_CHANGED = "state_changed", _("State changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    RESOLVED = "resolved", pgettext_lazy("ticket", "Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", pgettext_lazy("ticket", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("ticket", "Cancelled")


class ClockStatus(models.TextChoices):
    """Where a ticket clock stands (``monitoring.tickets.clock.ClockState``)."""

    BREACHED = "breached", _("Breached")
    RUNNING = "running", _("In flight")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    CANCELLED = "cancelled", pgettext_lazy("ticket", "Cancelled")


TICKET_CLOCK = Palette(
    "clock",
    ClockStatus,
    {
        ClockStatus.BREACHED: "danger",
        ClockStatus.RUNNING: "primary",
        ClockStatus.PAUSED: "secondary",
        ClockStatus.MET: "success",
        ClockStatus.CANCELLED: "light",
    },
)


class DeliveryKind(models.TextChoices):
    """Why a service report was e-mailed: the monthly delivery, or a manager sending it again."""

    MONTHLY = "monthly", _("Monthly")
    RESEND = "resend", _("Sent again")


class ClockFilter(models.TextChoices):
    """What the ticket list filters clocks by: where they stand now (at risk: in flight and past the first warning
    point)."""

    IN_FLIGHT = "in_flight", _("In flight")
    AT_RISK = "at_risk", _("At risk")
    PAUSED = "paused", _("Paused")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


class PrometheusAuth(models.TextChoices):
    NONE = "none", _("None")
    BEARER = "bearer", _("Bearer token")
    BASIC = "basic", _("Basic (user name and password)")


class TokenScope(models.TextChoices):
    """What a person's API token may do: never more than the person may (their permissions still decide)."""

    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class TokenState(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


TOKEN_STATE = Palette(
    "token",
    TokenState,
    {TokenState.EXPIRED: "warning", TokenState.REVOKED: "secondary", TokenState.ACTIVE: "success"},
)
