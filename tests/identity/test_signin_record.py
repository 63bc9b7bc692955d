"""The sign-in record (slm_portal/identity): every kind of event is written, with who, when and from where; the
page shows admins everything and a customer administrator their own organisation only."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from agreements.models import Membership
from core.tenancy import SERVICE_MANAGERS_GROUP
from monitoring.models import ApiToken
from slm_portal.identity.choices import EventKind, SignInMethod
from slm_portal.identity.models import SignInEvent
from slm_portal.identity.record import prune, sign_in_method
from tests.agreements.page_checks import page_text
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/131"


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def carol(customer_a):
    """Acme's customer administrator."""
    return MembershipFactory(user=UserFactory(username="carol"), customer=customer_a, is_admin=True).user


def events(**lookup):
    return list(SignInEvent.objects.filter(**lookup).order_by("pk"))


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, HTTP_USER_AGENT=BROWSER, **extra
    )


def test_sign_in_is_recorded_with_method_address_and_browser(client, alice):
    assert sign_in(client, "alice").status_code == 302
    [event] = events(kind=EventKind.SIGNED_IN)
    assert (event.user, event.login_name, event.method, event.ip_address, event.user_agent) == (
        alice,
        "alice",
        SignInMethod.PASSWORD,
        "127.0.0.1",
        BROWSER,
    )
    assert event.customer.code == "acme"
    assert timezone.now() - event.at < dt.timedelta(minutes=1)


def test_failed_sign_in_records_the_username_tried(client, alice):
    sign_in(client, "alice", "wrong")
    sign_in(client, "nosuchperson", "wrong")
    tried = [(e.login_name, e.user) for e in events(kind=EventKind.SIGN_IN_FAILED)]
    assert tried == [("alice", alice), ("nosuchperson", None)]


def test_sign_out_is_recorded(client, alice):
    sign_in(client, "alice")
    client.post("/accounts/logout/")
    assert [e.user for e in events(kind=EventKind.SIGNED_OUT)] == [alice]


def test_method_is_read_from_the_backend():
    assert sign_in_method("django.contrib.auth.backends.ModelBackend") == SignInMethod.PASSWORD
    assert sign_in_method("mozilla_django_oidc.auth.OIDCAuthenticationBackend") == SignInMethod.OIDC
    assert sign_in_method("slm_portal.identity.oidc.PortalOIDCBackend") == SignInMethod.OIDC
    assert sign_in_method("django_auth_ldap.backend.LDAPBackend") == SignInMethod.LDAP
    assert sign_in_method("") == SignInMethod.OTHER


def test_api_token_creation_and_revocation_are_recorded(client, alice):
    client.force_login(alice)
    client.post("/account/api-tokens/", {"name": "reporting script"})
    token = ApiToken.objects.get(user=alice)
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    created, revoked = events(kind__in=[EventKind.TOKEN_CREATED, EventKind.TOKEN_REVOKED])
    assert (created.kind, created.user, created.actor, created.ip_address) == (
        EventKind.TOKEN_CREATED,
        alice,
        alice,
        "127.0.0.1",
    )
    assert "reporting script" in created.detail
    assert (revoked.kind, revoked.user) == (EventKind.TOKEN_REVOKED, alice)


def test_role_changes_are_recorded_with_who_made_them(client, admin_user, customer_a, customer_b):
    person = UserFactory(username="erin")
    managers = Group.objects.get(name=SERVICE_MANAGERS_GROUP)
    person.groups.add(managers)
    person.groups.remove(managers)
    managers.user_set.add(person)
    person.groups.clear()
    person.is_staff = True
    person.save()
    person.is_superuser = True
    person.save()
    person.is_staff = person.is_superuser = False
    person.save()
    membership = Membership.objects.create(user=person, customer=customer_a)
    membership.is_admin = True
    membership.save()
    membership.is_admin = False
    membership.save()
    membership.customer = customer_b
    membership.save()
    membership.delete()
    person.is_active = False
    person.save()
    person.is_active = True
    person.save()
    kinds = [e.kind for e in events(user=person)]
    assert kinds == [
        EventKind.MANAGER_GRANTED,
        EventKind.MANAGER_REVOKED,
        EventKind.MANAGER_GRANTED,
        EventKind.MANAGER_REVOKED,
        EventKind.STAFF_GRANTED,
        EventKind.SUPERUSER_GRANTED,
        EventKind.STAFF_REVOKED,
        EventKind.SUPERUSER_REVOKED,
        EventKind.MEMBERSHIP_CREATED,
        EventKind.CUSTOMER_ADMIN_GRANTED,
        EventKind.CUSTOMER_ADMIN_REVOKED,
        EventKind.MEMBERSHIP_REMOVED,
        EventKind.MEMBERSHIP_MOVED,
        EventKind.MEMBERSHIP_REMOVED,
        EventKind.DEACTIVATED,
        EventKind.REACTIVATED,
    ]
    moved = events(user=person, kind=EventKind.MEMBERSHIP_MOVED)[0]
    assert (moved.customer, moved.detail) == (customer_b, "Acme Bank → Globex Logistics")
    removed_first = events(user=person, kind=EventKind.MEMBERSHIP_REMOVED)[0]
    assert removed_first.customer == customer_a
    # Outside a request nobody is known to have made the change.
    assert {e.actor for e in events(user=person)} == {None}


def test_role_change_in_django_admin_names_the_admin(client, admin_user):
    person = UserFactory(username="erin")
    client.force_login(admin_user)
    managers = Group.objects.get(name=SERVICE_MANAGERS_GROUP)
    response = client.post(
        f"/admin/auth/user/{person.pk}/change/",
        {
            "username": "erin",
            "email": "erin@example.com",
            "is_active": "on",
            "is_staff": "on",
            "groups": [str(managers.pk)],
            "date_joined_0": "2026-12-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-12-01",
            "initial-date_joined_1": "10:00:00",
        },
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302, response.content[:2000]
    recorded = {(e.kind, e.actor, e.ip_address) for e in events(user=person)}
    assert recorded == {
        (EventKind.STAFF_GRANTED, admin_user, "198.51.100.4"),
        (EventKind.MANAGER_GRANTED, admin_user, "198.51.100.4"),
    }


def test_deleting_a_customer_or_a_person_keeps_the_record(customer_a, alice):
    alice.delete()
    customer_a.delete()
    assert SignInEvent.objects.filter(login_name="alice", user=None).exists()


def test_forwarded_address_only_from_a_trusted_proxy(client, alice, settings):
    import ipaddress

    sign_in(client, "alice", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.SLM_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]
    sign_in(
        client, "alice", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9, 10.0.0.3", REMOTE_ADDR="10.0.0.2"
    )
    assert [e.ip_address for e in events(kind=EventKind.SIGN_IN_FAILED)] == ["10.0.0.2", "203.0.113.9"]


def test_prune_removes_events_older_than_the_setting(alice):
    now = timezone.now()
    SignInEvent.objects.all().delete()
    SignInEvent.objects.create(kind=EventKind.SIGNED_IN, user=alice, at=now - dt.timedelta(days=40))
    SignInEvent.objects.create(kind=EventKind.SIGNED_IN, user=alice, at=now - dt.timedelta(days=20))
    assert prune(now, 30) == 1
    assert prune(now, 30) == 0
    assert prune(now, 0) == 0
    assert SignInEvent.objects.count() == 1


# The page


def test_record_page_ladder(client, alice, bob, carol, manager, admin_user):
    url = "/accounts/sign-ins/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    for person in (alice, bob, manager):
        client.force_login(person)
        assert client.get(url).status_code == 403, person
    for person in (carol, admin_user):
        client.force_login(person)
        assert client.get(url).status_code == 200


def test_customer_admin_sees_own_organisation_only(client, alice, bob, carol, admin_user):
    sign_in(client, "alice")
    sign_in(client, "bob")
    sign_in(client, "bob", "wrong")
    client.force_login(carol)
    response = client.get("/accounts/sign-ins/")
    people = {e.login_name for e in response.context["object_list"]}
    assert "bob" not in people
    assert {"alice", "carol"} <= people
    assert "bob" not in page_text(response)
    # Asking for the other organisation by filter or by name finds nothing of it.
    for query in ({"customer": "globex"}, {"person": "bob"}):
        response = client.get("/accounts/sign-ins/", query)
        assert all(e.customer_id == carol.customer_membership.customer_id for e in response.context["object_list"])
        assert "bob" not in {e.login_name for e in response.context["object_list"]}
    client.force_login(admin_user)
    assert "bob" in {e.login_name for e in client.get("/accounts/sign-ins/").context["object_list"]}


def test_record_filters_and_pages(client, alice, admin_user):
    now = timezone.now()
    SignInEvent.objects.all().delete()
    for day in range(60):
        SignInEvent.objects.create(
            kind=EventKind.SIGNED_IN, user=alice, login_name="alice", at=now - dt.timedelta(days=day)
        )
    SignInEvent.objects.create(kind=EventKind.SIGN_IN_FAILED, login_name="mallory", at=now)
    client.force_login(admin_user)
    first = client.get("/accounts/sign-ins/")
    assert len(first.context["object_list"]) == 50
    assert first.context["paginator"].count >= 61
    assert client.get("/accounts/sign-ins/", {"kind": "sign_in_failed"}).context["paginator"].count == 1
    assert client.get("/accounts/sign-ins/", {"person": "MALL"}).context["paginator"].count == 1
    since = timezone.localdate(now - dt.timedelta(days=9)).isoformat()
    dated = client.get("/accounts/sign-ins/", {"since": since, "kind": "signed_in", "person": "alice"})
    assert dated.context["paginator"].count == 10


def test_record_in_django_admin_is_read_only(client, admin_user, alice):
    sign_in(client, "alice")
    client.force_login(admin_user)
    assert client.get("/admin/identity/signinevent/").status_code == 200
    event = SignInEvent.objects.first()
    assert client.get(f"/admin/identity/signinevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/identity/signinevent/add/").status_code == 403
    before = SignInEvent.objects.count()
    assert client.post(f"/admin/identity/signinevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SignInEvent.objects.count() >= before


def test_record_page_in_korean(client, admin_user, alice):
    sign_in(client, "alice")
    client.force_login(admin_user)
    text = page_text(client.get("/accounts/sign-ins/", HTTP_ACCEPT_LANGUAGE="ko"))
    assert "로그인 기록" in text
    assert "로그인함" in text


def test_a_sign_in_after_the_customer_was_deleted_points_at_no_customer(client, alice, customer_a):
    assert alice.customer_membership.customer_id == customer_a.pk  # the membership is now kept on this object
    customer_a.delete()
    client.force_login(alice)
    event = SignInEvent.objects.filter(kind=EventKind.SIGNED_IN).get()
    assert event.customer_id is None
