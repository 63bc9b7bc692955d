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
