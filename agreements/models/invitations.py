"""Invitations: a customer administrator (or a service manager) asks a person by e-mail to join the organisation."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models.catalogue import Customer
from core.tenancy import TenantQuerySet


def hash_invitation_token(token):
    """The token is random and long, so one SHA-256 is enough; only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(TenantQuerySet):
    customer_path = "customer"

    def pending(self, now=None):
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=now or timezone.now())

    def by_token(self, token):
        """The invitation the token of a link names, or None."""
        if not token:
            return None
        return self.filter(token_hash=hash_invitation_token(token)).select_related("customer").first()


class Invitation(models.Model):
    """A link sent to one e-mail address; accepting it creates the person's account and membership, once."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("customer")
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation_accepted",
        verbose_name=_("accepted by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="invitation_expires_after_sent"
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.customer}"

    def issue_token(self):
        """A new random token; its hash is kept, the token itself goes only into the e-mail's link."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_invitation_token(token)
        return token

    @property
    def is_pending(self):
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()
