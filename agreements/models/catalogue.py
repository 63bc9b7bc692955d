"""Customers, the people who belong to them, and the service catalogue."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.choices import Criticality, ServiceStatus
from core.formatting import person_name
from core.tenancy import MEMBERSHIP_ACCESSOR, TenantQuerySet
from core.validators import validate_code_not_reserved


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
