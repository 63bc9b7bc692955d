from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")
    # Granted to the service managers' group after every migrate (core.tenancy.grant_service_manager_permissions).
    service_managers_edit = [
        "indicator",
        "targetindicator",
        "datasource",
        "httpprobe",
        "csvupload",
        "notificationchannel",
        "burnraterule",
        "reportcomment",
        "reportdelivery",
        "ticketsource",
        "prometheussource",
        "prometheusquery",
        "ticketgoal",
        "ticketupload",
    ]
    service_managers_view = [
        "compliancesnapshot",
        "breach",
        "alert",
        "notification",
        "maintenancenotice",
        "ticket",
        "ticketclock",
        "ticketrank",
    ]
    service_managers_also = ["acknowledge_alert"]

    def ready(self):
        from agreements.extensions import agreement_expiry, agreement_links, closed_periods, target_form, target_panels
        from monitoring import receivers  # noqa: F401 - connects the signal receivers
        from monitoring.api import schema  # noqa: F401 - registers the OpenAPI description of bearer tokens
        from monitoring.evaluation.closing import FINAL_EVALUATION
        from monitoring.forms import INDICATOR_ON_TARGET_FORM
        from monitoring.readout.cache import bump_generation, bump_ticket_generation, queue_overview_warming
        from monitoring.readout.panels import (
            CHAIN_PANEL,
            CLOSED_PERIODS,
            COMPLIANCE_PANEL,
            OPENSLO_LINKS,
            REPORT_LINK,
            TICKETS_LINK,
        )
        from monitoring.signals import evaluation_finished, ticket_clocks_written

        target_form.register(INDICATOR_ON_TARGET_FORM)
        target_panels.register(COMPLIANCE_PANEL)
        target_panels.register(CHAIN_PANEL)
        agreement_expiry.register(FINAL_EVALUATION)
        agreement_links.register(REPORT_LINK)
        agreement_links.register(TICKETS_LINK)
        agreement_links.register(OPENSLO_LINKS)
        closed_periods.register(CLOSED_PERIODS)
        evaluation_finished.connect(bump_generation, dispatch_uid="monitoring-dashboard-cache")
        # After the generation is raised: the overview's figures of the new one are read ahead by a worker.
        evaluation_finished.connect(queue_overview_warming, dispatch_uid="monitoring-overview-warming")
        ticket_clocks_written.connect(bump_ticket_generation, dispatch_uid="monitoring-ticket-figures-cache")
