"""The sign-in record: every sign-in, failure, sign-out and lockout, API token, and change of a person's role."""

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer
from agreements.people import administered_customer_id
from monitoring.choices import TokenScope
from slm_portal.identity.choices import EventKind, SignInMethod

# A new API token's detail: the token, then its scope and its expiry (UTC, or "never") in brackets, kept in these
# words whatever the language, and said in the reader's by ``SignInEvent.description``.
_TOKEN_TERMS = re.compile(r"^(?P<token>.*) \[(?P<scope>read|write), (?P<expiry>never|[0-9T:+-]+)\]$", re.DOTALL)


def token_detail(api_token):
    """What the record keeps of a new API token: which it is, its scope and when it expires."""
    expires_at = api_token.expires_at
    expiry = expires_at.astimezone(dt.UTC).isoformat(timespec="minutes") if expires_at else "never"
    return f"{api_token} [{api_token.scope}, {expiry}]"


def _token_terms_described(detail):
    terms = _TOKEN_TERMS.match(detail)
    if terms is None:
        return detail  # recorded before tokens had a scope, or cut at 300 characters
    scope = TokenScope(terms["scope"]).label
    if terms["expiry"] == "never":
        return _("%(token)s: %(scope)s, does not expire") % {"token": terms["token"], "scope": scope}
    try:
        expires_at = dt.datetime.fromisoformat(terms["expiry"])
    except ValueError:
        return detail
    when = formats.date_format(timezone.localtime(expires_at), "SHORT_DATETIME_FORMAT")
    return _("%(token)s: %(scope)s, expires %(date)s") % {"token": terms["token"], "scope": scope, "date": when}


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
        if self.kind == EventKind.TOKEN_CREATED:
            return _token_terms_described(self.detail)
        return self.detail
