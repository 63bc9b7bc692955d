"""OpenAPI description of the session authentication that honours two-factor sign-in (loaded by the identity app):
the browser's session cookie, as DRF's own, refused until the second factor is passed."""

from drf_spectacular.authentication import SessionScheme


class VerifiedSessionScheme(SessionScheme):
    target_class = "slm_portal.identity.authentication.VerifiedSessionAuthentication"
