"""How many requests the REST API takes from each sender: every person's API token, every data source and every
service desk has its own budget, and so has every person signed in by session; over it the API answers 429 with
Retry-After (and ``retry_after`` in the body, ``monitoring.api.parsers.exception_handler``).

The rates are settings read at each request: ``SLM_API_RATE`` for people, ``SLM_API_MACHINE_RATE`` for data sources
and service desks (None: no limit). Requests are counted in the cache, one count per sender and window of the rate's
period (a minute for "1200/min"): one increment a request, shared by every web worker when CACHE_URL is a Redis (with
the default locmem cache each worker process counts alone). A fixed window lets a sender make up to twice the rate
across the edge of two windows; within one, never more than the rate.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from monitoring.api.authentication import DataSourcePrincipal, TicketSourcePrincipal
from monitoring.models import ApiToken

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
NO_LIMIT = {"off", "none", "unlimited"}


def parse_rate(rate):
    """``"1200/min"`` -> (1200, 60); None or "off" -> None (no limit). The settings hold what ``env_rate`` checked,
    or what a test or a settings file set."""
    if rate is None or rate.strip().lower() in NO_LIMIT:
        return None
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def sender_of(request, view):
    """(the key of whoever sends ``request``, whether it is a machine)."""
    auth, user = request.auth, request.user
    if isinstance(auth, ApiToken):
        return f"token:{auth.pk}", False
    if isinstance(user, DataSourcePrincipal):
        return f"data-source:{user.data_source.pk}", True
    if isinstance(user, TicketSourcePrincipal):
        return f"service-desk:{user.ticket_source.pk}", True
    if getattr(user, "is_authenticated", False):
        return f"person:{user.pk}", False
    # Without credentials: a webhook delivery signed with its desk's key is counted per desk (``throttle_sender``
    # names it only once the signature is good); anything else (an unsigned or badly signed delivery, the schema,
    # the documentation) is counted by the connection's address: a header a client writes names nothing.
    named = getattr(view, "throttle_sender", None)
    key = named(request) if named is not None else None
    if key is not None:
        return key, True
    return f"address:{request.META.get('REMOTE_ADDR', '')}", False


class ApiRateThrottle(BaseThrottle):
    """The portal's one throttle (``DEFAULT_THROTTLE_CLASSES``): SLM_API_RATE per person's token or session,
    SLM_API_MACHINE_RATE per data source or service desk."""

    def allow_request(self, request, view):
        key, machine = sender_of(request, view)
        rate = settings.SLM_API_MACHINE_RATE if machine else settings.SLM_API_RATE
        parsed = parse_rate(rate)
        if parsed is None:
            return True
        limit, period = parsed
        now = timezone.now().timestamp()
        window = int(now // period)
        self.wait_seconds = (window + 1) * period - now
        count_key = f"api-rate:{key}:{period}:{window}"
        try:
            count = self.count(count_key, period)
        except Exception:  # noqa: BLE001 - a cache that is down must not take the API down with it
            logger.warning("API rate limit not applied: the cache did not answer", exc_info=True)
            return True
        if count <= limit:
            return True
        # For the 429's message (monitoring.api.parsers.exception_handler).
        request.slm_rate_limit = rate
        return False

    @staticmethod
    def count(key, period):
        """This request's number in its window."""
        # The count lives a little longer than its window, so that it never vanishes while the window is open.
        cache.add(key, 0, timeout=period + 5)
        try:
            return cache.incr(key)
        except ValueError:  # gone between the two calls (evicted): this request opens it again
            cache.set(key, 1, timeout=period + 5)
            return 1

    def wait(self):
        return max(1.0, self.wait_seconds)
