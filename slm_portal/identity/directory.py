"""Directory sign-in (LDAP / Active Directory): django-auth-ldap checks the password against the directory, and the
role rules (slm_portal/identity/rules.py, source "ldap") decide, at every sign-in, what the person is in the portal.

On the login page the person types their directory user name and password; after the directory accepted them:

1. their directory groups (the groups' names, ``cn``) and e-mail address go through the role rules. When the rules
   refuse, or grant no role at all, the sign-in is refused with the rules' message and no account is created (an
   account that exists loses the roles it had);
2. the account is found, or created with no usable local password; a local account of the same user name that was
   never signed in through the directory is not taken over;
3. the rules' decision is applied (service managers' group, customer membership), and the entry's name, e-mail
   address, DN and groups are kept on the account (DirectoryAccount) for admins to read.

Local accounts are tried first (settings.AUTHENTICATION_BACKENDS), so they work whether or not the directory answers.
A refusal or an unreachable directory leaves its message on the request; the login form shows it
(slm_portal/identity/forms/sign_in.py). Django's ``authenticate`` sends ``user_login_failed`` for every refusal.
"""

import ldap
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend, ldap_error

from core.formatting import login_name
from slm_portal.identity.models import DirectoryAccount
from slm_portal.identity.rules import Decision, SignInRefused, apply_decision, decide_roles

SOURCE = "ldap"
# The login form shows this attribute of the request, when a backend left it there, instead of its usual message.
REFUSAL_ATTRIBUTE = "sign_in_refusal"
# The directory did not answer (or not in AUTH_LDAP_TIMEOUT); other LDAP errors are set-up errors, logged.
UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)


def unreachable_message():
    return _(
        "The directory server (LDAP) could not be reached, so directory accounts cannot sign in just now. "
        "Local accounts still can: if yours is one, check the user name and password."
    )


def note_refusal(request, message):
    if request is not None:
        setattr(request, REFUSAL_ATTRIBUTE, message)


def directory_claims(ldap_user):
    """What the role rules read of a directory entry: ``email`` (its first ``mail``) and ``groups`` (their names)."""
    mail = (ldap_user.attrs or {}).get("mail") or [""]
    groups = sorted(ldap_user.group_names) if ldap_user.settings.GROUP_SEARCH is not None else []
    return {"email": mail[0], "groups": groups}


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend with the portal's role rules; settings AUTH_LDAP_* (see settings.py)."""

    def get_user(self, user_id):
        # django-auth-ldap's own returns deactivated accounts too; an admin who deactivates one ends its sessions.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def get_or_build_user(self, username, ldap_user):
        # Called once the directory accepted the password, before any row is written: a refusal creates nothing.
        claims = directory_claims(ldap_user)
        decision = decide_roles(SOURCE, claims)
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and not DirectoryAccount.objects.filter(user=user).exists():
            raise SignInRefused(
                _(
                    "A local account already has the user name %(username)s, so the directory cannot sign it in. "
                    "Sign in with its local password, or ask an administrator to link it to the directory."
                )
                % {"username": login_name(user)}
            )
        if not decision.roles:
            if not built:
                apply_decision(user, decision)  # whoever lost every role loses it in the portal too
            raise SignInRefused(
                _(
                    "Your directory account has no role in this portal: no role rule matches your directory groups. "
                    "Ask a portal administrator."
                )
            )
        ldap_user.portal_decision = decision
        ldap_user.portal_claims = claims
        return user, built

    def authenticate_ldap_user(self, ldap_user, password):
        try:
            user = super().authenticate_ldap_user(ldap_user, password)
        except SignInRefused as refusal:
            note_refusal(ldap_user._request, refusal.message)
            raise PermissionDenied(refusal.message) from None
        if user is None:
            return None
        apply_decision(user, getattr(ldap_user, "portal_decision", Decision()))
        DirectoryAccount.objects.update_or_create(
            user=user,
            defaults={
                "dn": ldap_user.dn,
                "groups": ldap_user.portal_claims["groups"],
                "signed_in_at": timezone.now(),
            },
        )
        return user


def note_unreachable_directory(sender, context, user, request, exception, **kwargs):
    if isinstance(exception, UNREACHABLE):
        note_refusal(request, unreachable_message())


ldap_error.connect(note_unreachable_directory, sender=DirectoryBackend, dispatch_uid="slm-directory-unreachable")
