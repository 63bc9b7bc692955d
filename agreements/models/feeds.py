"""A person's calendar feed of maintenance: a secret link a calendar program subscribes to, without signing in."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.formatting import person_name

FEED_TOKEN_PREFIX = "slmcal_"  # noqa: S105 - a visible prefix, not a secret


def hash_feed_token(token):
    """Tokens are random and long, so one SHA-256 is enough; only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    def for_user(self, user):
        """A person sees their own feed only (a service manager too: the link is personal)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user=user)

    def by_token(self, token):
        """The feed whose link holds ``token``, of an active person, or None."""
        if not token or not token.startswith(FEED_TOKEN_PREFIX):
            return None
        return self.filter(token_hash=hash_feed_token(token), user__is_active=True).select_related("user").first()


class CalendarFeed(models.Model):
    """The maintenance a person may see, as an iCalendar feed at a link that holds a secret token.

    The token is shown once, when it is made; only its hash is kept. Revoking deletes the row, and making a new link
    replaces the hash, so an old link answers 404 at once. The feed reads what its person may see at the time it is
    fetched (``MaintenanceWindow.objects.for_user``), so a person who leaves their organisation sees nothing more.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("person")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The feed's events are written in the language of the page the link was made on (empty: the portal's)."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True, editable=False)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return person_name(self.user)

    def issue_token(self):
        """Set a new token and return it; it is shown once and only its hash is kept."""
        token = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_feed_token(token)
        return token
