"""Prometheus as a source: a server the portal pulls from, and the PromQL queries that feed its indicators."""

import os

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import encryption
from core.validators import validate_code_not_reserved
from monitoring.choices import PrometheusAuth
from monitoring.models.indicators import Indicator

ENV_NAME = RegexValidator(r"^[A-Za-z_][A-Za-z0-9_]*$", _("An environment variable's name: letters, digits and _."))


class SecretUnavailable(Exception):
    """The source's secret cannot be read (its environment variable is unset, or no encryption key in use decrypts
    it)."""


class PrometheusSourceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Prometheus servers are operated by service managers; customers see none."""
        if (
            getattr(user, "is_authenticated", False)
            and user.is_active
            and user.has_perm("monitoring.view_prometheussource")
        ):
            return self
        return self.none()


class PrometheusSource(models.Model):
    """A Prometheus server: where it answers, how the portal signs in to it, and the state of the last pull."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True, validators=[validate_code_not_reserved])
    base_url = models.URLField(
        _("base URL"), max_length=500, help_text=_("Where Prometheus answers, e.g. https://prometheus.example.com.")
    )
    auth = models.CharField(_("authentication"), max_length=10, choices=PrometheusAuth.choices, default="none")
    username = models.CharField(_("user name"), max_length=200, blank=True, help_text=_("Basic authentication only."))
    secret_encrypted = models.TextField(blank=True, editable=False)
    secret_env = models.CharField(
        _("secret from environment variable"),
        max_length=100,
        blank=True,
        validators=[ENV_NAME],
        help_text=_("Read the token or password from this environment variable instead of storing it."),
    )
    timeout_seconds = models.FloatField(
        _("timeout (seconds)"), default=10, validators=[MinValueValidator(0.5), MaxValueValidator(120)]
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Pulled every minute while active."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_pull_at = models.DateTimeField(_("last pull"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)

    objects = PrometheusSourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Prometheus source")
        verbose_name_plural = _("Prometheus sources")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:prometheus_detail", kwargs={"code": self.code})

    def clean(self):
        super().clean()
        if self.auth == PrometheusAuth.BASIC and not self.username:
            raise ValidationError({"username": _("Basic authentication needs a user name.")})

    def set_secret(self, secret):
        """Keep ``secret`` encrypted as every stored secret is (``core.encryption``; an empty one removes it); it is
        never shown again."""
        self.secret_encrypted = encryption.encrypt(secret.encode()) if secret else ""

    @property
    def has_secret(self):
        return bool(self.secret_encrypted or self.secret_env)

    def secret(self):
        """The token or password in clear, for a request; raises SecretUnavailable when it cannot be read."""
        if self.secret_env:
            value = os.environ.get(self.secret_env)
            if value is None:
                raise SecretUnavailable(f"the environment variable {self.secret_env} is not set")
            return value
        if not self.secret_encrypted:
            return ""
        try:
            return encryption.decrypt(self.secret_encrypted, f"The secret of Prometheus source {self.code}").decode()
        except encryption.UnreadableSecret as unreadable:
            raise SecretUnavailable(f"{unreadable} Or save the secret again.") from None

    def pulled_until(self):
        """The earliest instant up to which every active query is pulled (None before the first pull)."""
        times = [q.pulled_until for q in self.queries.all()]
        return None if not times or None in times else min(times)

    def behind(self, now=None):
        """How far the pulled data lags behind now (a timedelta), or None before anything was pulled."""
        until = self.pulled_until()
        return None if until is None else (now or timezone.now()) - until

    @property
    def minutes_behind(self):
        """Whole minutes the pulled data lag behind now, for the pages (None before anything was pulled)."""
        lag = self.behind()
        return None if lag is None else int(lag.total_seconds() // 60)


class PrometheusQueryQuerySet(models.QuerySet):
    def for_user(self, user):
        if (
            getattr(user, "is_authenticated", False)
            and user.is_active
            and user.has_perm("monitoring.view_prometheussource")
        ):
            return self
        return self.none()


class PrometheusQuery(models.Model):
    """The PromQL that feeds one indicator from a Prometheus source: good and total events (ratio) or the value
    (threshold), each evaluated once a minute."""

    source = models.ForeignKey(
        PrometheusSource, on_delete=models.CASCADE, related_name="queries", verbose_name=_("Prometheus source")
    )
    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="prometheus_query", verbose_name=_("indicator (SLI)")
    )
    good_query = models.TextField(_("good events query"), blank=True, help_text=_("Ratio indicators."))
    total_query = models.TextField(_("total events query"), blank=True, help_text=_("Ratio indicators."))
    value_query = models.TextField(_("value query"), blank=True, help_text=_("Threshold indicators."))
    pulled_until = models.DateTimeField(_("pulled until"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PrometheusQueryQuerySet.as_manager()

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("Prometheus query")
        verbose_name_plural = _("Prometheus queries")

    def __str__(self):
        return f"{self.source} → {self.indicator}"

    def get_absolute_url(self):
        return self.source.get_absolute_url()

    def clean(self):
        super().clean()
        indicator = self.indicator if self.indicator_id else None
        if indicator is None:
            return
        if not indicator.sli_kind.pushed:
            raise ValidationError({"indicator": _("A ticket indicator is counted from tickets, not from Prometheus.")})
        errors = {}
        if indicator.sli_kind.judged:
            if not self.value_query.strip():
                errors["value_query"] = _("A threshold indicator needs a value query.")
            self.good_query = self.total_query = ""
        else:
            if not self.good_query.strip():
                errors["good_query"] = _("A ratio indicator needs a good events query.")
            if not self.total_query.strip():
                errors["total_query"] = _("A ratio indicator needs a total events query.")
            self.value_query = ""
        if errors:
            raise ValidationError(errors)
