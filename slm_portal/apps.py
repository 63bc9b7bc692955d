from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlmPortalConfig(AppConfig):
    name = "slm_portal"
    verbose_name = _("Portal")

    def ready(self):
        from monitoring.signals import evaluation_finished
        from slm_portal.tasks import record_evaluation

        evaluation_finished.connect(record_evaluation, dispatch_uid="slm-portal-evaluation-heartbeat")
