"""The ways ticket events come in besides the bearer-token API: signed webhook deliveries (remembered a day, so that
a captured delivery cannot be sent again) and CSV uploads of events, previewed before anything is stored."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.choices import UploadStatus
from monitoring.models.tickets import TicketSource


class TicketWebhookDelivery(models.Model):
    """A signed webhook delivery that was stored: its signature's hash, so the same signature is refused again.

    A signature covers its timestamp, which is refused once more than five minutes off, so a delivery need not be
    remembered for long: rows older than a day are deleted whenever a delivery is stored."""

    source = models.ForeignKey(TicketSource, on_delete=models.CASCADE, related_name="+")
    signature_hash = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.source_id} @ {self.received_at:%Y-%m-%d %H:%M:%S}"


class TicketUploadQuerySet(models.QuerySet):
    def for_user(self, user):
        """Uploads are the service managers' tool, like the desks they belong to."""
        allowed = getattr(user, "is_authenticated", False) and user.is_active
        return self if allowed and user.has_perm("monitoring.view_ticketupload") else self.none()


class TicketUpload(models.Model):
    """A CSV file of ticket events for one service desk, checked and previewed before anything is stored."""

    source = models.ForeignKey(TicketSource, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    filename = models.CharField(_("file"), max_length=255)
    content = models.TextField()
    status = models.CharField(_("status"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.PREVIEW)
    event_count = models.PositiveIntegerField(_("events"), default=0)
    errors = models.JSONField(default=list, blank=True)
    # Set when stored: what storing did.
    stored_count = models.PositiveIntegerField(null=True, blank=True)
    tickets_created = models.PositiveIntegerField(null=True, blank=True)

    objects = TicketUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("ticket event upload")
        verbose_name_plural = _("ticket event uploads")

    def __str__(self):
        return f"{self.filename} → {self.source}"

    def get_absolute_url(self):
        return reverse("monitoring:ticket_upload_preview", kwargs={"code": self.source.code, "pk": self.pk})
