"""A plan's actions (added, edited, done with a note, flagged when overdue) and the daily digest e-mail to their owners.

The digest scene is 1 December 2026: an action is overdue when due before that day and soon due when due by
8 December (seven days on). ``send_digests(today=...)`` is called directly; one test sends through a real SMTP
server on loopback, and the Celery task is called with the clock at 08:00 in Seoul.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from improvement import digest, tasks
from improvement.choices import ActionStatus, PlanStatus
from improvement.models import Action, DigestDelivery
from tests.factories import ManagerFactory
from tests.improvement.factories import ActionFactory, plan_in
from tests.monitoring.evaluation_helpers import kst
from tests.monitoring.factories import table_rows

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def day(offset):
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def plan(agreement_a):
    return plan_in(PlanStatus.IN_PROGRESS, title="Salary-day outages", services=list(agreement_a.services.all()))


def from_today(days):
    """A due date relative to the portal's today: whether an action shows as overdue depends on the real clock."""
    return timezone.localdate() + dt.timedelta(days=days)


def action_data(owner, **fields):
    return {
        "description": "Add a database replica",
        "owner": owner.pk,
        "due_date": from_today(14).isoformat(),
        "status": "open",
    } | fields


# --- actions -------------------------------------------------------------------------------------------------------


def test_a_manager_adds_an_action_to_a_plan(client, manager, plan):
    client.force_login(manager)
    response = client.post(f"/plans/{plan.code}/actions/new/", action_data(manager))
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.plan, action.owner, action.due_date, action.status) == (plan, manager, from_today(14), "open")
    assert action.completed_at is None
    page = client.get(f"/plans/{plan.code}/").text
    due = f"{from_today(14).day} {from_today(14):%b %Y}"  # 18 Dec 2026: the portal's one date format
    assert table_rows(page, "plan-actions-table")[0][:4] == ["Add a database replica", "Minsu Park", due, "Open"]


def test_a_manager_edits_an_action(client, manager, plan):
    action = ActionFactory(plan=plan, owner=manager, due_date=from_today(3))
    client.force_login(manager)
    response = client.post(
        f"/plans/{plan.code}/actions/{action.pk}/edit/",
        action_data(manager, description="Add two replicas", due_date=from_today(19).isoformat(), status="in_progress"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.description, action.due_date, action.status) == ("Add two replicas", from_today(19), "in_progress")


def test_an_action_is_done_only_with_a_completion_note(client, manager, plan):
    action = ActionFactory(plan=plan, owner=manager, due_date=day(3))
    client.force_login(manager)
    url = f"/plans/{plan.code}/actions/{action.pk}/edit/"
    refused = client.post(url, action_data(manager, status="done", completion_note="  "))
    assert refused.status_code == 200
    assert re.search(r'id="error_1_id_completion_note".*?Say what was done\.', refused.text, re.S)
    action.refresh_from_db()
    assert (action.status, action.completed_at) == ("open", None)

    client.post(url, action_data(manager, status="done", completion_note="Replica added on 2 December."))
    action.refresh_from_db()
    assert (action.status, action.completion_note) == ("done", "Replica added on 2 December.")
    assert action.completed_at is not None


def test_an_action_added_as_done_needs_a_note_and_records_when_it_was_done(client, manager, plan):
    client.force_login(manager)
    url = f"/plans/{plan.code}/actions/new/"
    assert "Say what was done." in client.post(url, action_data(manager, status="done")).text
    assert not Action.objects.exists()
    client.post(url, action_data(manager, status="done", completion_note="Done in the change window."))
    action = Action.objects.get()
    assert action.status == "done"
    assert action.completed_at is not None


def test_a_reopened_action_is_no_longer_marked_done(client, manager, plan):
    action = ActionFactory(
        plan=plan, owner=manager, status=ActionStatus.DONE, completion_note="x", completed_at=timezone.now()
    )
    client.force_login(manager)
    client.post(f"/plans/{plan.code}/actions/{action.pk}/edit/", action_data(manager, status="open"))
    action.refresh_from_db()
    assert (action.status, action.completed_at) == ("open", None)


def test_an_action_is_owned_by_portal_staff_only(client, manager, alice, plan):
    client.force_login(manager)
    response = client.post(f"/plans/{plan.code}/actions/new/", action_data(alice))
    assert "Select a valid choice" in response.text
    assert not Action.objects.exists()


def test_the_plan_page_flags_open_actions_past_their_due_date(client, manager, plan):
    today = timezone.localdate()
    ActionFactory(plan=plan, description="Late and open", due_date=today - dt.timedelta(days=1))
    ActionFactory(
        plan=plan, description="Late and in progress", due_date=today - dt.timedelta(days=2), status="in_progress"
    )
    ActionFactory(plan=plan, description="Late but done", due_date=today - dt.timedelta(days=3), status="done")
    ActionFactory(plan=plan, description="Due today", due_date=today)
    ActionFactory(plan=plan, description="Without a date")
    client.force_login(manager)
    html = client.get(f"/plans/{plan.code}/").text
    flagged = {row[0]: "overdue" in row[2] for row in table_rows(html, "plan-actions-table")}
    assert flagged == {
        "Late and in progress": True,
        "Late but done": False,
        "Late and open": True,
        "Due today": False,
        "Without a date": False,
    }
    assert html.count('<tr class="table-warning">') == 2


# --- the daily digest ----------------------------------------------------------------------------------------------


@pytest.fixture
def owners(manager):
    return {
        "minsu": manager,  # manager@example.com
        "dana": ManagerFactory(username="dana", first_name="Dana", last_name="Kim"),
        "erin": ManagerFactory(username="erin", email=""),  # no address: no digest
        "frank": ManagerFactory(username="frank"),  # only far-off actions
    }


@pytest.fixture
def actions(plan, owners):
    minsu, dana, erin, frank = owners.values()

    def add(description, owner, due, status=ActionStatus.OPEN):
        return ActionFactory(plan=plan, description=description, owner=owner, due_date=due, status=status)

    return {
        "overdue": add("Find the root cause", minsu, day(-3)),
        "overdue in progress": add("Add a replica", minsu, day(-1), ActionStatus.IN_PROGRESS),
        "due today": add("Load-test salary day", minsu, TODAY),
        "due in seven days": add("Brief the customer", minsu, day(7)),
        "due in eight days": add("Write the runbook", minsu, day(8)),
        "done": add("Restart the pool", minsu, day(-2), ActionStatus.DONE),
        "cancelled": add("Buy a bigger server", minsu, day(1), ActionStatus.CANCELLED),
        "dana's": add("Check the backups", dana, day(2)),
        "erin's": add("Call the vendor", erin, day(-5)),
        "frank's": add("Plan next year", frank, day(30)),
        "nobody's": add("Someone should", None, day(-1)),
    }


def digests():
    return {(d.owner.username, d.day, d.actions) for d in DigestDelivery.objects.select_related("owner")}


def test_each_owner_gets_one_digest_of_overdue_and_soon_due_open_actions(owners, actions, settings):
    assert digest.send_digests(today=TODAY) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == ["dana@example.com", "manager@example.com"]

    minsu = by_recipient["manager@example.com"]
    assert minsu.subject == "SLM Portal: 2 overdue and 2 soon-due improvement actions"
    code, url = actions["overdue"].plan.code, settings.SLM_PORTAL_URL + actions["overdue"].plan.get_absolute_url()
    assert minsu.body.rstrip().splitlines() == [
        "Hello Minsu Park,",
        "",
        "Overdue:",
        f"- Find the root cause ({code}, due 28 Nov 2026) {url}",
        f"- Add a replica ({code}, due 30 Nov 2026) {url}",
        "",
        "Due soon:",
        f"- Load-test salary day ({code}, due 1 Dec 2026) {url}",
        f"- Brief the customer ({code}, due 8 Dec 2026) {url}",
    ]
    dana = by_recipient["dana@example.com"]
    assert dana.subject == "SLM Portal: 0 overdue and 1 soon-due improvement actions"
    assert "Overdue:" not in dana.body
    assert "- Check the backups" in dana.body
    assert digests() == {("manager", TODAY, 4), ("dana", TODAY, 1)}


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(owners, actions):
    digest.send_digests(today=TODAY)
    assert digest.send_digests(today=TODAY) == 0
    assert len(mail.outbox) == 2
    assert digests() == {("manager", TODAY, 4), ("dana", TODAY, 1)}

    assert digest.send_digests(today=day(1)) == 2
    assert len(mail.outbox) == 4
    tomorrow = mail.outbox[-2:]
    minsu = next(message for message in tomorrow if message.to == ["manager@example.com"])
    # A day on, 1 December's action is overdue and the one due on 9 December is within seven days.
    assert minsu.subject == "SLM Portal: 3 overdue and 2 soon-due improvement actions"
    assert digests() == {("manager", TODAY, 4), ("dana", TODAY, 1), ("manager", day(1), 5), ("dana", day(1), 1)}


def test_an_owner_whose_account_was_deactivated_gets_no_digest(owners, actions):
    owners["dana"].is_active = False
    owners["dana"].save()
    assert digest.send_digests(today=TODAY) == 1
    assert [message.to for message in mail.outbox] == [["manager@example.com"]]
    assert digests() == {("manager", TODAY, 4)}


def test_no_digest_without_due_actions(plan, owners):
    ActionFactory(plan=plan, owner=owners["minsu"], due_date=day(20))
    assert digest.send_digests(today=TODAY) == 0
    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


def test_the_daily_task_takes_today_in_the_portals_time_zone(owners, actions, time_machine):
    time_machine.move_to(kst(2026, 12, 1, 8, 0), tick=False)  # still 30 November in UTC
    assert tasks.send_action_digests() == 2
    assert digests() == {("manager", TODAY, 4), ("dana", TODAY, 1)}


@pytest.mark.integration
def test_digests_go_through_a_real_smtp_server(owners, actions, smtp_inbox, settings):
    assert digest.send_digests(today=TODAY) == 2
    received = {tuple(recipients): message for recipients, message in smtp_inbox.messages}
    assert sorted(received) == [("dana@example.com",), ("manager@example.com",)]
    message = received[("manager@example.com",)]
    assert message["Subject"] == "SLM Portal: 2 overdue and 2 soon-due improvement actions"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    text = message.get_content()
    assert "- Find the root cause" in text
    assert "- Write the runbook" not in text
