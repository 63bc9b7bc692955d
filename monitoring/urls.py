from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("indicators/new/", views.IndicatorCreateView.as_view(), name="indicator_create"),
    path("indicators/<slug:code>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("indicators/<slug:code>/edit/", views.IndicatorUpdateView.as_view(), name="indicator_update"),
    path("indicators/<slug:code>/upload/", views.upload_csv, name="upload_csv"),
    path("uploads/<int:pk>/", views.upload_preview, name="upload_preview"),
    path("uploads/<int:pk>/confirm/", views.upload_confirm, name="upload_confirm"),
    path("data-sources/", views.DataSourceListView.as_view(), name="datasource_list"),
    path("data-sources/new/", views.data_source_create, name="datasource_create"),
    path("data-sources/<slug:code>/", views.data_source_detail, name="datasource_detail"),
    path("data-sources/<slug:code>/edit/", views.data_source_edit, name="datasource_update"),
    path("data-sources/<slug:code>/token/", views.data_source_token, name="datasource_token"),
    path("service-desks/", views.TicketSourceListView.as_view(), name="ticketsource_list"),
    path("service-desks/new/", views.ticket_source_create, name="ticketsource_create"),
    path("service-desks/<slug:code>/", views.ticket_source_detail, name="ticketsource_detail"),
    path("service-desks/<slug:code>/edit/", views.ticket_source_edit, name="ticketsource_update"),
    path("service-desks/<slug:code>/token/", views.ticket_source_token, name="ticketsource_token"),
    path("service-desks/<slug:code>/upload/", views.ticket_upload, name="ticket_upload"),
    path("service-desks/<slug:code>/uploads/<int:pk>/", views.ticket_upload_preview, name="ticket_upload_preview"),
    path(
        "service-desks/<slug:code>/uploads/<int:pk>/confirm/", views.ticket_upload_confirm, name="ticket_upload_confirm"
    ),
    path("probes/", views.ProbeListView.as_view(), name="probe_list"),
    path("probes/new/", views.ProbeCreateView.as_view(), name="probe_create"),
    path("probes/<slug:code>/edit/", views.ProbeUpdateView.as_view(), name="probe_update"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("overview/", views.overview, name="overview"),
    path("overview/chains/", views.chains, name="chains"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/silence/", views.alert_silence, name="alert_silence"),
    path("customers/<slug:code>/dashboard/", views.customer_dashboard, name="customer_dashboard"),
    path("agreements/<slug:code>/targets/<slug:target>/", views.target_detail, name="target_detail"),
    path("agreements/<slug:code>/targets/<slug:target>/bad-minutes/", views.bad_minutes, name="bad_minutes"),
    path("agreements/<slug:code>/targets/<slug:target>/what-if/", views.what_if, name="what_if"),
    path("agreements/<slug:code>/targets/<slug:target>/evaluate/", views.evaluate_now, name="evaluate_now"),
    path("agreements/<slug:code>/targets/<slug:target>/evaluation/", views.evaluation_status, name="evaluation_status"),
    path("agreements/<slug:code>/report/", views.report, name="report"),
    path("agreements/<slug:code>/report.csv", views.report_csv_view, name="report_csv"),
    path("agreements/<slug:code>/report/comment/", views.report_comment, name="report_comment"),
    path("agreements/<slug:code>/report.pdf", views.report_pdf_view, name="report_pdf"),
    path("agreements/<slug:code>/report/resend/", views.report_resend, name="report_resend"),
    path("agreements/<slug:code>/report/next.pdf", views.report_preview, name="report_preview"),
]
