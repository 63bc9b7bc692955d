"""OpenID Connect sign-in: the authorization code flow with PKCE, state and nonce (Authlib's Django client).

``start`` sends the person to the provider; ``finish`` takes the provider's answer at the callback and returns the
signed-in account, or raises ``SignInRefused`` with a message for the person, having changed nothing. What it checks:

- the callback's ``state`` is one this browser's session is waiting for; it is taken out of the session as it is
  read, so a callback replayed (same code and state) finds nothing and is refused;
- the code is exchanged with the PKCE verifier of that state (S256);
- the ID token is signed by a key of the provider's JWKS (an algorithm it announces), its ``iss`` is the configured
  issuer (and so is the discovery document's), its ``aud`` holds our client id, it has not expired (30 s of clock
  skew allowed) and its ``nonce`` is the one sent with this sign-in;
- the userinfo answer, when the provider has the endpoint, is about the same ``sub``.

Then the role rules decide the person's roles (slm_portal/identity/rules.py), before any row is written; the first
sign-in creates the account, named after the provider and ``sub`` (issuer + sub identify the person, the e-mail
address does not); every sign-in re-applies the roles.
"""

import hashlib
import logging
import re

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import errors as jose_errors

from core.formatting import login_name
from slm_portal.identity.models import SingleSignOnAccount
from slm_portal.identity.providers import provider_named
from slm_portal.identity.rules import SignInRefused, apply_decision, decide_roles

log = logging.getLogger(__name__)

LEEWAY_SECONDS = 30
TIMEOUT_SECONDS = 10
BACKEND = "slm_portal.identity.backends.SingleSignOnBackend"
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")

_clients = {}


def providers():
    return settings.SLM_OIDC_PROVIDERS


def provider(name):
    return provider_named(providers(), name)


def client_for(provider):
    """Authlib's client for ``provider``, kept for the process (it caches the discovery document and the keys)."""
    key = (provider, provider.client_secret)
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": provider.scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic" if provider.client_secret else "none",
                "timeout": TIMEOUT_SECONDS,
            },
        )
    return _clients[key]


def _unreachable(provider):
    message = _("The sign-in service %(name)s cannot be reached. Try again later.")
    return SignInRefused(message % {"name": provider.label})


def _metadata(provider, client):
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        log.warning("OpenID provider %s unreachable: %s", provider.name, error)
        raise _unreachable(provider) from None
    if metadata.get("issuer") != provider.issuer:
        raise SignInRefused(
            _("The sign-in service %(name)s answers as another issuer than the one configured. Nothing was changed.")
            % {"name": provider.label}
        )
    return metadata


def start(request, provider, redirect_uri):
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE verifier kept in the session)."""
    client = client_for(provider)
    _metadata(provider, client)
    return client.authorize_redirect(request, redirect_uri)


def _token(request, provider, client):
    try:
        return client.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "values": [provider.issuer]},
                "aud": {"essential": True, "values": [provider.client_id]},
                "sub": {"essential": True},
            },
            leeway=LEEWAY_SECONDS,
        )
    except MismatchingStateError:
        raise SignInRefused(_("This sign-in was already used or has expired. Please sign in again.")) from None
    except jose_errors.ExpiredTokenError:
        raise SignInRefused(_("The identity provider's token has expired. Please sign in again.")) from None
    except jose_errors.InvalidClaimError as error:
        if error.claim == "nonce":
            message = _("The identity provider's token was not issued for this sign-in. Please sign in again.")
        elif error.claim == "iss":
            message = _("The identity provider's token comes from an unknown issuer.")
        elif error.claim == "aud":
            message = _("The identity provider's token was issued for another application.")
        else:
            message = _("The identity provider's token failed its checks (%(claim)s).") % {"claim": error.claim}
        raise SignInRefused(message) from None
    except jose_errors.JoseError as error:
        log.warning("ID token from %s refused: %s", provider.name, error)
        message = _("The identity provider's token failed its checks (%(claim)s).") % {"claim": error.error}
        raise SignInRefused(message) from None
    except OAuthError as error:
        raise SignInRefused(
            _("The identity provider did not sign you in: %(reason)s") % {"reason": error.description or error.error}
        ) from None
    except requests.RequestException as error:
        log.warning("OpenID provider %s failed: %s", provider.name, error)
        raise _unreachable(provider) from None


def _claims(provider, client, token, metadata):
    id_claims = token.get("userinfo")
    if not id_claims:
        raise SignInRefused(_("The identity provider sent no ID token."))
    claims = dict(id_claims)
    if metadata.get("userinfo_endpoint") and token.get("access_token"):
        try:
            userinfo = dict(client.userinfo(token=token))
        except (requests.RequestException, ValueError) as error:
            log.warning("Userinfo of %s failed: %s", provider.name, error)
            raise _unreachable(provider) from None
        if userinfo.get("sub") != id_claims["sub"]:
            raise SignInRefused(_("The identity provider's answers are about two different people."))
        claims = userinfo | claims  # the signed ID token wins
    # An address the provider has not verified proves nothing: the rules see none (a domain rule then grants nothing).
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    if claims.get("email_verified") is False:
        email = ""
    groups = claims.get(provider.groups_claim, [])
    groups = [str(group) for group in groups] if isinstance(groups, list) else [str(groups)]
    return claims | {"email": email, "groups": groups}


def username_for(provider, subject, issuer):
    """A username from the provider's name and the person's sub: readable, unique, within Django's 150 characters."""
    base = f"{provider.name}.{USERNAME_UNSAFE.sub('_', subject)}"
    User = get_user_model()
    if len(base) <= 150 and not User.objects.filter(username=base).exists():
        return base
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:12]
    return f"{base[:137]}.{digest}"


def finish(request, provider):
    """The account the provider's answer at the callback signs in; raises ``SignInRefused`` and writes nothing."""
    client = client_for(provider)
    metadata = _metadata(provider, client)
    token = _token(request, provider, client)
    claims = _claims(provider, client, token, metadata)
    decision = decide_roles("oidc", claims, provider=provider.name)  # refuses before anything is written
    try:
        user = _account(provider, claims, decision)
    except IntegrityError:  # the same person's first sign-in in two tabs at once: one wins, the other starts again
        raise SignInRefused(_("This sign-in was already used or has expired. Please sign in again.")) from None
    log.info("Single sign-on of %s through %s, roles %s", login_name(user), provider.name, decision.roles or "none")
    return user


@transaction.atomic
def _account(provider, claims, decision):
    """The person's account, created on their first sign-in, with their details and roles brought up to date."""
    link = (
        SingleSignOnAccount.objects.select_for_update()
        .select_related("user")
        .filter(issuer=provider.issuer, subject=claims["sub"])
        .first()
    )
    if link is None:
        user = get_user_model()(username=username_for(provider, claims["sub"], provider.issuer))
        user.set_unusable_password()
    else:
        user = link.user
        if not user.is_active:
            raise SignInRefused(_("Your account is switched off. Ask an administrator."))
    user.email = claims["email"] or user.email
    user.first_name = str(claims.get("given_name") or user.first_name)[:150]
    user.last_name = str(claims.get("family_name") or user.last_name)[:150]
    user.save()
    if link is None:
        link = SingleSignOnAccount(user=user, provider=provider.name, issuer=provider.issuer, subject=claims["sub"])
    link.last_sign_in_at = timezone.now()
    link.save()
    apply_decision(user, decision)
    return user
