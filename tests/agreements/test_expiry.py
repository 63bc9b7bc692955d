"""Agreements coming to their end: listed for their owners and on the overview while they end within 60 days, and
marked expired by the daily task the day after their *valid to* day, through the workflow.

Dates are relative to an explicit today, Friday 4 December 2026 in Seoul (the pages render then too).
"""

import datetime as dt
import re
from html import unescape

import pytest
from django.core.cache import cache

from agreements.choices import AgreementKind, AgreementStatus
from agreements.expiry import ending_within, expire_ended
from agreements.models import Agreement
from agreements.tasks import expire_agreements
from tests.agreements.page_checks import history_rows
from tests.factories import AgreementFactory, ManagerFactory, TargetFactory
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 4)
NOW = kst(2026, 12, 4, 0, 30)


@pytest.fixture
def estate(customer_a, manager):
    """Active agreements ending in 0, 10, 60 and 61 days, one ended yesterday, one open-ended; a draft and an
    expired one ending soon; the one ending in 60 days is owned by another manager."""
    other = ManagerFactory(username="other", first_name="Seoyeon", last_name="Choi")

    def agreement(code, valid_to, status=AgreementStatus.ACTIVE, owner=manager, **fields):
        row = AgreementFactory(code=code, customer=customer_a, owner=owner, valid_to=valid_to, **fields)
        TargetFactory(agreement=row, code="availability")
        row.status = status
        row.save()
        return row

    agreement("ends-today", TODAY)
    agreement("in-10-days", TODAY + dt.timedelta(days=10))
    agreement("in-60-days", TODAY + dt.timedelta(days=60), owner=other)
    agreement("in-61-days", TODAY + dt.timedelta(days=61))
    agreement("ended-yesterday", TODAY - dt.timedelta(days=1))
    agreement("open-ended", None)
    agreement("draft-soon", TODAY + dt.timedelta(days=5), status=AgreementStatus.DRAFT)
    agreement("expired-soon", TODAY + dt.timedelta(days=5), status=AgreementStatus.EXPIRED)
    agreement("ops-ola", TODAY + dt.timedelta(days=30), kind=AgreementKind.OLA)
    return other


def test_active_agreements_ending_within_60_days_are_listed_soonest_first(estate):
    listed = ending_within(Agreement.objects.all(), TODAY)
    assert [(row.code, row.valid_to) for row in listed] == [
        ("ended-yesterday", dt.date(2026, 12, 3)),
        ("ends-today", dt.date(2026, 12, 4)),
        ("in-10-days", dt.date(2026, 12, 14)),
        ("ops-ola", dt.date(2027, 1, 3)),
        ("in-60-days", dt.date(2027, 2, 2)),
    ]


def ending_rows(html):
    """(code, the line under it) of each agreement in the overview's "Ending within 60 days" list."""
    block = re.search(r'id="ending-soon">(.*?)</ul>', html, re.S).group(1)
    rows = []
    for code, body in re.findall(r'data-agreement="([^"]+)">(.*?)</li>', block, re.S):
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
        rows.append((code, text))
    return rows


def test_the_overview_lists_them_with_the_viewers_own_first(client, manager, estate, time_machine):
    time_machine.move_to(kst(2026, 12, 4, 9), tick=False)
    cache.clear()
    client.force_login(manager)
    page = client.get("/overview/")
    assert page.status_code == 200
    assert ending_rows(page.text) == [
        ("ended-yesterday", "ended-yesterday 3 Dec 2026 Acme Bank · ended · yours"),
        ("ends-today", "ends-today 4 Dec 2026 Acme Bank · ends today · yours"),
        ("in-10-days", "in-10-days 14 Dec 2026 Acme Bank · in 10 days · yours"),
        ("ops-ola", "ops-ola 3 Jan 2027 Acme Bank · in 30 days · yours"),
        ("in-60-days", "in-60-days 2 Feb 2027 Acme Bank · in 60 days · Seoyeon Choi"),
    ]
    client.force_login(estate)  # the other manager: their one agreement leads
    assert [code for code, _line in ending_rows(client.get("/overview/").text)][:2] == ["in-60-days", "ended-yesterday"]


def test_the_daily_task_marks_expired_the_agreements_whose_end_has_passed_through_the_workflow(estate, client, manager):
    assert expire_ended(TODAY, NOW) == ["ended-yesterday"]
    statuses = dict(Agreement.objects.values_list("code", "status"))
    assert statuses == {
        "ends-today": "active",  # its last day in force was yesterday; it is marked tomorrow
        "in-10-days": "active",
        "in-60-days": "active",
        "in-61-days": "active",
        "ended-yesterday": "expired",
        "open-ended": "active",
        "draft-soon": "draft",
        "expired-soon": "expired",
        "ops-ola": "active",
    }
    client.force_login(manager)
    rows = history_rows(client.get("/agreements/ended-yesterday/"))
    assert ("system", "Agreement (changed)", ["status: Active → Expired"]) in rows
    # Run again (the same day, or the task twice): nothing more to do, nothing changed.
    assert expire_ended(TODAY, NOW) == []
    # The next day the one that ended today follows.
    assert expire_ended(TODAY + dt.timedelta(days=1), NOW + dt.timedelta(days=1)) == ["ends-today"]


def test_the_beat_task_runs_it_for_the_portals_today(estate, time_machine):
    time_machine.move_to(kst(2026, 12, 5, 0, 30), tick=False)
    assert expire_agreements() == ["ended-yesterday", "ends-today"]
    assert Agreement.objects.get(code="in-10-days").status == AgreementStatus.ACTIVE


def test_the_beat_schedule_runs_the_task_every_day_after_midnight(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-agreements"]
    assert entry["task"] == "agreements.tasks.expire_agreements"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {30})
