"""Role rules: which portal roles a person signing in through single sign-on or a directory receives.

An admin edits them in Django admin. Each rule looks at one claim of the identity (``email``, ``groups``, any other
claim the provider or directory sends) and grants one role; slm_portal/identity/rules.py applies them on every
sign-in.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from slm_portal.identity.choices import ClaimMatch, GrantedRole, RuleSource


class RoleRuleQuerySet(models.QuerySet):
    def for_source(self, source, provider=None):
        """The enabled rules that apply to a sign-in from ``source`` (and OIDC ``provider``), in their order."""
        rules = self.filter(enabled=True, source=source)
        if source == RuleSource.OIDC:
            rules = rules.filter(models.Q(provider="") | models.Q(provider=provider or ""))
        return rules.select_related("customer").order_by("order", "pk")


class RoleRule(models.Model):
    order = models.PositiveIntegerField(_("order"), default=100, help_text=_("Rules are read from the lowest number."))
    enabled = models.BooleanField(_("enabled"), default=True)
    source = models.CharField(_("source"), max_length=10, choices=RuleSource.choices, default=RuleSource.OIDC)
    provider = models.SlugField(
        _("provider"),
        max_length=50,
        blank=True,
        help_text=_("The name of one OpenID Connect provider (as in SLM_OIDC_PROVIDERS); empty: any provider."),
    )
    claim = models.CharField(
        _("claim"), max_length=100, default="email", help_text=_("For example email, groups, or any claim's name.")
    )
    match = models.CharField(_("match"), max_length=20, choices=ClaimMatch.choices, default=ClaimMatch.EMAIL_DOMAIN)
    value = models.CharField(
        _("value"),
        max_length=200,
        help_text=_("A domain (example.com), a group's name, a claim's value, or a prefix such as customer:"),
    )
    role = models.CharField(_("role granted"), max_length=20, choices=GrantedRole.choices)
    customer = models.ForeignKey(
        "agreements.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_rules",
        verbose_name=_("customer"),
        help_text=_("The customer a matching person becomes a member of (not with a customer-code prefix)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RoleRuleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("role rule")
        verbose_name_plural = _("role rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=RuleSource.values), name="role_rule_source_valid"),
            models.CheckConstraint(condition=models.Q(match__in=ClaimMatch.values), name="role_rule_match_valid"),
            models.CheckConstraint(condition=models.Q(role__in=GrantedRole.values), name="role_rule_role_valid"),
            # A service manager rule names no customer; a prefix rule finds its customer in the claim.
            models.CheckConstraint(
                condition=~models.Q(role=GrantedRole.SERVICE_MANAGER, customer__isnull=False)
                & ~models.Q(match=ClaimMatch.CUSTOMER_PREFIX, customer__isnull=False),
                name="role_rule_customer_only_when_named",
            ),
        ]

    def __str__(self):
        return f"{self.claim} {self.get_match_display()} {self.value} → {self.get_role_display()}"

    def clean(self):
        errors = {}
        if self.source == RuleSource.LDAP and self.provider:
            errors["provider"] = _("A directory rule names no OpenID Connect provider.")
        if self.role == GrantedRole.SERVICE_MANAGER:
            if self.customer_id:
                errors["customer"] = _("A service manager rule names no customer.")
            if self.match == ClaimMatch.CUSTOMER_PREFIX:
                errors["match"] = _(
                    "A customer-code prefix grants a customer membership, not the service manager role."
                )
        elif self.match == ClaimMatch.CUSTOMER_PREFIX:
            if self.customer_id:
                errors["customer"] = _(
                    "With a customer-code prefix, the customer comes from the claim; leave it empty."
                )
        elif not self.customer_id:
            errors["customer"] = _("Choose the customer this rule makes people members of.")
        if self.match == ClaimMatch.EMAIL_DOMAIN and "@" in self.value:
            errors["value"] = _("Give the domain only, without @ (example.com).")
        if errors:
            raise ValidationError(errors)
