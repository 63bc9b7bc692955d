from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsAnalysisConfig(AppConfig):
    name = "requirements_analysis"
    verbose_name = _("Service requirements analysis")
    # Granted to the service managers' group after every migrate (core.tenancy.grant_service_manager_permissions).
    service_managers_edit = ["servicelevelrequirement", "surveycampaign", "surveyinvitation"]
    service_managers_view = ["surveyresponse", "servicerating", "categoryrating", "priorityweights"]
