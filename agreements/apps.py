from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MANAGED_MODELS = [
    "customer",
    "membership",
    "service",
    "businesscalendar",
    "workingperiod",
    "holiday",
    "agreement",
    "serviceleveltarget",
    "servicecredittier",
]


def grant_service_manager_permissions(sender, **kwargs):
    from agreements.tenancy import SERVICE_MANAGERS_GROUP, ensure_group_permissions, manager_permission_codenames

    ensure_group_permissions(SERVICE_MANAGERS_GROUP, manager_permission_codenames(sender.label, MANAGED_MODELS))


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        post_migrate.connect(grant_service_manager_permissions, sender=self, dispatch_uid="agreements-manager-perms")
