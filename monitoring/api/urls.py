from django.urls import path

from monitoring.api import views

urlpatterns = [
    path("measurements", views.MeasurementBatchView.as_view(), name="api-measurements"),
    path("agreements/<slug:code>/compliance", views.AgreementComplianceView.as_view(), name="api-agreement-compliance"),
]
