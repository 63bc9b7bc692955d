"""Satisfaction surveys: a campaign for a customer and period over chosen services, personal invitations with an
unguessable link (no login), and the answers: overall satisfaction, CSAT per service, importance and performance per
category.

Overall satisfaction is the one answer required. Any other rating may be "not applicable", stored as NULL, and every
mean leaves it out (``scoring.mean_rating``): a person who never calls the service desk does not pull its CSAT down.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer, Service
from core.tenancy import TenantQuerySet
from core.validators import validate_code_not_reserved
from core.workflow import WorkflowMixin
from requirements_analysis.choices import CAMPAIGN_TRANSITIONS, CampaignStatus, Category

one_to_five = [MinValueValidator(1), MaxValueValidator(5)]


def rated_or_not_applicable(*fields):
    """The database's rule for ratings that may be N/A: each is NULL or 1 to 5."""
    condition = models.Q()
    for field in fields:
        condition &= models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    return condition


def hash_survey_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CampaignQuerySet(TenantQuerySet):
    customer_path = "customer"


class SurveyCampaign(WorkflowMixin, models.Model):
    """A satisfaction survey of one customer's people about chosen services, for a period (e.g. "2026-Q4")."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="survey_campaigns", verbose_name=_("customer")
    )
    code = models.SlugField(_("code"), max_length=50, unique=True, validators=[validate_code_not_reserved])
    title = models.CharField(_("title"), max_length=200)
    period_label = models.CharField(_("period"), max_length=20, help_text=_('For example "2026-Q4" or "2026-11".'))
    services = models.ManyToManyField(Service, related_name="survey_campaigns", verbose_name=_("services"))
    message = models.TextField(_("message to the invited"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), help_text=_("Answers can be given and changed until then."))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT, editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    # The workflow (core.workflow): draft -> open -> closed.
    status_choices = CampaignStatus
    transitions = CAMPAIGN_TRANSITIONS
    refused_transition_message = _("A survey cannot go from %(old)s to %(new)s.")

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="campaign_closes_after"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("requirements_analysis:campaign_detail", kwargs={"code": self.code})

    def accepts_answers(self, now=None):
        now = now or timezone.now()
        return self.status == CampaignStatus.OPEN and self.opens_at <= now < self.closes_at


class InvitationQuerySet(TenantQuerySet):
    customer_path = "campaign__customer"

    def by_token(self, token, now=None):
        """The invitation a survey link belongs to, if its campaign takes answers now; else None."""
        if not token or len(token) > 100:
            return None
        invitation = self.select_related("campaign__customer").filter(token_hash=hash_survey_token(token)).first()
        if invitation is None or not invitation.campaign.accepts_answers(now):
            return None
        return invitation


class SurveyInvitation(models.Model):
    """One invited person and their personal link (only its hash is stored; the link is in the e-mail)."""

    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["campaign", "email"], name="invitation_once_per_campaign")]

    def __str__(self):
        return f"{self.email} ({self.campaign})"

    def issue_token(self):
        """A new personal link token (a previous link stops working); returns the token."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_survey_token(token)
        return token

    @staticmethod
    def link(token, portal_url=None):
        """The personal link, on ``portal_url`` (the address the sending page was reached at) unless SLM_PORTAL_URL
        is set, which always wins; else on SLM_PORTAL_URL's default (the port the portal serves on)."""
        path = reverse("requirements_analysis:survey_answer", kwargs={"token": token})
        base = settings.SLM_PORTAL_URL if settings.SLM_PORTAL_URL_IS_SET or not portal_url else portal_url
        return base.rstrip("/") + path


class SurveyResponse(models.Model):
    """An invited person's answers: one per invitation, changeable while the campaign is open."""

    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    overall_satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction (1-5)"), null=True, blank=True, validators=one_to_five,
        help_text=_("Required of every answer; empty only in answers given before the survey asked it."),
    )  # fmt: skip
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("first submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=rated_or_not_applicable("overall_satisfaction"), name="response_overall_one_to_five"
            ),
        ]

    def __str__(self):
        return f"{self.invitation}"


class ServiceRating(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="service_ratings")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    csat = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), null=True, blank=True, validators=one_to_five, help_text=_("Empty: not applicable.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "service"], name="service_rating_once"),
            models.CheckConstraint(condition=rated_or_not_applicable("csat"), name="service_rating_one_to_five"),
        ]

    def __str__(self):
        return f"{self.service_id}: {self.csat}"


class CategoryRating(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="category_ratings")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    importance = models.PositiveSmallIntegerField(
        _("importance (1-5)"), null=True, blank=True, validators=one_to_five, help_text=_("Empty: not applicable.")
    )
    performance = models.PositiveSmallIntegerField(
        _("performance (1-5)"), null=True, blank=True, validators=one_to_five, help_text=_("Empty: not applicable.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "category"], name="category_rating_once"),
            models.CheckConstraint(
                condition=rated_or_not_applicable("importance", "performance"), name="category_rating_one_to_five"
            ),
        ]

    def __str__(self):
        return f"{self.category}: {self.importance}/{self.performance}"
