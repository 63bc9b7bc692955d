"""The customer's sign-off of an agreement: each request freezes the terms it asks the customer to sign."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.choices import SignOffStatus
from agreements.models.agreements import Agreement
from core.tenancy import TenantQuerySet


class SignOffQuerySet(TenantQuerySet):
    customer_path = "agreement__customer"

    def pending(self):
        return self.filter(status=SignOffStatus.PENDING)

    def signed(self):
        return self.filter(status=SignOffStatus.ACCEPTED)


class SignOff(models.Model):
    """One version of an agreement's terms sent to its customer, and what the customer answered.

    ``terms`` is the frozen copy (``agreements.terms.freeze``: the agreement's terms, its targets and their credit
    tiers, as they were when it was sent) and ``terms_hash`` its SHA-256; neither changes afterwards, so what was
    signed stays readable exactly, whatever is edited later. ``version`` numbers the distinct terms sent: terms sent
    again unchanged after a rejection keep their number, any change makes the next one.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("agreement")
    )
    version = models.PositiveIntegerField(_("version"))
    terms = models.JSONField(_("terms as sent"), editable=False)
    terms_hash = models.CharField(_("SHA-256 of the terms"), max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=SignOffStatus.choices, default=SignOffStatus.PENDING, editable=False
    )
    message = models.TextField(_("message to the customer"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sent by")
    )
    requested_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    comment = models.TextField(_("comment"), blank=True)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=SignOffStatus.values), name="sign_off_status"),
            # One request waits at a time: sending a new version withdraws the one waiting.
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(status=SignOffStatus.PENDING),
                name="sign_off_one_pending_per_agreement",
            ),
            models.UniqueConstraint(
                fields=["agreement", "version"],
                condition=models.Q(status=SignOffStatus.ACCEPTED),
                name="sign_off_version_signed_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[SignOffStatus.PENDING, SignOffStatus.WITHDRAWN])
                | models.Q(decided_at__isnull=False),
                name="sign_off_answer_has_a_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SignOffStatus.REJECTED) | ~models.Q(comment=""),
                name="sign_off_rejection_has_a_comment",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="sign_off_version_from_one"),
        ]

    def __str__(self):
        return f"{self.agreement.code} v{self.version} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("agreements:sign_off_detail", kwargs={"code": self.agreement.code, "pk": self.pk})

    @property
    def is_pending(self):
        return self.status == SignOffStatus.PENDING
