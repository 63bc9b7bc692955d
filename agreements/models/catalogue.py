"""Customers, the people who belong to them, and the service catalogue."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.choices import Criticality, ServiceStatus
from core.formatting import person_name
from core.tenancy import MEMBERSHIP_ACCESSOR, TenantQuerySet
from core.validators import validate_code_not_reserved

DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def split_domains(text):
    """``"Example.com, mail.example.com"`` -> ``["example.com", "mail.example.com"]``."""
    return [part.lower() for part in re.split(r"[\s,;]+", text or "") if part]


def validate_email_domains(text):
    bad = [domain for domain in split_domains(text) if not DOMAIN_PATTERN.match(domain)]
    if bad:
        raise ValidationError(
            _("Not an e-mail domain: %(domains)s (write example.com, without @)."), params={"domains": ", ".join(bad)}
        )


class CustomerQuerySet(TenantQuerySet):
    customer_path = "pk"


class Customer(models.Model):
    """The tenant: an organisation that receives services under agreements."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        validators=[validate_code_not_reserved],
        help_text=_("Short code used in URLs and reports."),
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the service reports and messages the customer receives."),
    )
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=500,
        blank=True,
        validators=[validate_email_domains],
        help_text=_(
            "The organisation's e-mail domains, separated by spaces or commas (example.com). Invitations go only to "
            "addresses under them; with none set, nobody can be invited."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agreements:customer_detail", kwargs={"code": self.code})

    @property
    def domain_list(self):
        """The e-mail domains as a list, lower case."""
        return split_domains(self.email_domains)

    def accepts_address(self, address):
        """True when the e-mail address is under one of the organisation's domains (never when none is set)."""
        domain = address.rpartition("@")[2].strip().lower()
        return bool(domain) and domain in self.domain_list


class MembershipQuerySet(TenantQuerySet):
    customer_path = "customer"


class Membership(models.Model):
    """A person of a customer organisation. A person belongs to at most one customer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name=MEMBERSHIP_ACCESSOR, verbose_name=_("user")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("customer")
    )
    may_sign_agreements = models.BooleanField(
        _("may sign agreements"),
        default=False,
        help_text=_("Accepts or rejects the organisation's agreements when they are sent for sign-off."),
    )
    is_admin = models.BooleanField(
        _("customer administrator"),
        default=False,
        help_text=_(
            "Invites the organisation's people, deactivates and reactivates them, and sees their sign-ins. "
            "Never reaches another organisation."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer membership")
        verbose_name_plural = _("customer memberships")

    def __str__(self):
        return f"{person_name(self.user)} @ {self.customer}"


class ServiceQuerySet(TenantQuerySet):
    customer_path = "agreements__customer"
    customer_path_is_many = True


class Service(models.Model):
    """An entry of the service catalogue. Customers see the services named in their agreements."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True, validators=[validate_code_not_reserved])
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_services",
        verbose_name=_("owner"),
    )
    criticality = models.PositiveSmallIntegerField(
        _("criticality tier"), choices=Criticality.choices, default=Criticality.BUSINESS_OPERATIONAL
    )
    status = models.CharField(_("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.LIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(criticality__gte=1, criticality__lte=4), name="service_criticality_1_to_4"
            ),
            models.CheckConstraint(condition=models.Q(status__in=ServiceStatus.values), name="service_status_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agreements:service_detail", kwargs={"code": self.code})
