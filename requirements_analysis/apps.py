from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

MANAGED_MODELS = ["servicelevelrequirement", "surveycampaign", "surveyinvitation"]
READ_ONLY_MODELS = ["surveyresponse", "servicerating", "categoryrating", "priorityweights"]


def grant_service_manager_permissions(sender, **kwargs):
    from agreements.tenancy import SERVICE_MANAGERS_GROUP, ensure_group_permissions, manager_permission_codenames

    ensure_group_permissions(
        SERVICE_MANAGERS_GROUP,
        manager_permission_codenames(sender.label, MANAGED_MODELS)
        + manager_permission_codenames(sender.label, READ_ONLY_MODELS, actions=("view",)),
    )


class RequirementsAnalysisConfig(AppConfig):
    name = "requirements_analysis"
    verbose_name = _("Service requirements analysis")

    def ready(self):
        post_migrate.connect(
            grant_service_manager_permissions, sender=self, dispatch_uid="requirements-analysis-manager-perms"
        )
