"""The sign-in record: every sign-in, failure, sign-out and lockout, API token, and change of a person's role."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer
from agreements.people import administered_customer_id
from slm_portal.identity.choices import EventKind, SignInMethod


class SignInEventQuerySet(models.QuerySet):
    """Admins (who hold ``identity.view_signinevent``) see every event; a customer administrator sees the events of
    their own organisation's people; everyone else sees none."""

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_perm("identity.view_signinevent"):
            return self
        customer_id = administered_customer_id(user)
        return self.none() if customer_id is None else self.filter(customer_id=customer_id)


class SignInEvent(models.Model):
    """One line of the record. ``user`` is the person it is about (None when a failed sign-in named no account),
    ``login_name`` the username typed or used (kept when the account is deleted);
    ``actor`` who made a role change, when known; ``customer`` the person's organisation at the time."""

    kind = models.CharField(_("what"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
        verbose_name=_("person"),
    )
    login_name = models.CharField(_("username"), max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    method = models.CharField(_("how"), max_length=20, choices=SignInMethod.choices, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = SignInEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in record")
        indexes = [models.Index(fields=["customer", "-at"]), models.Index(fields=["kind", "-at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=EventKind.values), name="signinevent_kind_valid"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.login_name}"

    def description(self):
        """The detail in the reader's words."""
        if self.kind == EventKind.SIGN_IN_FAILED and self.detail == "locked":
            return _("refused: locked after too many failed sign-ins")
        if self.kind == EventKind.LOCKED_OUT and self.detail.isdigit():
            return _("after %(count)s failed sign-ins") % {"count": self.detail}
        return self.detail
