from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsAnalysisConfig(AppConfig):
    name = "requirements_analysis"
    verbose_name = _("Service requirements analysis")
