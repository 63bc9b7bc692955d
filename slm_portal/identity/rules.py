"""From an outside identity to the portal's roles: the role rules applied at every single sign-on or directory sign-in.

Both OpenID Connect (slm_portal/identity/oidc.py) and LDAP sign-in call this module:

    decision = decide_roles("ldap", {"email": "kim@acme.example", "groups": ["slm-managers"]})
    apply_decision(user, decision)                      # or both at once:
    apply_role_rules(user, source="oidc", claims=claims, provider="keycloak")

``decide_roles`` reads the enabled rules of the source (an OIDC rule with no provider applies to every provider) and
raises ``SignInRefused`` with a message for the person when the rules cannot be honoured:

- a rule's claim names a customer code (``customer:acme`` with the prefix ``customer:``) that no customer has;
- the rules grant memberships of two different customers (a person belongs to at most one customer).

A rule only ever grants what it names: a claim for another customer (``customer:beta``) grants beta, never acme.

``apply_decision`` makes the account match the decision, every sign-in, in one transaction:

- service manager: the person joins the service managers' group, or leaves it when no rule grants it any more;
- customer: the person becomes a member of the customer; a member of another customer is moved (the old membership,
  with its "may sign agreements" flag, is removed); when no rule grants a customer, an existing membership is removed.

Superuser and staff flags are never touched: admins are made in Django admin.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import Customer, Membership
from core.tenancy import MEMBERSHIP_ACCESSOR, SERVICE_MANAGERS_GROUP
from slm_portal.identity.choices import ClaimMatch, GrantedRole
from slm_portal.identity.models import RoleRule


class SignInRefused(Exception):
    """The sign-in cannot go on; ``message`` is shown to the person (translated) and nothing was created."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Decision:
    """The roles the rules grant one identity."""

    service_manager: bool = False
    customer: Customer | None = None
    rules: tuple = field(default=())  # the ids of the rules that matched, in order

    @property
    def roles(self):
        """Plain words for logs and tests: ["service_manager", "customer:acme"]."""
        roles = [GrantedRole.SERVICE_MANAGER.value] if self.service_manager else []
        return roles + ([f"customer:{self.customer.code}"] if self.customer else [])


def _values(claims, name):
    """A claim as a list of strings (a single value becomes a list of one; a missing claim an empty list)."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(item) for item in value]
    return [str(value)]


def _email_domain(address):
    _local, at, domain = address.strip().rpartition("@")
    return domain.lower() if at else ""


def matching_values(rule, claims):
    """The claim values ``rule`` matches (empty when it does not match). For a customer-code prefix: the codes."""
    values = _values(claims, rule.claim)
    wanted = rule.value.strip()
    if rule.match == ClaimMatch.EMAIL_DOMAIN:
        domain = wanted.lower().lstrip("@")
        return [value for value in values if _email_domain(value) == domain]
    if rule.match == ClaimMatch.CUSTOMER_PREFIX:
        return [value[len(wanted) :] for value in values if value.startswith(wanted) and len(value) > len(wanted)]
    if rule.match == ClaimMatch.EQUALS:
        return [value for value in values if value == wanted] if len(values) == 1 else []
    return [value for value in values if value == wanted]  # CONTAINS


def decide_roles(source: str, claims: dict, provider=None) -> Decision:
    """The roles the enabled rules of ``source`` grant an identity with ``claims``; raises ``SignInRefused``."""
    manager = False
    customers = {}  # code -> Customer
    matched = []
    for rule in RoleRule.objects.for_source(source, provider):
        values = matching_values(rule, claims)
        if not values:
            continue
        matched.append(rule.pk)
        if rule.role == GrantedRole.SERVICE_MANAGER:
            manager = True
        elif rule.match == ClaimMatch.CUSTOMER_PREFIX:
            for code in values:
                customer = Customer.objects.filter(code=code).first()
                if customer is None:
                    raise SignInRefused(
                        _("Your organisation (%(code)s) is not a customer of this portal. Ask the service desk.")
                        % {"code": code}
                    )
                customers[customer.code] = customer
        else:
            customers[rule.customer.code] = rule.customer
    if len(customers) > 1:
        raise SignInRefused(
            _("Your account would belong to more than one customer (%(codes)s). A person belongs to one only.")
            % {"codes": ", ".join(sorted(customers))}
        )
    return Decision(
        service_manager=manager,
        customer=next(iter(customers.values()), None),
        rules=tuple(matched),
    )


@transaction.atomic
def apply_decision(user, decision):
    """Make ``user``'s group and membership match ``decision`` (see the module's docstring)."""
    group, _created = Group.objects.get_or_create(name=SERVICE_MANAGERS_GROUP)
    if decision.service_manager:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.__dict__.pop("_slm_is_manager", None)
    current = Membership.objects.filter(user=user).first()
    if decision.customer is None:
        if current is not None:
            current.delete()
    elif current is None:
        Membership.objects.create(user=user, customer=decision.customer)
    elif current.customer_id != decision.customer.pk:
        current.delete()
        Membership.objects.create(user=user, customer=decision.customer)
    # Django caches the reverse one-to-one on the user object; the next read must see the new state.
    user._state.fields_cache.pop(MEMBERSHIP_ACCESSOR, None)


def apply_role_rules(user, *, source, claims, provider=None):
    """Decide and apply in one step; raises ``SignInRefused`` before changing anything."""
    decision = decide_roles(source, claims, provider)
    apply_decision(user, decision)
    return decision
