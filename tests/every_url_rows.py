"""The rows the walk of every URL needs beyond the demo estate: tickets, the extra rows of each app, maintenance windows
(tests/test_every_url.py builds its estate with them)."""

import datetime as dt
from decimal import Decimal

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.utils import timezone

from agreements.choices import ExclusionReason, MaintenanceStatus, Recurrence
from agreements.models import (
    Agreement,
    CalendarFeed,
    Customer,
    Exclusion,
    Invitation,
    MaintenanceWindow,
    Membership,
    Service,
    ServiceLevelTarget,
)
from improvement.models import DigestDelivery, ReviewReminder
from monitoring.intake.ticket_events import record_ticket_events
from monitoring.models import (
    Alert,
    ApiToken,
    BurnRateRule,
    CsvUpload,
    Indicator,
    MaintenanceNotice,
    Notification,
    NotificationChannel,
    OpenSloMetadata,
    PrometheusQuery,
    PrometheusSource,
    ReportComment,
    ReportDelivery,
    TicketClock,
    TicketGoal,
    TicketNotice,
    TicketNoticeDelivery,
    TicketSource,
    TicketUpload,
)
from requirements_analysis.models import SurveyCampaign, SurveyInvitation
from slm_portal.identity.models import DirectoryAccount, RecoveryCodeDevice, RoleRule, SingleSignOnAccount
from slm_portal.models import Heartbeat

# Every test of the module is a database test, so that pytest-django keeps them together and the module's data is
# made once (it orders database tests before the others).


def _ticket_rows(now):
    """The walk's own service desk (with an upload waiting for confirmation), a ticket indicator and one ticket with
    its clock, beside the demo's desk and tickets."""
    if TicketSource.objects.filter(code="every-url-desk").exists():
        return
    hanbit, banking = Customer.objects.get(code="hanbit-bank"), Service.objects.get(code="internet-banking")
    indicator = Indicator.objects.create(
        service=banking,
        customer=hanbit,
        code="every-url-tickets",
        name="Tickets",
        kind="ticket",
        ticket_metric="resolution",
    )
    TicketGoal.objects.create(
        indicator=indicator, priority="P1", minutes=240, effective_from=now - dt.timedelta(days=30)
    )
    source = TicketSource(code="every-url-desk", name="Every-URL desk")
    source.issue_token()
    source.save()
    source.customers.set([hanbit])
    source.services.set([banking])
    event = {"id": "e1", "ticket": "INC-1", "type": "created", "at": (now - dt.timedelta(hours=1)).isoformat()}
    record_ticket_events(
        source, [event | {"customer": hanbit.code, "service": banking.code, "priority": "P1"}], now=now
    )
    # An upload waiting for confirmation: the walk previews, stores and discards it.
    TicketUpload.objects.create(
        source=source,
        filename="events.csv",
        content=f"id,ticket,type,at\ne2,INC-1,first_response,{(now - dt.timedelta(minutes=30)).isoformat()}\n",
        event_count=1,
    )


def _extra_rows():
    """A row of each model the demo does not create, and the plaintext secrets the URLs need."""
    manager = get_user_model().objects.get(username="manager")
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="celery", defaults={"beat_at": now, "hostname": "worker@test"})
    indicator = Indicator.objects.get(code="ib-availability")
    upload = CsvUpload.objects.create(
        indicator=indicator,
        uploaded_by=manager,
        filename="samples.csv",
        content=f"t,value\n{(now - dt.timedelta(hours=1)).isoformat()},1\n",
        sample_count=1,
    )
    RecoveryCodeDevice.objects.get_or_create(user=manager, name="Recovery codes")[0].set_new_codes()
    token = ApiToken(user=manager, name="every-url")
    token.issue_token()
    token.save()
    agreement = Agreement.objects.get(code="hanbit-digital-sla")
    ReportComment.objects.get_or_create(
        agreement=agreement, period_label=f"{timezone.localdate():%Y-%m}", defaults={"author": manager, "text": "ok"}
    )
    DigestDelivery.objects.get_or_create(owner=manager, day=timezone.localdate(), defaults={"actions": 1})
    ReportDelivery.objects.get_or_create(
        agreement=agreement, period_label="2026-11", kind="monthly", defaults={"recipients": ["cio@example.com"]}
    )
    ReviewReminder.objects.get_or_create(
        agreement=agreement, review_date=timezone.localdate(), kind="ahead", defaults={"recipient": "m@example.com"}
    )
    OpenSloMetadata.objects.get_or_create(
        agreement=agreement, kind="SLO", name="availability", defaults={"labels": {"team": "web"}}
    )
    if not Alert.objects.exists():
        alert = Alert.objects.create(
            target=ServiceLevelTarget.objects.get(agreement=agreement, code="availability"),
            rule=BurnRateRule.objects.first(),
            started_at=now - dt.timedelta(minutes=30),
            long_burn=Decimal("20"),
            short_burn=Decimal("30"),
        )
        Notification.objects.create(alert=alert, channel=NotificationChannel.objects.first(), event=alert.state)
    campaign = SurveyCampaign.objects.get()
    invitation = SurveyInvitation(campaign=campaign, email="every-url@example.com")
    survey_token = invitation.issue_token()
    invitation.save()
    window = MaintenanceWindow.objects.filter(service__code="internet-banking").first()
    if window is None:
        window = MaintenanceWindow.objects.create(
            service=Service.objects.get(code="internet-banking"),
            title="Every-URL maintenance",
            starts_at=now + dt.timedelta(days=10),
            ends_at=now + dt.timedelta(days=10, hours=2),
        )
    MaintenanceNotice.objects.get_or_create(
        window=window,
        occurrence_start=window.starts_at,
        event="approved",
        address="every-url@example.com",
        defaults={"occurrence_end": window.ends_at, "kind": "email", "announced_at": now - dt.timedelta(days=7)},
    )
    # The feed of a person none of the roles is: the walk's forms make and revoke the roles' own links.
    reader = get_user_model().objects.create_user("calendar-reader", password="x")
    Membership.objects.create(user=reader, customer=Customer.objects.get(code="hanbit-bank"))
    feed = CalendarFeed(user=reader)
    feed_token = feed.issue_token()
    feed.save()
    _ticket_rows(now)
    clock = TicketClock.objects.order_by("pk").first()
    notice, _created = TicketNotice.objects.get_or_create(
        clock=clock,
        event="warning",
        point=Decimal("50"),
        defaults={"reached_at": now, "priority": clock.priority, "goal": clock.goal, "send_after": now},
    )
    TicketNoticeDelivery.objects.get_or_create(
        notice=notice, address="every-url@example.com", defaults={"kind": "email"}
    )
    outsiders = Customer.objects.create(code="outsiders", name="Outsiders Ltd")
    outsider = get_user_model().objects.create_user("outsider", password="x")
    Membership.objects.create(user=outsider, customer=outsiders)
    RoleRule.objects.create(claim="groups", match="customer_prefix", value="customer:", role="customer_member")
    SingleSignOnAccount.objects.create(user=outsider, provider="corp", issuer="https://sso.example", subject="o-1")
    DirectoryAccount.objects.create(user=outsider, dn="uid=outsider,ou=people,dc=example,dc=com", groups=["staff"])
    hanbit_bank = Customer.objects.get(code="hanbit-bank")
    invitation = Invitation(
        customer=hanbit_bank, email="invited@hanbit.example", invited_by=manager, expires_at=now + dt.timedelta(days=7)
    )
    invitation_token = invitation.issue_token()
    invitation.save()
    used = Invitation(
        customer=hanbit_bank, email="used@hanbit.example", expires_at=now + dt.timedelta(days=7), accepted_at=now
    )
    used_token = used.issue_token()
    used.save()
    AccessAttempt.objects.create(
        username="hanbit", ip_address="192.0.2.7", user_agent="every-url", failures_since_start=2, attempt_time=now
    )
    get_user_model().objects.create_user("spare", password="x")  # the newest user: the admin URLs act on it
    windows = _maintenance_rows(agreement, manager, now)
    prometheus = PrometheusSource.objects.create(
        name="Every-URL Prometheus", code="every-url-prom", base_url="http://127.0.0.1:9"
    )
    prometheus_query = PrometheusQuery.objects.create(
        source=prometheus,
        indicator=Indicator.objects.get(code="wms-dispatch"),
        good_query="sum(good)",
        total_query="sum(total)",
        pulled_until=now - dt.timedelta(minutes=30),
    )
    return {
        "prometheus_query": prometheus_query,
        "upload": upload,
        "api_token": token,
        "survey_token": survey_token,
        "feed_token": feed_token,
        "invitation": invitation,
        "invitation_tokens": [invitation_token, used_token],
        "maintenance_window": window,
        **windows,
    }


def _maintenance_rows(agreement, manager, now):
    """Beside any the demo has: a window of each kind the pages treat differently (planned and repeating, approved
    and hidden from customers, completed), and an exclusion."""
    service = agreement.services.order_by("code").first()
    ahead = MaintenanceWindow.objects.create(
        service=service,
        title="Every-URL patch",
        starts_at=now + dt.timedelta(days=9),
        ends_at=now + dt.timedelta(days=9, hours=2),
        recurrence=Recurrence.WEEKLY,
        repeat_until=(now + dt.timedelta(days=60)).date(),
        created_by=manager,
    )
    approved = MaintenanceWindow.objects.create(
        service=service,
        title="Every-URL approved",
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=1),
        customer_visible=False,
    )
    approved.transition_to(MaintenanceStatus.APPROVED, user=manager, now=now - dt.timedelta(days=4))
    completed = MaintenanceWindow.objects.create(
        service=service,
        title="Every-URL done",
        starts_at=now - dt.timedelta(days=2),
        ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=1),
        status=MaintenanceStatus.COMPLETED,
    )
    exclusion = Exclusion.objects.create(
        agreement=agreement,
        service=service,
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=2),
        reason=ExclusionReason.FORCE_MAJEURE,
        description="Power cut",
        customer_agreement="J. Kim",
        recorded_by=manager,
    )
    return {"windows": [ahead.pk, approved.pk, completed.pk], "exclusion": exclusion}
