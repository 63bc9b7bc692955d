from monitoring.models.alerts import Alert, BurnRateRule, Notification, NotificationChannel
from monitoring.models.compliance import Breach, ComplianceSnapshot, ReportComment
from monitoring.models.deliveries import ReportDelivery
from monitoring.models.indicators import ApiToken, DataSource, Indicator, TargetIndicator, hash_token
from monitoring.models.measurements import HourRollup, Measurement
from monitoring.models.notices import MaintenanceNotice, TicketNotice, TicketNoticeDelivery
from monitoring.models.openslo import OpenSloMetadata
from monitoring.models.prometheus import PrometheusQuery, PrometheusSource
from monitoring.models.sources import CsvUpload, HttpProbe
from monitoring.models.ticket_intake import TicketUpload, TicketWebhookDelivery
from monitoring.models.tickets import (
    Ticket,
    TicketClock,
    TicketEventRecord,
    TicketGoal,
    TicketRank,
    TicketSource,
)

__all__ = [
    "Alert",
    "ApiToken",
    "Breach",
    "BurnRateRule",
    "ComplianceSnapshot",
    "CsvUpload",
    "DataSource",
    "HourRollup",
    "HttpProbe",
    "Indicator",
    "MaintenanceNotice",
    "Measurement",
    "Notification",
    "OpenSloMetadata",
    "NotificationChannel",
    "PrometheusQuery",
    "PrometheusSource",
    "ReportComment",
    "ReportDelivery",
    "TargetIndicator",
    "Ticket",
    "TicketClock",
    "TicketEventRecord",
    "TicketGoal",
    "TicketRank",
    "TicketNotice",
    "TicketNoticeDelivery",
    "TicketSource",
    "TicketUpload",
    "TicketWebhookDelivery",
    "hash_token",
]
