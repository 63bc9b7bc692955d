from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MANAGED_MODELS = [
    "indicator",
    "targetindicator",
    "datasource",
    "httpprobe",
    "csvupload",
    "notificationchannel",
    "burnraterule",
    "reportcomment",
]
READ_ONLY_MODELS = ["compliancesnapshot", "breach", "alert", "notification"]


def grant_service_manager_permissions(sender, **kwargs):
    from agreements.tenancy import SERVICE_MANAGERS_GROUP, ensure_group_permissions, manager_permission_codenames

    ensure_group_permissions(
        SERVICE_MANAGERS_GROUP,
        manager_permission_codenames(sender.label, MANAGED_MODELS)
        + manager_permission_codenames(sender.label, READ_ONLY_MODELS, actions=("view",)),
    )


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from monitoring import (
            panels,
            receivers,  # noqa: F401 - connects the signal receivers
        )
        from monitoring.api import schema  # noqa: F401 - registers the OpenAPI description of bearer tokens
        from monitoring.forms import register_target_extension

        register_target_extension()
        panels.register()
        from monitoring.dashboards import bump_generation
        from monitoring.signals import evaluation_finished

        evaluation_finished.connect(bump_generation, dispatch_uid="monitoring-dashboard-cache")
        post_migrate.connect(grant_service_manager_permissions, sender=self, dispatch_uid="monitoring-manager-perms")
