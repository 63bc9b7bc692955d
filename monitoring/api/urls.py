from django.urls import path
from rest_framework.routers import SimpleRouter

from monitoring.api import catalogue, openslo, records, tickets, views

router = SimpleRouter(trailing_slash=False)
router.register("indicators", catalogue.IndicatorViewSet, basename="api-indicator")
router.register("data-sources", catalogue.DataSourceViewSet, basename="api-data-source")
router.register("prometheus-sources", catalogue.PrometheusSourceViewSet, basename="api-prometheus-source")
router.register("service-desks", catalogue.ServiceDeskViewSet, basename="api-service-desk")
router.register("snapshots", records.SnapshotViewSet, basename="api-snapshot")
router.register("breaches", records.BreachViewSet, basename="api-breach")
router.register("alerts", records.AlertViewSet, basename="api-alert")
router.register("tickets", records.TicketViewSet, basename="api-ticket")

urlpatterns = [
    path("measurements", views.MeasurementBatchView.as_view(), name="api-measurements"),
    path("ticket-events", tickets.TicketEventsView.as_view(), name="api-ticket-events"),
    path("ticket-events/webhook/<slug:code>", tickets.TicketWebhookView.as_view(), name="api-ticket-webhook"),
    path("agreements/<slug:code>/openslo", openslo.AgreementOpenSloView.as_view(), name="api-agreement-openslo"),
    path("agreements/<slug:code>/compliance", views.AgreementComplianceView.as_view(), name="api-agreement-compliance"),
    *router.urls,
]
