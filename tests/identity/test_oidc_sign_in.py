"""OpenID Connect sign-in against a provider on 127.0.0.1 (tests/identity/issuer.py): the account and roles a good
answer gives, and each bad answer refused with a clear message and nothing created."""

import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agreements.models import Membership
from core.tenancy import SERVICE_MANAGERS_GROUP
from slm_portal.identity import oidc
from slm_portal.identity.choices import ClaimMatch, GrantedRole
from slm_portal.identity.models import RoleRule, SingleSignOnAccount
from slm_portal.identity.providers import parse_providers
from tests.identity.issuer import StubIssuer

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def stub(settings, monkeypatch):
    with StubIssuer() as issuer:
        monkeypatch.setenv("SLM_TEST_STUB_SECRET", issuer.client_secret)
        settings.SLM_OIDC_PROVIDERS = parse_providers(
            json.dumps([issuer.provider_json() | {"client_secret_env": "SLM_TEST_STUB_SECRET"}])
        )
        oidc._clients.clear()
        yield issuer
        oidc._clients.clear()


@pytest.fixture
def rules(customer_a):
    RoleRule.objects.create(
        order=10, claim="groups", match=ClaimMatch.CONTAINS, value="slm-managers", role=GrantedRole.SERVICE_MANAGER
    )
    RoleRule.objects.create(
        order=20,
        claim="email",
        match=ClaimMatch.EMAIL_DOMAIN,
        value="acme.example",
        role=GrantedRole.CUSTOMER_MEMBER,
        customer=customer_a,
    )
    RoleRule.objects.create(
        order=30, claim="groups", match=ClaimMatch.CUSTOMER_PREFIX, value="customer:", role=GrantedRole.CUSTOMER_MEMBER
    )


def start(client, next_url=None):
    url = reverse("identity:oidc_start", kwargs={"provider": "stub"})
    response = client.get(url, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content
    return response["Location"]


def callback(client, query):
    return client.get(reverse("identity:oidc_callback", kwargs={"provider": "stub"}) + "?" + query)


def sign_in(client, stub, claims, next_url=None):
    query, _request = stub.authorize(start(client, next_url), claims)
    return callback(client, query)


def counts():
    return (User.objects.count(), SingleSignOnAccount.objects.count(), Membership.objects.count())


MANAGER = {"sub": "3f2a-77", "email": "kim@corp.example", "email_verified": True, "groups": ["slm-managers"]}
ACME = {"sub": "a-1", "email": "lee@acme.example", "email_verified": True, "given_name": "Jiwoo", "family_name": "Lee"}


def assert_refused(response, text, before):
    assert response.status_code == 403
    assert text in response.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_request_carries_pkce_state_and_nonce(client, stub):
    _query, request = stub.authorize(start(client), MANAGER)
    assert request["code_challenge_method"] == "S256"
    assert len(request["code_challenge"]) == 43
    assert request["state"]
    assert request["nonce"]
    assert request["scope"] == "openid email profile"
    assert request["redirect_uri"] == "http://testserver/accounts/oidc/stub/callback/"


def test_first_sign_in_creates_a_manager(client, stub, rules):
    response = sign_in(client, stub, MANAGER)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    link = SingleSignOnAccount.objects.get()
    assert (link.provider, link.issuer, link.subject) == ("stub", stub.issuer, "3f2a-77")
    user = link.user
    assert user.username == "stub.3f2a-77"
    assert user.email == "kim@corp.example"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [SERVICE_MANAGERS_GROUP]
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["_auth_user_backend"] == oidc.BACKEND
    # A service manager uses two factors whatever the way in: first an authenticator app to enrol.
    assert client.get(reverse("home"))["Location"] == "/accounts/two-factor/setup/?next=%2F"


def test_first_sign_in_creates_a_customer_member(client, stub, rules, customer_a):
    response = sign_in(client, stub, ACME, next_url="/agreements/")
    assert response.status_code == 302
    assert response["Location"] == "/agreements/"
    user = User.objects.get(username="stub.a-1")
    assert (user.first_name, user.last_name) == ("Jiwoo", "Lee")
    assert Membership.objects.get(user=user).customer == customer_a
    assert not user.groups.exists()


def test_next_to_another_site_is_ignored(client, stub, rules):
    response = sign_in(client, stub, ACME, next_url="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_the_same_subject_signs_in_to_the_same_account_and_roles_follow_the_claims(client, stub, rules):
    sign_in(client, stub, MANAGER)
    client.logout()
    moved = MANAGER | {"email": "kim@new-mail.example", "groups": []}
    response = sign_in(client, stub, moved)
    assert response.status_code == 302
    assert counts() == (1, 1, 0)
    user = User.objects.get()
    assert user.email == "kim@new-mail.example"
    assert not user.groups.filter(name=SERVICE_MANAGERS_GROUP).exists()


def test_a_local_account_with_the_same_email_is_not_taken_over(client, stub, rules):
    local = User.objects.create_user("kim", email="kim@corp.example", password="x-very-long-pass")
    sign_in(client, stub, MANAGER)
    assert SingleSignOnAccount.objects.get().user != local
    assert not local.groups.exists()


def test_unverified_email_grants_no_domain_role(client, stub, rules):
    sign_in(client, stub, ACME | {"email_verified": False})
    assert Membership.objects.count() == 0


def test_unknown_issuer_is_refused(client, stub, rules):
    before = counts()
    stub.id_token_changes = {"iss": "https://evil.example"}
    assert_refused(sign_in(client, stub, MANAGER), "unknown issuer", before)


def test_discovery_of_another_issuer_is_refused(client, stub, rules):
    stub.announced_issuer = "https://evil.example"
    response = client.get(reverse("identity:oidc_start", kwargs={"provider": "stub"}))
    assert response.status_code == 403
    assert "another issuer" in response.content.decode()


def test_expired_id_token_is_refused(client, stub, rules):
    before = counts()
    stub.id_token_changes = {"exp": int(time.time()) - 120, "iat": int(time.time()) - 600}
    assert_refused(sign_in(client, stub, MANAGER), "token has expired", before)


def test_wrong_nonce_is_refused(client, stub, rules):
    before = counts()
    stub.id_token_changes = {"nonce": "not-the-one-sent"}
    assert_refused(sign_in(client, stub, MANAGER), "not issued for this sign-in", before)


def test_missing_nonce_is_refused(client, stub, rules):
    before = counts()
    stub.id_token_changes = {"nonce": None}
    assert_refused(sign_in(client, stub, MANAGER), "failed its checks", before)


def test_token_for_another_client_is_refused(client, stub, rules):
    before = counts()
    stub.id_token_changes = {"aud": "another-app"}
    assert_refused(sign_in(client, stub, MANAGER), "issued for another application", before)


def test_token_signed_by_another_key_is_refused(client, stub, rules):
    before = counts()
    stub.sign_with = stub.other_key
    assert_refused(sign_in(client, stub, MANAGER), "failed its checks", before)


def test_replayed_callback_is_refused(client, stub, rules):
    query, _request = stub.authorize(start(client), ACME)
    assert callback(client, query).status_code == 302
    client.logout()
    before = counts()
    assert_refused(callback(client, query), "already used", before)
    # In a browser that started a sign-in of its own, the old callback is no better.
    start(client)
    assert_refused(callback(client, query), "already used", before)


def test_replayed_id_token_is_refused(client, stub, rules):
    sign_in(client, stub, ACME)
    client.logout()
    before = counts()
    stub.replay_id_token = stub.issued_id_tokens[-1]  # a genuine token, but of the earlier sign-in
    assert_refused(sign_in(client, stub, ACME), "not issued for this sign-in", before)


def test_provider_error_is_shown(client, stub):
    _query, request = stub.authorize(start(client), MANAGER)
    response = callback(client, f"error=access_denied&error_description=User+cancelled&state={request['state']}")
    assert response.status_code == 403
    assert "User cancelled" in response.content.decode()


def test_claim_naming_a_customer_that_does_not_exist_is_refused(client, stub, rules):
    before = counts()
    response = sign_in(client, stub, {"sub": "x-9", "email": "x@y.example", "groups": ["customer:nosuch"]})
    assert_refused(response, "nosuch", before)


def test_claim_for_another_customer_grants_that_one_only(client, stub, rules, customer_a, customer_b):
    sign_in(client, stub, {"sub": "g-1", "email": "jo@globex.example", "groups": ["customer:globex"]})
    assert Membership.objects.get(user__username="stub.g-1").customer == customer_b
    assert not Membership.objects.filter(customer=customer_a).exists()


def test_claims_for_two_customers_are_refused(client, stub, rules, customer_b):
    before = counts()
    response = sign_in(client, stub, ACME | {"groups": ["customer:globex"]})
    assert_refused(response, "more than one customer", before)


def test_switched_off_account_is_refused(client, stub, rules):
    sign_in(client, stub, MANAGER)
    client.logout()
    User.objects.update(is_active=False)
    before = counts()
    assert_refused(sign_in(client, stub, MANAGER), "switched off", before)


def test_unknown_provider_is_404(client, stub):
    assert client.get(reverse("identity:oidc_start", kwargs={"provider": "nobody"})).status_code == 404
    assert client.get(reverse("identity:oidc_callback", kwargs={"provider": "nobody"})).status_code == 404


def test_unreachable_provider_is_said(client, settings):
    settings.SLM_OIDC_PROVIDERS = parse_providers(
        json.dumps([{"name": "stub", "label": "Down ID", "issuer": "http://127.0.0.1:9", "client_id": "x"}])
    )
    oidc._clients.clear()
    response = client.get(reverse("identity:oidc_start", kwargs={"provider": "stub"}))
    assert response.status_code == 403
    assert "Down ID cannot be reached" in response.content.decode()
