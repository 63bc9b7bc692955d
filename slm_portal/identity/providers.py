"""The OpenID Connect providers people may sign in with, read from the environment at start-up.

``SLM_OIDC_PROVIDERS`` holds a JSON list, one object per provider:

    [{"name": "keycloak", "label": "Example Corp", "issuer": "https://sso.example.com/realms/corp",
      "client_id": "slm-portal", "client_secret_env": "SLM_OIDC_KEYCLOAK_SECRET"}]

Optional keys: ``discovery_url`` (default: the issuer's /.well-known/openid-configuration), ``scopes`` (default
"openid email profile"), ``groups_claim`` (default "groups"). The client secret itself never sits in this list: the
provider names the environment variable that holds it, read when a sign-in needs it. Plain Python (settings.py
imports it), no Django model.
"""

import json
import os
import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
KEYS = {"name", "label", "issuer", "discovery_url", "client_id", "client_secret_env", "scopes", "groups_claim"}


@dataclass(frozen=True)
class Provider:
    name: str  # the slug in URLs and in role rules
    label: str  # shown on the button: "Sign in with <label>"
    issuer: str
    discovery_url: str
    client_id: str
    client_secret_env: str = ""
    scopes: str = "openid email profile"
    groups_claim: str = "groups"

    @property
    def client_secret(self):
        """The secret, from its environment variable (None for a public client, which PKCE protects)."""
        return os.environ.get(self.client_secret_env) or None if self.client_secret_env else None


def parse_providers(raw, variable="SLM_OIDC_PROVIDERS"):
    """A tuple of Provider from the variable's JSON text; ImproperlyConfigured naming what is wrong."""
    if not raw or not raw.strip():
        return ()
    try:
        items = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{variable} is not valid JSON: {error}") from None
    if not isinstance(items, list):
        raise ImproperlyConfigured(f"{variable} must be a JSON list of providers.")
    providers = []
    for position, item in enumerate(items, start=1):
        where = f"{variable}, provider {position}"
        if not isinstance(item, dict):
            raise ImproperlyConfigured(f"{where}: must be a JSON object.")
        if "client_secret" in item:
            raise ImproperlyConfigured(f"{where}: name the secret's environment variable in client_secret_env.")
        unknown = set(item) - KEYS
        if unknown:
            raise ImproperlyConfigured(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
        for key in ("name", "issuer", "client_id"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ImproperlyConfigured(f"{where}: {key} is required.")
        if not NAME.match(item["name"]):
            raise ImproperlyConfigured(f"{where}: name must be lower-case letters, digits and dashes.")
        issuer = item["issuer"].strip()
        if not issuer.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"{where}: issuer must be an http(s) URL.")
        secret_env = item.get("client_secret_env", "")
        if secret_env and not os.environ.get(secret_env):
            raise ImproperlyConfigured(f"{where}: the environment variable {secret_env} (its client secret) is empty.")
        scopes = item.get("scopes", "openid email profile")
        if "openid" not in scopes.split():
            raise ImproperlyConfigured(f"{where}: scopes must include openid.")
        providers.append(
            Provider(
                name=item["name"],
                label=item.get("label") or item["name"],
                issuer=issuer,
                discovery_url=item.get("discovery_url") or f"{issuer.rstrip('/')}/.well-known/openid-configuration",
                client_id=item["client_id"],
                client_secret_env=secret_env,
                scopes=scopes,
                groups_claim=item.get("groups_claim", "groups"),
            )
        )
    names = [provider.name for provider in providers]
    if len(set(names)) != len(names):
        raise ImproperlyConfigured(f"{variable}: two providers have the same name.")
    return tuple(providers)


def provider_named(providers, name):
    return next((provider for provider in providers if provider.name == name), None)
