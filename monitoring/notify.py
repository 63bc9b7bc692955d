"""Sending alert notifications (and, through ``send_message`` and ``claim_and_send``, maintenance notices): e-mail,
JSON webhooks and Slack-compatible webhooks.

Each row (a Notification, or a MaintenanceNotice) is claimed with a conditional UPDATE before it is sent, so two
workers never send the same one, and a row is never sent twice (at most once: a worker that dies between sending and
recording leaves it in "sending", visible in admin).
"""

import logging

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from core.formatting import plain_number
from monitoring.choices import AlertState, ChannelKind, NotificationStatus
from monitoring.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def _rate(at_event, now):
    """The burn rate the notification recorded at its event (rows written before it kept one: the alert's)."""
    value = at_event if at_event is not None else now
    return None if value is None else plain_number(value)


def payload(notification):
    alert = notification.alert
    target = alert.target
    agreement = target.agreement
    return {
        "event": notification.event,
        "portal": settings.SLM_PORTAL_NAME,
        "url": settings.SLM_PORTAL_URL.rstrip("/") + agreement.get_absolute_url(),
        "customer": agreement.customer.name,
        "agreement": agreement.code,
        "target": {"code": target.code, "name": target.name, "objective_percent": plain_number(target.objective)},
        "alert": {
            "rule": alert.rule.name,
            "severity": alert.rule.severity,
            "threshold": plain_number(alert.rule.threshold),
            "long_window_minutes": alert.rule.long_window_minutes,
            "short_window_minutes": alert.rule.short_window_minutes,
            "long_burn_rate": _rate(notification.long_burn, alert.long_burn),
            "short_burn_rate": _rate(notification.short_burn, alert.short_burn),
            "started_at": alert.started_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


def summary_line(data):
    verb = "FIRING" if data["event"] == AlertState.FIRING else "resolved"
    alert = data["alert"]
    return (
        f"[{alert['severity'].upper()}] {verb}: {data['agreement']} / {data['target']['name']} "
        f"burns its error budget at {alert['long_burn_rate']}× ({alert['long_window_minutes']} min) and "
        f"{alert['short_burn_rate']}× ({alert['short_window_minutes']} min); rule {alert['rule']} "
        f"fires at {alert['threshold']}×. {data['url']}"
    )


def send_message(kind, address, subject, text, data):
    """Send one message to ``address`` on a channel of ``kind``: an e-mail (``subject`` and ``text``), a JSON webhook
    (``data``) or a Slack-compatible webhook (``{"text": text}``). Raises on failure. Alert notifications and
    maintenance notices both go out through it."""
    if kind == ChannelKind.EMAIL:
        send_mail(subject, text, None, [address], fail_silently=False)
        return
    body = {"text": text} if kind == ChannelKind.SLACK else data
    response = requests.post(address, json=body, timeout=settings.SLM_WEBHOOK_TIMEOUT_SECONDS)
    response.raise_for_status()


def deliver(notification):
    """Send one notification on its channel; raises on failure."""
    channel = notification.channel
    data = payload(notification)
    line = summary_line(data)
    subject = line.split(": ", 1)[0] + f": {data['agreement']} / {data['target']['name']}"
    send_message(channel.kind, channel.address, subject, line, data)


def claim_and_send(rows, pk, deliver_row, claimable=None):
    """Claim the pending row ``pk`` of the queryset ``rows`` with a conditional UPDATE (and the filter
    ``claimable``, a Q: what must still hold for it to go out), send it with ``deliver_row(row)``, and record the
    outcome: sent, pending again for the next run (up to MAX_ATTEMPTS attempts), or failed. Returns True if this call
    sent it. ``rows`` has status, attempts, sent_at and error fields, as Notification and MaintenanceNotice do."""
    model = rows.model
    claim = model.objects.filter(pk=pk, status=NotificationStatus.PENDING)
    if claimable is not None:
        claim = claim.filter(claimable)
    if not claim.update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1):
        return False
    row = rows.get(pk=pk)
    try:
        deliver_row(row)
    except Exception as error:  # noqa: BLE001 - any failure of SMTP or HTTP is recorded on the row
        logger.warning("%s %s failed: %s", model._meta.verbose_name, pk, error)
        retry = row.attempts < MAX_ATTEMPTS
        model.objects.filter(pk=pk).update(
            status=NotificationStatus.PENDING if retry else NotificationStatus.FAILED, error=str(error)[:2000]
        )
        return False
    model.objects.filter(pk=pk).update(status=NotificationStatus.SENT, sent_at=timezone.now(), error="")
    return True


def send_notification(notification_id):
    """Claim and send one pending notification; returns True if this call sent it."""
    rows = Notification.objects.select_related("channel", "alert__rule", "alert__target__agreement__customer")
    return claim_and_send(rows, notification_id, deliver)


def send_pending():
    """Send every pending notification; returns how many this call sent."""
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING).order_by("pk").values_list("pk", flat=True)
    )
    return sum(1 for notification_id in ids if send_notification(notification_id))
