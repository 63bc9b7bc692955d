"""Session authentication for the REST API that honours two-factor sign-in."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from slm_portal.identity.two_factor import second_factor_required, session_is_verified

SECOND_FACTOR_NEEDED = _(
    "Two-factor sign-in is required: enter your code at /accounts/two-factor/code/ in the browser first, "
    "or call the API with a personal API token."
)


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """Django's session, as DRF's SessionAuthentication (CSRF included), refused with 403 while the session has not
    passed the second factor its person must use. Bearer tokens go through their own class and are not affected."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        django_request = request._request
        if not session_is_verified(django_request) and second_factor_required(user):
            raise exceptions.PermissionDenied(SECOND_FACTOR_NEEDED)
        return user, auth
