from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlmPortalConfig(AppConfig):
    name = "slm_portal"
    verbose_name = _("Portal")
