from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSource(models.TextChoices):
    """Where the identity a role rule looks at comes from."""

    OIDC = "oidc", _("OpenID Connect (any provider, or the one named)")
    LDAP = "ldap", _("LDAP directory")


class ClaimMatch(models.TextChoices):
    """How a rule compares a claim with its value. A claim may hold one string or a list of strings (groups)."""

    EMAIL_DOMAIN = "email_domain", _("e-mail address is in the domain")
    CONTAINS = "contains", _("contains the value (or equals it)")
    EQUALS = "equals", _("equals the value")
    CUSTOMER_PREFIX = "customer_prefix", _("starts with the value; the rest is a customer's code")


class GrantedRole(models.TextChoices):
    SERVICE_MANAGER = "service_manager", _("service manager")
    CUSTOMER_MEMBER = "customer_member", _("member of a customer")


class EventKind(models.TextChoices):
    """What the sign-in record holds: sign-ins and their failures, API tokens, and every change of a person's role."""

    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    MANAGER_GRANTED = "manager_granted", _("Made a service manager")
    MANAGER_REVOKED = "manager_revoked", _("No longer a service manager")
    STAFF_GRANTED = "staff_granted", _("Made staff")
    STAFF_REVOKED = "staff_revoked", _("No longer staff")
    SUPERUSER_GRANTED = "superuser_granted", _("Made a superuser")
    SUPERUSER_REVOKED = "superuser_revoked", _("No longer a superuser")
    MEMBERSHIP_CREATED = "membership_created", _("Joined an organisation")
    MEMBERSHIP_MOVED = "membership_moved", _("Moved to another organisation")
    MEMBERSHIP_REMOVED = "membership_removed", _("Left an organisation")
    CUSTOMER_ADMIN_GRANTED = "customer_admin_granted", _("Made a customer administrator")
    CUSTOMER_ADMIN_REVOKED = "customer_admin_revoked", _("No longer a customer administrator")
    DEACTIVATED = "deactivated", _("Deactivated")
    REACTIVATED = "reactivated", _("Reactivated")

    @classmethod
    def role_changes(cls):
        return [kind for kind in cls if kind not in SIGN_IN_KINDS and kind not in TOKEN_KINDS]


SIGN_IN_KINDS = {EventKind.SIGNED_IN, EventKind.SIGN_IN_FAILED, EventKind.SIGNED_OUT, EventKind.LOCKED_OUT}
TOKEN_KINDS = {EventKind.TOKEN_CREATED, EventKind.TOKEN_REVOKED}


class SignInMethod(models.TextChoices):
    """How a person signed in, read from the authentication backend that let them in."""

    PASSWORD = "password", _("Password")
    OIDC = "oidc", _("Single sign-on (OpenID Connect)")
    LDAP = "ldap", _("Directory (LDAP)")
    OTHER = "other", _("Other")
