"""Indicators (SLIs), the link from a service level target to the indicator it measures, and data sources."""

import functools
import hashlib
import operator
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import BusinessCalendar, Customer, Service, ServiceLevelTarget
from core.tenancy import TenantQuerySet, customer_id_of
from core.validators import validate_code_not_reserved
from monitoring.choices import Operator, TicketMetric, TokenScope, TokenState
from monitoring.kinds import COMPARISONS, KINDS, RATIO, IndicatorKind

DATA_SOURCE_TOKEN_PREFIX = "slmds_"  # noqa: S105 - a visible prefix, not a secret
PERSONAL_TOKEN_PREFIX = "slmpt_"  # noqa: S105


class IndicatorQuerySet(TenantQuerySet):
    customer_path = "service__agreements__customer"
    customer_path_is_many = True

    def for_user(self, user):
        """Indicators of the person's services; a ticket indicator counts one customer's tickets and is theirs only."""
        rows = super().for_user(user)
        # Those who see every indicator need no look-up of a membership they do not have (a query per page).
        if rows.query.is_empty() or user.has_perm("monitoring.view_indicator"):
            return rows
        customer_id = customer_id_of(user)
        if customer_id is None:
            return rows
        return rows.filter(models.Q(customer__isnull=True) | models.Q(customer_id=customer_id))


class Indicator(models.Model):
    """What is measured for a service: good/total event counts (ratio) or a value against a threshold."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("service"))
    code = models.SlugField(
        _("code"), max_length=80, unique=True, validators=[validate_code_not_reserved], help_text=_("Used by the API.")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices, default=RATIO.value)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("For example ms, requests, up/down."))
    operator = models.CharField(_("operator"), max_length=3, choices=Operator.choices, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Ticket indicators (kind "ticket") only: whose tickets, which clock, in which business hours, what pauses it.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket_indicators",
        verbose_name=_("customer"),
        help_text=_("Ticket indicators: the customer whose tickets are counted."),
    )
    ticket_metric = models.CharField(_("ticket clock"), max_length=20, choices=TicketMetric.choices, blank=True)
    business_hours = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket_indicators",
        verbose_name=_("business hours"),
        help_text=_("Ticket clocks run only in this calendar's working hours. Empty: around the clock."),
    )
    pause_categories = models.JSONField(_("paused while"), default=list, blank=True)
    warning_points = models.JSONField(_("warning points (% of the goal)"), default=list, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["service__name", "name"]
        verbose_name = _("indicator (SLI)")
        verbose_name_plural = _("indicators (SLIs)")
        constraints = [
            models.CheckConstraint(
                condition=functools.reduce(operator.or_, (kind.condition() for kind in KINDS.values())),
                name="indicator_threshold_complete",
            ),
        ]

    def __str__(self):
        if self.kind in KINDS and self.sli_kind.judged and self.threshold is not None:
            return f"{self.name} ({self.get_operator_display()} {self.threshold:g} {self.unit})".replace(" )", ")")
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:indicator_detail", kwargs={"code": self.code})

    def clean(self):
        """What the kind needs (a threshold indicator its operator and threshold; a ratio indicator keeps neither).
        Checked here for every form (the admin's too) before the database constraint would refuse the row."""
        super().clean()
        if self.kind not in KINDS:
            return  # the field's own choices check names it
        errors = self.sli_kind.clean(self)
        if errors:
            raise ValidationError(errors)

    @property
    def sli_kind(self):
        """The definition of this indicator's kind (``monitoring.kinds``)."""
        return KINDS[self.kind]

    @property
    def rule(self):
        """What a good sample is, for the indicator pages: "value ≥ 1 up", "good / total events"."""
        return self.sli_kind.rule(self)

    def is_good(self, value):
        """Whether one value of a threshold indicator is good."""
        return COMPARISONS[self.operator](value, self.threshold)


class TargetIndicatorQuerySet(TenantQuerySet):
    customer_path = "target__agreement__customer"


class TargetIndicator(models.Model):
    """The indicator a service level target measures (kept here: the agreements app never points up)."""

    target = models.OneToOneField(
        ServiceLevelTarget, on_delete=models.CASCADE, primary_key=True, related_name="indicator_link"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="target_links")

    objects = TargetIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("measured target")
        verbose_name_plural = _("measured targets")

    def __str__(self):
        return f"{self.target} ← {self.indicator}"


def hash_token(token):
    """Tokens are random and long, so one SHA-256 is enough; only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class DataSourceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Data sources are operated by service managers; customers see none."""
        if getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("monitoring.view_datasource"):
            return self
        return self.none()

    def active(self):
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, token):
        """The active data source holding ``token``, or None."""
        if not token or not token.startswith(DATA_SOURCE_TOKEN_PREFIX):
            return None
        return self.active().filter(token_hash=hash_token(token)).first()


class DataSource(models.Model):
    """A named origin of measurements (a monitoring tool, a script) with its own API token."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True, validators=[validate_code_not_reserved])
    indicators = models.ManyToManyField(
        Indicator, related_name="data_sources", blank=True, verbose_name=_("may write to")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token begins"), max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = DataSourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:datasource_detail", kwargs={"code": self.code})

    def issue_token(self):
        """Set a new token and return it; it is shown once and only its hash is kept."""
        token = DATA_SOURCE_TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_hint = token[:12]
        self.revoked_at = None
        return token

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    @property
    def is_active(self):
        return self.revoked_at is None


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        """A person sees their own tokens only."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def unrevoked(self):
        """Not revoked, expired or not: what a person may still revoke."""
        return self.filter(revoked_at__isnull=True)

    def active(self, now=None):
        """Usable now: neither revoked nor past its expiry."""
        now = now or timezone.now()
        return self.unrevoked().filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def holding(self, token):
        """The unrevoked token of an active person that ``token`` is, expired or not (the API names an expired one
        as such); None for any other string."""
        if not token or not token.startswith(PERSONAL_TOKEN_PREFIX):
            return None
        return (
            self.unrevoked().filter(token_hash=hash_token(token), user__is_active=True).select_related("user").first()
        )

    def authenticate(self, token):
        """The usable token ``token`` is (not revoked, not expired, of an active person), or None."""
        api_token = self.holding(token)
        return None if api_token is None or api_token.is_expired() else api_token


class ApiToken(models.Model):
    """A person's token for the REST API: acts as that person, sees what they see. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the reporting script."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token begins"), max_length=16, editable=False)
    scope = models.CharField(
        _("scope"),
        max_length=10,
        choices=TokenScope.choices,
        # Tokens made before scopes could write, and still can; the token page offers read only first.
        default=TokenScope.WRITE,
        help_text=_("A token never does more than its person may: read and write only lets it write what they can."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, help_text=_("Empty: never."))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.token_hint}…)"

    def issue_token(self):
        token = PERSONAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_hint = token[:12]
        return token

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    @property
    def allows_write(self):
        """Whether the token may be used for writes at all (the API's permission classes ask this by name); what
        is written is still limited by its person's permissions."""
        return self.scope == TokenScope.WRITE

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def state(self, now=None):
        """Active, expired or revoked (revoked wins: a revoked token stays revoked after its expiry)."""
        if self.revoked_at is not None:
            return TokenState.REVOKED
        return TokenState.EXPIRED if self.is_expired(now) else TokenState.ACTIVE
