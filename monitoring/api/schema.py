"""OpenAPI description of the portal's bearer tokens (loaded by the monitoring app)."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


def _rate(rate):
    return rate or "no limit"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "monitoring.api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A data-source token (slmds_…) to send measurements, a service desk token (slmsd_…) to "
            "send ticket events, or a person's API token (slmpt_…) for the rest. A person makes their own tokens on "
            "the page /account/api-tokens/ and acts as themselves with one: it sees what they see and never does "
            "more than they may. A person's token has a scope, read (it may only read) or write (read and write), "
            "and an expiry (30 days, 90 days, 1 year or never); an expired or revoked token answers 401, an expired "
            "one with the date it expired. "
            f"Rate limits: {_rate(settings.SLM_API_RATE)} for each person's token and each person signed in by "
            f"session, {_rate(settings.SLM_API_MACHINE_RATE)} for each data source and service desk; over it the "
            'API answers 429 with a Retry-After header and {"detail": …, "retry_after": <seconds>}.',
        }
