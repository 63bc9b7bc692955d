"""People are shown by name, by one definition (core.formatting.person_name, the ``person`` template filter): their
full name, or their username when they have none. Plan and action owners, status histories, agreement and service
owners and the agreement's change history, requirements, members, report comments, the board, owner choices and the
navigation bar all show it (the review pack and its CSV: tests/improvement/test_review_pack.py; the digest's
greeting: tests/improvement/test_actions_and_digest.py)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template

from core.formatting import person_name
from improvement.choices import PlanStatus
from monitoring.models import ReportComment
from tests.agreements.page_checks import history_rows, page_text
from tests.factories import ManagerFactory, MembershipFactory, ServiceFactory, UserFactory
from tests.improvement.factories import ActionFactory, PlanFactory
from tests.monitoring.factories import table_rows
from tests.requirements_analysis.factories import RequirementFactory

User = get_user_model()


@pytest.mark.parametrize(
    ("first", "last", "username", "shown"),
    [
        ("Minsu", "Park", "manager", "Minsu Park"),
        ("Minsu", "", "manager", "Minsu"),
        ("", "", "jlee", "jlee"),
        ("  ", " ", "jlee", "jlee"),
    ],
)
def test_a_person_is_their_full_name_or_else_their_username(first, last, username, shown):
    person = User(first_name=first, last_name=last, username=username)
    assert person_name(person) == shown
    assert Template("{% load slm_format %}{{ who|person }}").render(Context({"who": person})) == shown


def test_nobody_is_an_empty_name_that_a_default_replaces():
    assert person_name(None) == ""
    template = Template('{% load slm_format %}{{ who|person|default:"—" }}')
    assert template.render(Context({"who": None})) == "—"


@pytest.fixture
def nameless(db):
    """A service manager with no name on record: shown by username."""
    return ManagerFactory(username="ops-desk")


@pytest.mark.django_db
def test_the_plan_page_names_its_owner_its_actions_owners_and_who_moved_it(client, manager, nameless):
    plan = PlanFactory(title="Fewer outages", owner=manager)
    ActionFactory(plan=plan, description="Add a replica", owner=nameless)
    plan.transition_to(PlanStatus.APPROVED, user=manager)
    client.force_login(manager)

    response = client.get(plan.get_absolute_url())

    owner = re.search(r'<dt class="col-4">Owner</dt><dd class="col-8">(.*?)</dd>', response.text).group(1)
    assert owner == "Minsu Park"
    assert table_rows(response.text, "plan-actions-table")[0][:2] == ["Add a replica", "ops-desk"]
    history = re.search(r'<ul class="list-unstyled small" id="plan-history">(.*?)</ul>', response.text, re.S).group(1)
    assert "· Minsu Park: Proposed → Approved" in history
    board = client.get("/plans/").text
    card = re.search(rf'data-plan="{plan.code}">(.*?)</div></div>', board, re.S).group(1)
    assert "Owner: Minsu Park" in card


@pytest.mark.django_db
def test_agreement_and_service_owners_and_the_change_history_are_named(client, manager, nameless, agreement_a):
    agreement_a.owner = nameless
    agreement_a.save()
    agreement_a.owner = manager
    agreement_a._history_user = manager
    agreement_a.save()
    service = ServiceFactory(name="Online banking", owner=manager)
    client.force_login(manager)

    response = client.get(agreement_a.get_absolute_url())

    assert re.search(r"<dt[^>]*>Owner</dt><dd[^>]*>Minsu Park</dd>", response.text)
    assert history_rows(response)[0] == ("Minsu Park", "Agreement (changed)", ["owner: ops-desk → Minsu Park"])
    assert "<strong>Owner:</strong> Minsu Park" in client.get(service.get_absolute_url()).text
    services = client.get("/services/").text
    assert re.search(r">Online banking</a></td>.*?<td>Minsu Park</td></tr>", services)


@pytest.mark.django_db
def test_a_requirement_names_who_submitted_and_changed_it(client, manager, alice, customer_a):
    alice.first_name, alice.last_name = "Alice", "Kim"
    alice.save()
    requirement = RequirementFactory(customer=customer_a, submitted_by=alice)
    client.force_login(manager)
    client.post(f"/requirements/{requirement.code}/status/analysed/")

    text = page_text(client.get(requirement.get_absolute_url()))

    assert re.search(r"Submitted \d+ \w+ \d{4}, \d\d:\d\d \w+ · Alice Kim", text)
    assert "· Minsu Park · Analysed" in text


@pytest.mark.django_db
def test_a_customers_members_and_a_report_comments_author_are_named(client, manager, alice, agreement_a):
    jiwoo = UserFactory(username="jlee", first_name="Jiwoo", last_name="Lee")
    MembershipFactory(user=jiwoo, customer=agreement_a.customer)
    ReportComment.objects.create(agreement=agreement_a, period_label="2026-11", text="Fine.", author=manager)
    client.force_login(manager)

    members = page_text(client.get("/customers/acme/"))
    assert "People Manage people alice Allow to sign agreements Jiwoo Lee Allow to sign agreements" in members
    report = client.get(f"{agreement_a.get_absolute_url()}report/?period=2026-11").text
    assert re.search(r'<div class="small text-muted">Minsu Park · ', report)


@pytest.mark.django_db
def test_owner_choices_and_the_navigation_bar_show_names(client, manager, nameless):
    client.force_login(manager)

    form = client.get("/agreements/new/").text
    owner_select = form.split('name="owner"')[1].split("</select>")[0]
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', owner_select)
    assert options == ["Minsu Park", "ops-desk"]  # by the name shown
    assert '<span class="user-name" title="Minsu Park">Minsu Park</span>' in form
