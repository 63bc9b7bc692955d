"""Bearer tokens for the REST API: data-source tokens (they push measurements), service desk tokens (they send
ticket events) and people's API tokens."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from monitoring.models import ApiToken, DataSource, TicketSource
from monitoring.models.indicators import DATA_SOURCE_TOKEN_PREFIX, PERSONAL_TOKEN_PREFIX
from monitoring.models.tickets import TICKET_SOURCE_TOKEN_PREFIX


class MachinePrincipal(AnonymousUser):
    """The "user" of a request made with a machine's token: no person, no permissions, just the sender."""

    @property
    def is_authenticated(self):
        return True


class DataSourcePrincipal(MachinePrincipal):
    """A data source sending measurements."""

    def __init__(self, data_source):
        super().__init__()
        self.data_source = data_source


class TicketSourcePrincipal(MachinePrincipal):
    """A service desk sending ticket events."""

    def __init__(self, ticket_source):
        super().__init__()
        self.ticket_source = ticket_source


LAST_USED_PRECISION = dt.timedelta(minutes=1)


def touch(holder):
    """Record when a token was last used, at most once a minute (a busy feed would otherwise write every call)."""
    now = timezone.now()
    if holder.last_used_at is None or now - holder.last_used_at >= LAST_USED_PRECISION:
        type(holder).objects.filter(pk=holder.pk).update(last_used_at=now)
        holder.last_used_at = now


def expiry_text(instant):
    """An expiry as the API says it: the portal's local time, ISO 8601 to the minute (2026-05-01T09:00+09:00)."""
    return timezone.localtime(instant).isoformat(timespec="minutes")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``: a data-source token (slmds_…), a service desk token (slmsd_…) or a person's
    API token (slmpt_…). A person's token that has expired answers 401 with the date it expired."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be: Bearer <token>."))
        try:
            token = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token has characters a token never has.")) from None
        if token.startswith(DATA_SOURCE_TOKEN_PREFIX):
            source = DataSource.objects.authenticate(token)
            if source is None:
                raise exceptions.AuthenticationFailed(_("Unknown or revoked data-source token."))
            touch(source)
            return DataSourcePrincipal(source), source
        if token.startswith(TICKET_SOURCE_TOKEN_PREFIX):
            desk = TicketSource.objects.authenticate(token)
            if desk is None:
                raise exceptions.AuthenticationFailed(_("Unknown or revoked service desk token."))
            touch(desk)
            return TicketSourcePrincipal(desk), desk
        if token.startswith(PERSONAL_TOKEN_PREFIX):
            api_token = ApiToken.objects.holding(token)
            if api_token is None:
                raise exceptions.AuthenticationFailed(_("Unknown or revoked API token."))
            if api_token.is_expired():
                raise exceptions.AuthenticationFailed(
                    _("This API token expired on %(date)s.") % {"date": expiry_text(api_token.expires_at)}
                )
            touch(api_token)
            return api_token.user, api_token
        raise exceptions.AuthenticationFailed(_("Unknown token."))

    def authenticate_header(self, request):
        return self.keyword
