from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SlmPortalConfig(AppConfig):
    name = "slm_portal"
    verbose_name = _("Portal")

    def ready(self):
        from monitoring.signals import evaluation_finished
        from slm_portal.folders import make_local_folders
        from slm_portal.tasks import record_evaluation

        make_local_folders(settings)
        evaluation_finished.connect(record_evaluation, dispatch_uid="slm-portal-evaluation-heartbeat")
