from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The toolkit every app uses. Installed for its template tags (``{% load slm_format %}``), its templates and
    the one post_migrate step that grants the service managers' permissions of every app."""

    name = "core"

    def ready(self):
        from core.tenancy import grant_service_manager_permissions

        post_migrate.connect(grant_service_manager_permissions, dispatch_uid="core-service-manager-permissions")
