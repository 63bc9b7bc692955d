"""The login page: a button per single sign-on provider, and passwords switched off per role
(SLM_PASSWORD_SIGN_IN_OFF), with a message that says why."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from slm_portal.identity.providers import parse_providers
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TWO_PROVIDERS = json.dumps(
    [
        {"name": "corp", "label": "Corp Keycloak", "issuer": "https://sso.corp.example/realms/corp", "client_id": "a"},
        {"name": "entra", "label": "Microsoft", "issuer": "https://login.microsoftonline.com/t/v2.0", "client_id": "b"},
    ]
)
MANAGERS_OFF = "Service managers sign in with single sign-on; their passwords are switched off."
CUSTOMERS_OFF = "People of customer organisations sign in with single sign-on; their passwords are switched off."


def post_login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_shows_a_button_per_provider(client, settings):
    settings.SLM_OIDC_PROVIDERS = parse_providers(TWO_PROVIDERS)
    page = client.get(reverse("login") + "?next=/agreements/").content.decode()
    assert "Sign in with Corp Keycloak" in page
    assert "Sign in with Microsoft" in page
    assert 'href="/accounts/oidc/corp/start/?next=/agreements/"' in page
    assert "or with your password" in page


def test_login_page_without_providers_shows_the_password_form_only(client, settings):
    settings.SLM_OIDC_PROVIDERS = ()
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page


def test_login_page_buttons_speak_korean(client, settings):
    settings.SLM_OIDC_PROVIDERS = parse_providers(TWO_PROVIDERS)
    page = client.get(reverse("login"), headers={"accept-language": "ko"}).content.decode()
    assert "Corp Keycloak(으)로 로그인" in page


def test_passwords_work_when_nothing_is_switched_off(client, settings, manager, alice):
    settings.SLM_PASSWORD_SIGN_IN_OFF = []
    assert post_login(client, "manager").status_code == 302
    assert post_login(client, "alice").status_code == 302


def test_managers_password_switched_off(client, settings, manager, alice):
    settings.SLM_PASSWORD_SIGN_IN_OFF = ["managers"]
    response = post_login(client, "manager")
    assert response.status_code == 200
    assert MANAGERS_OFF in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert post_login(client, "alice").status_code == 302  # customers still may


def test_customers_password_switched_off(client, settings, manager, alice, nobody):
    settings.SLM_PASSWORD_SIGN_IN_OFF = ["customers"]
    response = post_login(client, "alice")
    assert response.status_code == 200
    assert CUSTOMERS_OFF in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert post_login(client, "manager").status_code == 302
    assert post_login(client, "nobody").status_code == 302  # no role, no rule


def test_a_wrong_password_does_not_tell_the_role(client, settings, manager):
    settings.SLM_PASSWORD_SIGN_IN_OFF = ["managers"]
    response = post_login(client, "manager", "not-the-password")
    assert MANAGERS_OFF not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_superusers_keep_their_password(client, settings, manager):
    settings.SLM_PASSWORD_SIGN_IN_OFF = ["managers", "customers"]
    admin = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    admin.groups.add(*manager.groups.all())
    assert post_login(client, "root").status_code == 302


def test_admin_login_follows_the_same_rule(client, settings, manager):
    settings.SLM_PASSWORD_SIGN_IN_OFF = ["managers"]
    manager.is_staff = True
    manager.save()
    response = client.post(reverse("admin:login"), {"username": "manager", "password": PASSWORD})
    assert response.status_code == 200
    assert MANAGERS_OFF in response.content.decode()
    assert "_auth_user_id" not in client.session
