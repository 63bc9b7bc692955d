"""Hold a signed-in person who must use two-factor sign-in at the code page until their session has passed it."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from slm_portal.identity.two_factor import has_two_factor, second_factor_required, session_is_verified

# Paths an unverified session may still open: the two-factor pages themselves, signing in and out, static files,
# the health check, the language switch. The API (/api/) decides for itself: its session authentication answers 403
# until the session has passed (slm_portal.identity.authentication), and bearer tokens are not sessions at all.
OPEN_PREFIXES = (
    "/accounts/two-factor/",
    "/accounts/login/",
    "/accounts/logout/",
    "/i18n/",
    "/api/",
    "/health",
    "/favicon.ico",
)


def open_without_second_factor(path):
    static = "/" + settings.STATIC_URL.lstrip("/")
    return path.startswith(OPEN_PREFIXES) or path.startswith(static)


def require_second_factor(get_response):
    """After sign-in by any path, admins, service managers and people who turned two-factor sign-in on are sent to
    enter their code (or, with no authenticator app yet, to enrol one) from every page, Django admin included, until
    the session has passed. Must come after AuthenticationMiddleware."""

    def middleware(request):
        user = request.user
        if (
            user.is_authenticated
            and not open_without_second_factor(request.path)
            and not session_is_verified(request)
            and second_factor_required(user)
        ):
            page = "identity:two_factor_code" if has_two_factor(user) else "identity:two_factor_setup"
            return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return get_response(request)

    return middleware
