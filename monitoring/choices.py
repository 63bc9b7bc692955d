from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    RATIO = "ratio", _("Ratio (good and total event counts)")
    THRESHOLD = "threshold", _("Threshold (a value compared with a limit)")


class Operator(models.TextChoices):
    LT = "lt", "<"
    LTE = "lte", "≤"
    GT = "gt", ">"
    GTE = "gte", "≥"
    EQ = "eq", "="


class SnapshotStatus(models.TextChoices):
    MET = "met", _("Met")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    NO_DATA = "no_data", _("No data")


class BudgetUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    EVENTS = "events", _("events")


class BreachKind(models.TextChoices):
    PERIOD_MISSED = "period_missed", _("Period ended under the objective")
    BUDGET_EXHAUSTED = "budget_exhausted", _("Error budget spent before the period ended")


class Severity(models.TextChoices):
    PAGE = "page", _("Page")
    TICKET = "ticket", _("Ticket")


class AlertState(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook (JSON)")
    SLACK = "slack", _("Slack-compatible webhook")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class UploadStatus(models.TextChoices):
    PREVIEW = "preview", _("Waiting for confirmation")
    STORED = "stored", _("Stored")
    DISCARDED = "discarded", _("Discarded")
