"""Service level requirements (what users need, in their words) and the weights of their prioritisation."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Customer, Service, ServiceLevelTarget
from core.tenancy import TenantQuerySet, customer_id_of
from core.workflow import WorkflowMixin
from requirements_analysis import scoring
from requirements_analysis.choices import (
    NEEDS_REASON,
    OPEN_STATUSES,
    REQUIREMENT_TRANSITIONS,
    Category,
    RequirementStatus,
    Source,
)
from requirements_analysis.drafts import draft_target

one_to_five = [MinValueValidator(1), MaxValueValidator(5)]


def new_code():
    return f"req-{secrets.token_hex(4)}"


class RequirementQuerySet(TenantQuerySet):
    customer_path = "customer"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class ServiceLevelRequirement(WorkflowMixin, models.Model):
    """What a customer needs from a service, in their own words, how much it matters and how well it is met."""

    code = models.SlugField(_("reference"), max_length=20, unique=True, default=new_code, editable=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("customer")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("service")
    )
    statement = models.TextField(_("statement"), help_text=_("The need in the user's own words."))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    importance = models.PositiveSmallIntegerField(
        _("importance (1-5)"), validators=one_to_five, help_text=_("1 = nice to have, 5 = essential.")
    )
    performance = models.PositiveSmallIntegerField(
        _("current performance (1-5)"),
        validators=one_to_five,
        help_text=_("How well it is met today: 1 = poorly, 5 = fully."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    desired_level = models.CharField(
        _("desired level"),
        max_length=200,
        blank=True,
        help_text=_('For example "99.95 % availability in business hours".'),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RequirementStatus.choices,
        default=RequirementStatus.PROPOSED,
        editable=False,
    )
    status_reason = models.TextField(_("reason"), blank=True, editable=False)
    targets = models.ManyToManyField(
        ServiceLevelTarget, blank=True, related_name="requirements", verbose_name=_("targets that meet it")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RequirementQuerySet.as_manager()

    # The workflow (core.workflow): proposed -> analysed -> agreed, rejected or deferred; these two need a reason.
    # Agreeing may add a draft target (``create_target_on``).
    status_choices = RequirementStatus
    transitions = REQUIREMENT_TRANSITIONS
    refused_transition_message = _("A requirement cannot go from %(old)s to %(new)s.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service level requirement")
        verbose_name_plural = _("service level requirements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(importance__gte=1, importance__lte=5, performance__gte=1, performance__lte=5),
                name="requirement_ratings_one_to_five",
            ),
            models.CheckConstraint(condition=models.Q(status__in=RequirementStatus.values), name="requirement_status"),
            models.CheckConstraint(condition=models.Q(category__in=Category.values), name="requirement_category"),
        ]

    def __str__(self):
        return f"{self.code}: {self.statement[:60]}"

    def get_absolute_url(self):
        return reverse("requirements_analysis:requirement_detail", kwargs={"code": self.code})

    @staticmethod
    def may_submit(user):
        """Customer users submit requirements for their organisation; service managers for any customer."""
        return customer_id_of(user) is not None or user.has_perm("requirements_analysis.add_servicelevelrequirement")

    def precondition_problems(self, new_status, reason="", **details):
        if new_status in NEEDS_REASON and not reason.strip():
            return [_("Say why: a rejected or deferred requirement needs a reason.")]
        return []

    def record_transition(self, locked, new_status, reason="", create_target_on=None, **details):
        """Store the step; agreeing may also add a draft target to ``create_target_on`` (one of the customer's
        agreements), linked to the requirement."""
        self.status = new_status
        self.status_reason = reason.strip()
        self.save(update_fields=["status", "status_reason", "updated_at"])
        if new_status == RequirementStatus.AGREED and create_target_on is not None:
            self.targets.add(draft_target(self, create_target_on))


class PriorityWeights(models.Model):
    """The weights of the prioritisation score (one row; admins change it in Django admin)."""

    importance = models.DecimalField(_("importance weight"), max_digits=5, decimal_places=2, default=Decimal(3))
    gap = models.DecimalField(_("performance gap weight"), max_digits=5, decimal_places=2, default=Decimal(4))
    criticality = models.DecimalField(_("criticality weight"), max_digits=5, decimal_places=2, default=Decimal(2))
    record = models.DecimalField(_("measured record weight"), max_digits=5, decimal_places=2, default=Decimal(3))
    record_periods = models.PositiveSmallIntegerField(
        _("closed periods read for the record"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("prioritisation weights")
        verbose_name_plural = _("prioritisation weights")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(importance__gte=0, gap__gte=0, criticality__gte=0, record__gte=0),
                name="priority_weights_not_negative",
            ),
        ]

    def __str__(self):
        return str(_("Prioritisation weights"))

    def clean(self):
        try:
            self.as_weights()
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def as_weights(self):
        return scoring.Weights(self.importance, self.gap, self.criticality, self.record)

    @classmethod
    def current(cls):
        weights = cls.objects.order_by("pk").first()
        return weights or cls.objects.create()
