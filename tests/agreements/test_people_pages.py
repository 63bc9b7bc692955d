"""A customer's People page (agreements/views/people.py): customer administrators manage their own organisation's
people, service managers everyone's; nobody reaches another organisation or raises anyone to manager or staff.

The cast: alice (a plain customer user of Acme), carol (Acme's customer administrator), dave (another person of
Acme), bob (Globex, the outsider), the service manager.
"""

import pytest
from django.contrib.auth.models import Group

from core.tenancy import SERVICE_MANAGERS_GROUP
from slm_portal.identity.choices import EventKind
from slm_portal.identity.models import SignInEvent
from tests.agreements.page_checks import page_text
from tests.factories import MembershipFactory, UserFactory
from tests.ladder import Rung, climb

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(customer_a):
    """Acme's customer administrator."""
    return MembershipFactory(
        user=UserFactory(username="carol", first_name="Carol", last_name="Han"), customer=customer_a, is_admin=True
    ).user


@pytest.fixture
def dave(customer_a):
    return MembershipFactory(user=UserFactory(username="dave"), customer=customer_a).user


def people_url(code="acme"):
    return f"/customers/{code}/people/"


def test_people_page_ladder(client, alice, bob, carol, manager):
    """Anonymous -> login; Globex's person -> 404; Acme's plain user -> 403; its administrator and a manager -> 200."""
    climb(client, Rung(people_url(), write=True), owner=alice, outsider=bob, manager=manager)
    client.force_login(carol)
    assert client.get(people_url()).status_code == 200


@pytest.mark.parametrize("action", ["active", "admin"])
def test_person_action_ladder(client, alice, bob, carol, dave, manager, action):
    membership = dave.customer_membership
    rung = Rung(f"/customers/acme/people/{membership.pk}/{action}/", write=True, method="post")
    climb(client, rung, owner=alice, outsider=bob, manager=manager, allowed_status=302)
    client.force_login(carol)
    assert client.post(rung.url, {action: "1"}).status_code == 302


def test_customer_admin_sees_own_people_with_last_sign_in(client, carol, dave, alice, bob):
    client.post("/accounts/login/", {"username": "dave", "password": "correct-horse-battery"})
    client.force_login(carol)
    response = client.get(people_url())
    names = [m.user.username for m in response.context["members"]]
    assert names == ["alice", "carol", "dave"]
    dave.refresh_from_db()
    assert dave.last_login is not None
    rows = {m.user.username: m for m in response.context["members"]}
    assert rows["dave"].user.last_login == dave.last_login
    assert rows["alice"].user.last_login is None
    assert "bob" not in page_text(response)


def test_customer_admin_never_reaches_another_organisation(client, carol, bob):
    client.force_login(carol)
    globex = bob.customer_membership
    assert client.get(people_url("globex")).status_code == 404
    assert client.post(f"/customers/globex/people/{globex.pk}/active/", {"active": "0"}).status_code == 404
    # Globex's person under Acme's address is not found either.
    assert client.post(f"/customers/acme/people/{globex.pk}/active/", {"active": "0"}).status_code == 404
    assert client.post(f"/customers/acme/people/{globex.pk}/admin/", {"admin": "1"}).status_code == 404
    bob.refresh_from_db()
    assert bob.is_active
    assert not bob.customer_membership.is_admin


def test_customer_admin_deactivates_and_reactivates_a_person(client, carol, dave):
    client.force_login(carol)
    url = f"/customers/acme/people/{dave.customer_membership.pk}/active/"
    assert client.post(url, {"active": "0"}).status_code == 302
    dave.refresh_from_db()
    assert not dave.is_active
    assert client.login(username="dave", password="correct-horse-battery") is False
    client.force_login(carol)
    client.post(url, {"active": "1"})
    dave.refresh_from_db()
    assert dave.is_active
    kinds = list(SignInEvent.objects.filter(user=dave, actor=carol).order_by("pk").values_list("kind", flat=True))
    assert kinds == [EventKind.DEACTIVATED, EventKind.REACTIVATED]


def test_customer_admin_makes_another_person_administrator(client, carol, dave):
    client.force_login(carol)
    client.post(f"/customers/acme/people/{dave.customer_membership.pk}/admin/", {"admin": "1"})
    dave.customer_membership.refresh_from_db()
    assert dave.customer_membership.is_admin
    event = SignInEvent.objects.get(kind=EventKind.CUSTOMER_ADMIN_GRANTED, user=dave)
    assert (event.actor, event.customer.code) == (carol, "acme")


def test_customer_admin_cannot_change_own_account_or_a_managers(client, carol, customer_a, manager):
    MembershipFactory(user=manager, customer=customer_a)
    client.force_login(carol)
    own = carol.customer_membership.pk
    assert client.post(f"/customers/acme/people/{own}/active/", {"active": "0"}).status_code == 403
    assert client.post(f"/customers/acme/people/{own}/admin/", {"admin": "0"}).status_code == 403
    managers = manager.customer_membership.pk
    assert client.post(f"/customers/acme/people/{managers}/active/", {"active": "0"}).status_code == 403
    carol.refresh_from_db()
    manager.refresh_from_db()
    assert carol.is_active
    assert carol.customer_membership.is_admin
    assert manager.is_active


def test_nothing_on_the_page_raises_anyone_to_manager_or_staff(client, carol, dave):
    client.force_login(carol)
    url = f"/customers/acme/people/{dave.customer_membership.pk}/admin/"
    client.post(url, {"admin": "1", "is_staff": "1", "is_superuser": "1", "groups": "1", "manager": "1"})
    dave.refresh_from_db()
    assert not dave.is_staff
    assert not dave.is_superuser
    assert not dave.groups.filter(name=SERVICE_MANAGERS_GROUP).exists()
    assert Group.objects.get(name=SERVICE_MANAGERS_GROUP).user_set.count() == 0


def test_manager_manages_every_organisation(client, manager, bob):
    client.force_login(manager)
    assert client.get(people_url("globex")).status_code == 200
    client.post(f"/customers/globex/people/{bob.customer_membership.pk}/admin/", {"admin": "1"})
    bob.customer_membership.refresh_from_db()
    assert bob.customer_membership.is_admin


def test_people_link_on_the_customer_page_and_in_the_menu(client, alice, carol, manager):
    client.force_login(carol)
    response = client.get("/customers/acme/")
    assert 'id="manage-people"' in response.text
    assert 'href="/customers/acme/people/" id="menu-people"' in client.get("/").text
    client.force_login(alice)
    assert 'id="manage-people"' not in client.get("/customers/acme/").text
    assert 'id="menu-people"' not in client.get("/").text
    client.force_login(manager)
    assert 'id="manage-people"' in client.get("/customers/acme/").text


def test_people_page_in_korean(client, carol):
    client.force_login(carol)
    response = client.get(people_url(), HTTP_ACCEPT_LANGUAGE="ko")
    assert "초대 보내기" in page_text(response)
