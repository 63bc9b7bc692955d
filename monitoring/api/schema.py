"""OpenAPI description of the portal's bearer tokens (loaded by the monitoring app)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "monitoring.api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A data-source token (slmds_…) to send measurements, a service desk token (slmsd_…) to "
            "send ticket events, or a person's API token (slmpt_…) for the rest.",
        }
