"""Single sign-on in Chromium against a real OpenID provider process (node-oidc-provider, tests/identity/): the
person clicks the provider's button on the login page, signs in at the provider and lands in the portal, with the
account created and the role the rules grant."""

import json

import pytest
from django.contrib.auth import get_user_model

from agreements.models import Membership
from core.tenancy import SERVICE_MANAGERS_GROUP
from slm_portal.identity import oidc
from slm_portal.identity.choices import ClaimMatch, GrantedRole
from slm_portal.identity.models import RoleRule, SingleSignOnAccount
from slm_portal.identity.providers import parse_providers
from tests.browser.conftest import overflow, screenshot
from tests.identity.provider_process import oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "a-client-secret-of-the-test-provider"
ACCOUNTS = {
    "kim": {
        "email": "kim@corp.example",
        "email_verified": True,
        "given_name": "Minji",
        "family_name": "Kim",
        "groups": ["staff", "slm-managers"],
    },
    "lee": {"email": "lee@acme.example", "email_verified": True, "given_name": "Jiwoo", "groups": ["staff"]},
    "park": {"email": "park@elsewhere.example", "email_verified": True, "groups": ["customer:nosuch"]},
}


@pytest.fixture
def provider(live_server, settings, monkeypatch, customer_a):
    RoleRule.objects.create(
        claim="groups", match=ClaimMatch.CONTAINS, value="slm-managers", role=GrantedRole.SERVICE_MANAGER
    )
    RoleRule.objects.create(
        claim="email",
        match=ClaimMatch.EMAIL_DOMAIN,
        value="acme.example",
        role=GrantedRole.CUSTOMER_MEMBER,
        customer=customer_a,
    )
    RoleRule.objects.create(
        claim="groups", match=ClaimMatch.CUSTOMER_PREFIX, value="customer:", role=GrantedRole.CUSTOMER_MEMBER
    )
    client = {
        "client_id": "slm-portal",
        "client_secret": SECRET,
        "redirect_uris": [f"{live_server.url}/accounts/oidc/corp/callback/"],
    }
    with oidc_provider(client, ACCOUNTS) as issuer:
        monkeypatch.setenv("SLM_TEST_OIDC_SECRET", SECRET)
        settings.SLM_OIDC_PROVIDERS = parse_providers(
            json.dumps(
                [
                    {
                        "name": "corp",
                        "label": "Corp ID",
                        "issuer": issuer,
                        "client_id": "slm-portal",
                        "client_secret_env": "SLM_TEST_OIDC_SECRET",
                        "scopes": "openid email profile groups",
                    }
                ]
            )
        )
        oidc._clients.clear()
        yield issuer
        oidc._clients.clear()


def sign_in_at_the_provider(page, live_server, login, button="Sign in with Corp ID"):
    page.goto("/accounts/login/")
    page.get_by_role("link", name=button).click()
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password: the test provider's sign-in page takes any")
    page.click("button[type=submit]")
    page.get_by_role("button", name="Continue").click()  # the provider's consent page
    page.wait_for_url(f"{live_server.url}/**")


def test_a_manager_and_a_customer_sign_in_through_the_provider(new_page, live_server, provider, customer_a):
    page = new_page()
    page.goto("/accounts/login/")
    screenshot(page, "sso-login-1366-en")
    assert overflow(page)["scroll"] == 0
    sign_in_at_the_provider(page, live_server, "kim")
    # Signed in; a service manager then enrols an authenticator app (two factors, whatever the way in).
    assert page.url == f"{live_server.url}/accounts/two-factor/setup/?next=%2F"
    kim = SingleSignOnAccount.objects.get(issuer=provider, subject="kim").user
    assert kim.username == "corp.kim"
    assert (kim.first_name, kim.email) == ("Minji", "kim@corp.example")
    assert list(kim.groups.values_list("name", flat=True)) == [SERVICE_MANAGERS_GROUP]
    assert not Membership.objects.filter(user=kim).exists()

    # A customer's person, on a phone.
    other_page = new_page(viewport={"width": 390, "height": 844})
    other_page.goto("/accounts/login/")
    screenshot(other_page, "sso-login-390-en")
    assert overflow(other_page)["scroll"] == 0
    sign_in_at_the_provider(other_page, live_server, "lee")
    lee = SingleSignOnAccount.objects.get(issuer=provider, subject="lee").user
    assert Membership.objects.get(user=lee).customer == customer_a
    assert not lee.groups.exists()
    assert get_user_model().objects.filter(single_sign_on_accounts__isnull=False).count() == 2
    other_page.goto(f"/customers/{customer_a.code}/")
    assert customer_a.name in other_page.content()


def test_a_person_of_an_unknown_customer_is_refused_in_korean(new_page, live_server, provider):
    users_before = get_user_model().objects.count()
    for width, height in ((1366, 900), (390, 844)):
        page = new_page(locale="ko-KR", viewport={"width": width, "height": height})
        page.goto("/accounts/login/")
        screenshot(page, f"sso-login-{width}-ko")
        assert overflow(page)["scroll"] == 0
        sign_in_at_the_provider(page, live_server, "park", button="Corp ID(으)로 로그인")
        assert "/accounts/oidc/corp/callback/" in page.url
        assert "소속 조직(nosuch)은 이 포털의 고객이 아닙니다" in page.content()
        screenshot(page, f"sso-refused-{width}-ko")
        assert overflow(page)["scroll"] == 0
    assert get_user_model().objects.count() == users_before
    assert not SingleSignOnAccount.objects.exists()
    assert not Membership.objects.exists()
