from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "slm_portal.identity"
    label = "identity"
    verbose_name = _("Sign-in and identity")
    # Granted to the service managers' group after every migrate (core.tenancy.grant_service_manager_permissions).
    service_managers_edit = []
    service_managers_view = []

    def ready(self):
        from slm_portal.identity import receivers  # noqa: F401 - connects the sign-in record's receivers
