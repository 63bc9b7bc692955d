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
    # Managers send agreements for sign-off and read every request; only the customer answers, and no one edits one.
    service_managers_view = ["signoff"]
    service_managers_also = ["add_signoff"]
