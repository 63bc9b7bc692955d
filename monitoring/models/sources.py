"""Ways measurements come in besides the API: HTTP probes run by Celery, and CSV uploads with a preview."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.validators import validate_code_not_reserved
from monitoring.choices import UploadStatus
from monitoring.models.indicators import Indicator


class HttpProbeQuerySet(models.QuerySet):
    def for_user(self, user):
        if getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("monitoring.view_httpprobe"):
            return self
        return self.none()


class HttpProbe(models.Model):
    """Calls a URL every ``interval_seconds``; records up (1) or down (0) and the latency in milliseconds."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True, validators=[validate_code_not_reserved])
    url = models.URLField(_("URL"), max_length=500)
    interval_seconds = models.PositiveIntegerField(
        _("interval (seconds)"), default=60, validators=[MinValueValidator(10), MaxValueValidator(86400)]
    )
    timeout_seconds = models.FloatField(
        _("timeout (seconds)"), default=10, validators=[MinValueValidator(0.1), MaxValueValidator(60)]
    )
    expected_status = models.PositiveSmallIntegerField(
        _("expected status"), default=200, validators=[MinValueValidator(100), MaxValueValidator(599)]
    )
    availability_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("availability indicator"),
        help_text=_("Receives 1 when up, 0 when down."),
    )
    latency_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latency indicator"),
        help_text=_("Receives the response time in milliseconds when up."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_up = models.BooleanField(_("last result up"), null=True, blank=True)
    last_latency_ms = models.FloatField(_("last latency (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = HttpProbeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("HTTP probe")
        verbose_name_plural = _("HTTP probes")
        constraints = [
            models.CheckConstraint(condition=models.Q(interval_seconds__gte=10), name="probe_interval_min"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:probe_list") + f"#probe-{self.code}"


class CsvUploadQuerySet(models.QuerySet):
    def for_user(self, user):
        if getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("monitoring.view_csvupload"):
            return self
        return self.none()


class CsvUpload(models.Model):
    """A CSV file of samples for one indicator, previewed (bad lines listed) before anything is stored."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.TextField()
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.PREVIEW)
    sample_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    new_count = models.PositiveIntegerField(null=True, blank=True)
    duplicate_count = models.PositiveIntegerField(null=True, blank=True)

    objects = CsvUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("CSV upload")
        verbose_name_plural = _("CSV uploads")

    def __str__(self):
        return f"{self.filename} → {self.indicator}"
