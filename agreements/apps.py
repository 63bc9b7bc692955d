from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")
    # Granted to the service managers' group after every migrate (core.tenancy.grant_service_manager_permissions).
    service_managers_edit = [
        "customer",
        "membership",
        "service",
        "businesscalendar",
        "workingperiod",
        "holiday",
        "agreement",
        "serviceleveltarget",
        "servicecredittier",
        "maintenancewindow",
        "exclusion",
        "underpinning",
    ]
