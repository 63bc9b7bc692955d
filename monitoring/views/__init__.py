from monitoring.views.alerts import alert_acknowledge, alert_list, alert_silence
from monitoring.views.chains import chains
from monitoring.views.dashboards import (
    bad_minutes,
    customer_dashboard,
    overview,
    render_customer_dashboard,
    target_detail,
    what_if,
)
from monitoring.views.evaluation import evaluate_now, evaluation_status
from monitoring.views.indicators import (
    IndicatorCreateView,
    IndicatorDetailView,
    IndicatorListView,
    IndicatorUpdateView,
    upload_confirm,
    upload_csv,
    upload_preview,
)
from monitoring.views.reports import report, report_comment, report_csv_view
from monitoring.views.sources import (
    DataSourceListView,
    ProbeCreateView,
    ProbeListView,
    ProbeUpdateView,
    api_tokens,
    data_source_create,
    data_source_detail,
    data_source_edit,
    data_source_token,
    revoke_api_token,
)

__all__ = [
    "evaluate_now",
    "evaluation_status",
    "alert_acknowledge",
    "alert_list",
    "alert_silence",
    "bad_minutes",
    "chains",
    "customer_dashboard",
    "overview",
    "render_customer_dashboard",
    "report",
    "report_comment",
    "report_csv_view",
    "target_detail",
    "what_if",
    "DataSourceListView",
    "IndicatorCreateView",
    "IndicatorDetailView",
    "IndicatorListView",
    "IndicatorUpdateView",
    "ProbeCreateView",
    "ProbeListView",
    "ProbeUpdateView",
    "api_tokens",
    "data_source_create",
    "data_source_detail",
    "data_source_edit",
    "data_source_token",
    "revoke_api_token",
    "upload_confirm",
    "upload_csv",
    "upload_preview",
]
