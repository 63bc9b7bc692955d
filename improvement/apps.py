from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = _("Service level improvement")
    # Granted to the service managers' group after every migrate (core.tenancy.grant_service_manager_permissions).
    service_managers_edit = ["improvementplan", "action", "effectreview", "reviewmeeting", "reviewdecision"]
    service_managers_view = ["planstatuschange", "digestdelivery", "reviewreminder"]

    def ready(self):
        from improvement import hooks

        hooks.register()
