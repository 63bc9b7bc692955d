from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The toolkit every app uses. Installed for its template tags (``{% load slm_format %}``), its templates, the
    one post_migrate step that grants the service managers' permissions of every app, and the edits counter of every
    database connection (``core.edits``)."""

    name = "core"

    def ready(self):
        from core import edits
        from core.tenancy import grant_service_manager_permissions

        post_migrate.connect(grant_service_manager_permissions, dispatch_uid="core-service-manager-permissions")
        # Every connection counts the edits it writes: pages cached whole are filed under that count.
        connection_created.connect(edits.install, dispatch_uid="core-edits-counter")
        for connection in connections.all(initialized_only=True):
            edits.install(connection=connection)
