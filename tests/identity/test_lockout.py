"""django-axes: repeated failures lock sign-in for that username from that address; the login page says so, in
English and Korean; the lockout is recorded; an admin unlocks; API tokens and the test client are unaffected."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from monitoring.models import ApiToken
from slm_portal.identity.choices import EventKind
from slm_portal.identity.models import SignInEvent
from tests.agreements.page_checks import page_text
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="127.0.0.1", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail(client, username, times, address="127.0.0.1"):
    return [sign_in(client, username, "wrong", address).status_code for _ in range(times)]


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def test_failures_up_to_the_limit_lock_the_account_for_that_address(client, alice):
    assert fail(client, "alice", 2) == [200, 200]
    response = sign_in(client, "alice", "wrong")
    assert response.status_code == 429
    text = page_text(response)
    assert "This account is locked for now." in text
    assert "Try again after" in text
    assert "(in 15 minutes)" in text
    [lockout] = SignInEvent.objects.filter(kind=EventKind.LOCKED_OUT)
    assert (lockout.user, lockout.login_name, lockout.ip_address, lockout.detail) == (alice, "alice", "127.0.0.1", "3")
    assert "after 3 failed sign-ins" in lockout.description()

    # The right password does not help while locked, and the refused try is a failed sign-in, not a new lockout.
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(kind=EventKind.LOCKED_OUT).count() == 1
    assert SignInEvent.objects.filter(kind=EventKind.SIGN_IN_FAILED, detail="locked").count() == 1
    assert not SignInEvent.objects.filter(kind=EventKind.SIGNED_IN).exists()

    # Another address may still sign in as alice (the lock is on username and address together).
    other = client.__class__()
    assert sign_in(other, "alice", PASSWORD, address="192.0.2.50").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, alice, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    fail(client, "alice", 3)
    time_machine.shift(dt.timedelta(minutes=16))
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_locked_page_in_korean(client, alice):
    fail(client, "alice", 3)
    response = sign_in(client, "alice", "wrong", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 429
    assert "이 계정은 잠시 잠겼습니다." in page_text(response)


def test_admin_unlocks_by_deleting_the_access_attempt(client, alice, django_user_model):
    fail(client, "alice", 3)
    attempt = AccessAttempt.objects.get(username="alice")
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    admin_client = client.__class__()
    admin_client.force_login(root)
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_api_bearer_tokens_are_unaffected_by_a_lockout(client, alice, agreement_a):
    api_token = ApiToken(user=alice, name="script")
    token = api_token.issue_token()
    api_token.save()
    fail(client, "alice", 4)
    response = client.get("/api/v1/agreements/acme-sla/compliance", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_test_client_login_still_works_with_axes_on(client, alice):
    assert client.login(username="alice", password=PASSWORD) is True
    assert client.login(username="alice", password="wrong") is False
    assert client.get("/").status_code in (200, 302)
