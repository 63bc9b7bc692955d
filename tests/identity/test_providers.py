"""SLM_OIDC_PROVIDERS: the providers read from the environment, and start-up refusing a wrong list."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from slm_portal.identity.providers import parse_providers

KEYCLOAK = {
    "name": "keycloak",
    "label": "Example Corp",
    "issuer": "https://sso.example.com/realms/corp",
    "client_id": "slm-portal",
    "client_secret_env": "SLM_OIDC_KEYCLOAK_SECRET",
}


def test_a_provider_with_defaults(monkeypatch):
    monkeypatch.setenv("SLM_OIDC_KEYCLOAK_SECRET", "s3cret")
    (provider,) = parse_providers(json.dumps([KEYCLOAK]))
    assert provider.discovery_url == "https://sso.example.com/realms/corp/.well-known/openid-configuration"
    assert provider.scopes == "openid email profile"
    assert provider.groups_claim == "groups"
    assert provider.client_secret == "s3cret"
    assert "s3cret" not in repr(provider)


def test_nothing_set_means_no_provider():
    assert parse_providers("") == ()
    assert parse_providers(None) == ()


@pytest.mark.parametrize(
    ("providers", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"name": "x"}', "JSON list"),
        ([{"issuer": "https://a.example", "client_id": "a"}], "name is required"),
        ([{"name": "Bad Name", "issuer": "https://a.example", "client_id": "a"}], "lower-case"),
        ([{"name": "a", "issuer": "ftp://a.example", "client_id": "a"}], "http(s) URL"),
        ([{"name": "a", "issuer": "https://a.example", "client_id": "a", "client_secret": "x"}], "client_secret_env"),
        ([{"name": "a", "issuer": "https://a.example", "client_id": "a", "colour": "red"}], "unknown keys colour"),
        ([{"name": "a", "issuer": "https://a.example", "client_id": "a", "scopes": "email"}], "include openid"),
        ([KEYCLOAK | {"client_secret_env": "SLM_TEST_UNSET_SECRET"}], "SLM_TEST_UNSET_SECRET"),
        ([{"name": "a", "issuer": "https://a.example", "client_id": "a"}] * 2, "same name"),
    ],
)
def test_a_wrong_list_stops_start_up_with_the_reason(monkeypatch, providers, message):
    monkeypatch.delenv("SLM_TEST_UNSET_SECRET", raising=False)
    raw = providers if isinstance(providers, str) else json.dumps(providers)
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_providers(raw)
