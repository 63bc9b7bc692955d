from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MANAGED_MODELS = ["improvementplan", "action", "effectreview"]
READ_ONLY_MODELS = ["planstatuschange", "digestdelivery"]


def grant_service_manager_permissions(sender, **kwargs):
    from agreements.tenancy import SERVICE_MANAGERS_GROUP, ensure_group_permissions, manager_permission_codenames

    ensure_group_permissions(
        SERVICE_MANAGERS_GROUP,
        manager_permission_codenames(sender.label, MANAGED_MODELS)
        + manager_permission_codenames(sender.label, READ_ONLY_MODELS, actions=("view",)),
    )


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = _("Service level improvement")

    def ready(self):
        from improvement import hooks

        hooks.register()
        post_migrate.connect(grant_service_manager_permissions, sender=self, dispatch_uid="improvement-manager-perms")
