"""Service reports delivered: one row per PDF report e-mailed, with what went to whom and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from core.tenancy import TenantQuerySet
from monitoring.choices import DeliveryKind, NotificationStatus


class ReportDeliveryQuerySet(TenantQuerySet):
    customer_path = "agreement__customer"


class ReportDelivery(models.Model):
    """The report of one agreement and period, rendered as a PDF and e-mailed to its recipients.

    The monthly delivery is unique per agreement and month, so running the monthly task twice sends nothing twice;
    a manager's resend is a row of its own. Sent the way notifications are (claimed with a conditional UPDATE,
    retried, at most once; ``monitoring.notify.claim_and_send``)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="report_deliveries", verbose_name=_("agreement")
    )
    period_label = models.CharField(_("period"), max_length=7)
    kind = models.CharField(_("kind"), max_length=10, choices=DeliveryKind.choices, default=DeliveryKind.MONTHLY)
    recipients = models.JSONField(_("recipients"), default=list)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    pdf_bytes = models.PositiveIntegerField(_("PDF size (bytes)"), null=True, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)

    objects = ReportDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "period_label"],
                condition=models.Q(kind="monthly"),
                name="report_delivery_once_a_month",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=DeliveryKind.values), name="report_delivery_kind"),
        ]

    def __str__(self):
        return f"{self.agreement.code} {self.period_label} → {', '.join(self.recipients)}"
