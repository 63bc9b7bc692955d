from django.urls import path

from monitoring.api import openslo, tickets, views

urlpatterns = [
    path("measurements", views.MeasurementBatchView.as_view(), name="api-measurements"),
    path("ticket-events", tickets.TicketEventsView.as_view(), name="api-ticket-events"),
    path("ticket-events/webhook/<slug:code>", tickets.TicketWebhookView.as_view(), name="api-ticket-webhook"),
    path("agreements/<slug:code>/openslo", openslo.AgreementOpenSloView.as_view(), name="api-agreement-openslo"),
    path("agreements/<slug:code>/compliance", views.AgreementComplianceView.as_view(), name="api-agreement-compliance"),
]
