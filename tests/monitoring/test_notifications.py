"""Alert notifications: queued once per channel and event, sent by ``monitoring.notify.send_pending()`` to a real
SMTP server and real HTTP servers on loopback, never twice; failures retried, then given up.

The alert comes from the burn scene of the evaluation helpers: at BURN_AT only the page-1h rule fires, with a
1 h burn rate of 33.33 and a 5 m one of 400.
"""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from monitoring import notify
from monitoring.models import Notification, NotificationChannel
from monitoring.tasks import send_pending_notifications
from tests.factories import AgreementFactory, ServiceFactory
from tests.monitoring.evaluation_helpers import (
    BURN_AT,
    active_agreement,
    burning_target,
    evaluate,
    loopback_server,
    record_probe_minutes,
    slowly_burning_target,
)
from tests.smtp import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def webhooks():
    with loopback_server() as server:
        yield server


@pytest.fixture
def agreement():
    return active_agreement(code="acme-sla", valid_from=dt.date(2026, 11, 1))


@pytest.fixture
def target(agreement):
    return burning_target(agreement, code="availability", name="Availability")


def channel(kind, address, **fields):
    return NotificationChannel.objects.create(name=f"{kind} {address}", kind=kind, address=address, **fields)


@pytest.fixture
def channels(agreement, webhooks):
    return {
        "email": channel("email", "ops@acme.example", agreement=agreement),
        "webhook": channel("webhook", webhooks.url + "/json", agreement=agreement),
        "slack": channel("slack", webhooks.url + "/slack", agreement=agreement),
    }


def burn_rates_in(text):
    """The (1 h, 5 m) burn rates a summary line states: "... at 33.33× (60 min) and 400× (5 min) ..."."""
    match = re.search(r"at ([\d.]+)× \(60 min\) and ([\d.]+)× \(5 min\)", text)
    return tuple(Decimal(number) for number in match.groups())


def bodies_sent_to(server, path):
    """The JSON bodies ``server`` received on ``path``, oldest first."""
    return [json.loads(body) for _, request_path, body in server.requests if request_path.endswith(path)]


def test_the_sending_task_is_queued_once_the_evaluation_that_wrote_notifications_commits(
    target, agreement, monkeypatch, django_capture_on_commit_callbacks
):
    channel("email", "ops@acme.example", agreement=agreement)
    queued = []
    monkeypatch.setattr(send_pending_notifications, "delay", lambda: queued.append("send_pending_notifications"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evaluate(target, BURN_AT)
        assert queued == []  # not before the commit: the worker would not see the rows yet
    for callback in callbacks:
        callback()

    assert queued == ["send_pending_notifications"]
    assert Notification.objects.count() == 1


def test_a_firing_alert_queues_one_notification_per_channel(target, channels):
    evaluate(target, BURN_AT)
    queued = Notification.objects.all()
    assert sorted((n.channel.kind, n.event, n.status) for n in queued) == [
        ("email", "firing", "pending"),
        ("slack", "firing", "pending"),
        ("webhook", "firing", "pending"),
    ]
    assert {n.alert.rule.name for n in queued} == {"page-1h"}


def test_send_pending_mails_the_channel_through_a_real_smtp_server(target, channels, smtp_inbox, webhooks, settings):
    evaluate(target, BURN_AT)
    assert notify.send_pending() == 3
    ((recipients, message),) = smtp_inbox.messages
    assert recipients == ["ops@acme.example"]
    assert message["Subject"] == "[PAGE] FIRING: acme-sla / Availability"
    text = message.get_content()
    assert "FIRING: acme-sla / Availability burns its error budget" in text
    assert burn_rates_in(text) == (Decimal("33.333333"), Decimal(400))
    assert settings.SLM_PORTAL_URL + target.agreement.get_absolute_url() in text


def test_send_pending_posts_the_alert_as_json_to_a_real_webhook(target, channels, smtp_inbox, webhooks):
    evaluate(target, BURN_AT)
    notify.send_pending()
    (body,) = bodies_sent_to(webhooks, "/json")
    assert (body["event"], body["agreement"], body["customer"]) == (
        "firing",
        "acme-sla",
        target.agreement.customer.name,
    )
    assert body["target"] == {"code": "availability", "name": "Availability", "objective_percent": "99.9"}
    alert = body["alert"]
    assert (alert["rule"], alert["severity"], Decimal(alert["threshold"])) == ("page-1h", "page", Decimal("14.4"))
    assert (alert["long_window_minutes"], alert["short_window_minutes"]) == (60, 5)
    assert alert["long_burn_rate"] == "33.333333"
    assert alert["short_burn_rate"] == "400"
    assert dt.datetime.fromisoformat(alert["started_at"]) == BURN_AT
    assert alert["resolved_at"] is None


def test_a_slack_channel_gets_one_line_of_text(target, channels, smtp_inbox, webhooks):
    evaluate(target, BURN_AT)
    notify.send_pending()
    (body,) = bodies_sent_to(webhooks, "/slack")
    assert list(body) == ["text"]
    assert body["text"].startswith("[PAGE] FIRING: acme-sla / Availability burns its error budget at ")
    assert burn_rates_in(body["text"]) == (Decimal("33.333333"), Decimal(400))


def test_sent_notifications_are_marked_and_never_sent_twice(target, channels, smtp_inbox, webhooks):
    evaluate(target, BURN_AT)
    notify.send_pending()
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert notify.send_pending() == 0
    evaluate(target, BURN_AT)  # still firing: no new event
    assert notify.send_pending() == 0
    assert (len(smtp_inbox.messages), len(webhooks.requests)) == (1, 2)


def test_the_resolution_is_announced_on_every_channel_too(target, channels, smtp_inbox, webhooks):
    evaluate(target, BURN_AT)
    notify.send_pending()
    record_probe_minutes(target, BURN_AT, 10)
    resolved_at = BURN_AT + dt.timedelta(minutes=10)
    evaluate(target, resolved_at)
    assert notify.send_pending() == 3
    assert smtp_inbox.messages[-1][1]["Subject"] == "[PAGE] resolved: acme-sla / Availability"
    firing, resolved = bodies_sent_to(webhooks, "/json")
    assert (firing["event"], firing["alert"]["started_at"]) == ("firing", resolved["alert"]["started_at"])
    assert (resolved["event"], dt.datetime.fromisoformat(resolved["alert"]["resolved_at"])) == ("resolved", resolved_at)


def test_a_failing_webhook_is_retried_and_given_up_after_three_attempts(target, agreement):
    with loopback_server(statuses=[500]) as broken:
        channel("webhook", broken.url, agreement=agreement)
        evaluate(target, BURN_AT)
        notification = Notification.objects.get()
        for attempt in (1, 2):
            assert notify.send_pending() == 0
            notification.refresh_from_db()
            assert (notification.status, notification.attempts) == ("pending", attempt)
            assert "500 Server Error" in notification.error
        assert notify.send_pending() == 0
        notification.refresh_from_db()
        assert (notification.status, notification.attempts, notification.sent_at) == ("failed", 3, None)
        assert notify.send_pending() == 0
        assert len(broken.requests) == 3


def test_a_webhook_that_recovers_is_sent_on_the_next_attempt(target, agreement):
    with loopback_server(statuses=[503, 200]) as flaky:
        channel("webhook", flaky.url, agreement=agreement)
        evaluate(target, BURN_AT)
        assert notify.send_pending() == 0
        assert notify.send_pending() == 1
        assert Notification.objects.get().status == "sent"
        assert len(flaky.requests) == 2


def test_an_unreachable_mail_server_is_recorded_as_an_error(target, agreement, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    channel("email", "ops@acme.example", agreement=agreement)
    evaluate(target, BURN_AT)
    assert notify.send_pending() == 0
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.error


def test_only_channels_of_the_agreement_its_services_or_everything_are_notified(target, agreement, webhooks):
    other_agreement = AgreementFactory(code="globex-sla")
    channel("webhook", webhooks.url, agreement=other_agreement)
    channel("webhook", webhooks.url, service=ServiceFactory())  # a service the agreement does not cover
    channel("webhook", webhooks.url, is_active=False, agreement=agreement)
    of_service = channel("webhook", webhooks.url + "/service", service=agreement.services.first())
    of_everything = channel("webhook", webhooks.url + "/all")
    evaluate(target, BURN_AT)
    assert set(Notification.objects.values_list("channel", flat=True)) == {of_service.pk, of_everything.pk}
    notify.send_pending()
    assert sorted(path for _, path, _ in webhooks.requests) == ["/hook/all", "/hook/service"]


def test_a_page_only_channel_skips_ticket_alerts(webhooks):
    agreement = active_agreement(valid_from=dt.date(2026, 11, 1))
    pages = channel("webhook", webhooks.url + "/pages", agreement=agreement, minimum_severity="page")
    tickets = channel("webhook", webhooks.url + "/tickets", agreement=agreement, minimum_severity="ticket")
    slow = slowly_burning_target(agreement)  # only ticket-3d fires
    fast = burning_target(agreement)  # only page-1h fires
    evaluate(slow, BURN_AT)
    evaluate(fast, BURN_AT)
    received = sorted(Notification.objects.values_list("channel", "alert__rule__severity"))
    assert received == sorted([(tickets.pk, "ticket"), (tickets.pk, "page"), (pages.pk, "page")])


def test_a_notification_sent_after_its_alert_resolved_tells_the_burn_rates_it_fired_with():
    from monitoring.choices import AlertState
    from monitoring.models import Alert
    from tests.monitoring.evaluation_helpers import BURN_AT, burning_target, evaluate

    NotificationChannel.objects.create(name="ops", kind="webhook", address="http://127.0.0.1:9/hook")
    target = burning_target()
    evaluate(target, BURN_AT)
    firing = Notification.objects.get(event=AlertState.FIRING, alert__rule__name="page-1h")
    fired_with = notify.payload(firing)["alert"]["long_burn_rate"]
    evaluate(target, BURN_AT + dt.timedelta(hours=2))  # quiet since: it resolves before the first one went out
    assert Alert.objects.get(pk=firing.alert_id).state == AlertState.RESOLVED
    firing.refresh_from_db()
    assert notify.payload(firing)["alert"]["long_burn_rate"] == fired_with == "33.333333"
