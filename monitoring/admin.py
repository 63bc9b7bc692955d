"""Django admin of the monitoring app. Raw measurements and rollups are not listed: they are too many to browse
(and have composite primary keys, which the admin does not edit); indicators show their latest samples instead."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from monitoring.forms.prometheus import PrometheusSourceForm
from monitoring.models import (
    Alert,
    ApiToken,
    Breach,
    BurnRateRule,
    ComplianceSnapshot,
    CsvUpload,
    DataSource,
    HttpProbe,
    Indicator,
    MaintenanceNotice,
    Measurement,
    Notification,
    NotificationChannel,
    OpenSloMetadata,
    PrometheusQuery,
    PrometheusSource,
    ReportDelivery,
    TargetIndicator,
    Ticket,
    TicketClock,
    TicketEventRecord,
    TicketGoal,
    TicketNotice,
    TicketNoticeDelivery,
    TicketSource,
    TicketUpload,
)


class TicketGoalInline(admin.TabularInline):
    model = TicketGoal
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "service", "kind", "operator", "threshold", "unit"]
    list_filter = ["kind", "service"]
    search_fields = ["code", "name", "service__name"]
    autocomplete_fields = ["service"]
    readonly_fields = ["latest_samples"]
    inlines = [TicketGoalInline]  # ticket indicators' goals per priority (other kinds have none)

    @admin.display(description=_("latest samples"))
    def latest_samples(self, indicator):
        rows = Measurement.objects.filter(indicator=indicator).order_by("-t")[:10]
        return (
            format_html_join(
                "\n", "<div>{} — {}/{} {}</div>", ((row.t, row.good, row.total, row.value or "") for row in rows)
            )
            or "—"
        )


@admin.register(TargetIndicator)
class TargetIndicatorAdmin(admin.ModelAdmin):
    list_display = ["target", "indicator"]
    search_fields = ["target__name", "target__agreement__code", "indicator__code"]
    autocomplete_fields = ["target", "indicator"]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "token_hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["code", "name"]
    filter_horizontal = ["indicators"]
    readonly_fields = ["token_hint", "created_at", "last_used_at", "created_by"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # tokens are issued on the portal's data-source page, where the token is shown once


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "token_hint", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "user__username"]
    # A token's terms are set when its person makes it (and written in the sign-in record then); here it can only be
    # revoked.
    readonly_fields = ["user", "name", "token_hint", "scope", "created_at", "expires_at", "last_used_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False


@admin.register(HttpProbe)
class HttpProbeAdmin(admin.ModelAdmin):
    # As the probe page reads an address typed without a scheme: https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["code", "name", "url", "interval_seconds", "is_active", "last_run_at", "last_up"]
    list_filter = ["is_active", "last_up"]
    search_fields = ["code", "name", "url"]
    autocomplete_fields = ["availability_indicator", "latency_indicator"]
    readonly_fields = ["last_run_at", "last_up", "last_latency_ms", "last_error"]


class PrometheusQueryInline(admin.TabularInline):
    model = PrometheusQuery
    extra = 0
    autocomplete_fields = ["indicator"]
    readonly_fields = ["pulled_until"]


@admin.register(PrometheusSource)
class PrometheusSourceAdmin(admin.ModelAdmin):
    """The same form as the manager page: the secret is written, kept encrypted and never shown."""

    form = PrometheusSourceForm
    list_display = ["code", "name", "base_url", "auth", "is_active", "last_pull_at", "last_error_at"]
    list_filter = ["is_active", "auth"]
    search_fields = ["code", "name", "base_url"]
    readonly_fields = ["last_pull_at", "last_error", "last_error_at"]
    inlines = [PrometheusQueryInline]


@admin.register(CsvUpload)
class CsvUploadAdmin(admin.ModelAdmin):
    list_display = ["filename", "indicator", "uploaded_by", "uploaded_at", "status", "sample_count", "new_count"]
    list_filter = ["status"]
    search_fields = ["filename", "indicator__code"]
    readonly_fields = [f.name for f in CsvUpload._meta.fields]

    def has_add_permission(self, request):
        return False  # uploads come from an indicator's page, which reads and previews the file


@admin.register(OpenSloMetadata)
class OpenSloMetadataAdmin(admin.ModelAdmin):
    list_display = ["agreement", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["agreement__code", "name"]
    readonly_fields = [f.name for f in OpenSloMetadata._meta.fields]

    def has_add_permission(self, request):
        return False  # written by an OpenSLO import, which previews the file first


@admin.register(BurnRateRule)
class BurnRateRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "severity", "threshold", "long_window_minutes", "short_window_minutes", "is_active"]
    list_editable = ["threshold", "is_active"]
    list_filter = ["severity", "is_active"]


@admin.register(ComplianceSnapshot)
class ComplianceSnapshotAdmin(admin.ModelAdmin):
    list_display = ["target", "period_label", "status", "attainment", "budget_remaining", "is_closed", "computed_at"]
    list_filter = ["status", "is_closed", "method", "target__agreement__customer"]
    search_fields = ["target__name", "target__agreement__code", "period_label"]
    date_hierarchy = "period_start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # results of evaluation, never edited by hand


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ["target", "period_label", "kind", "attainment", "objective", "detected_at"]
    list_filter = ["kind", "target__agreement__customer"]
    search_fields = ["target__name", "target__agreement__code"]
    date_hierarchy = "detected_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "event", "status", "attempts", "sent_at", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["target", "rule", "state", "started_at", "resolved_at", "long_burn", "short_burn"]
    list_filter = ["state", "rule"]
    search_fields = ["target__name", "target__agreement__code"]
    readonly_fields = ["target", "rule", "state", "started_at", "resolved_at", "long_burn", "short_burn"]
    inlines = [NotificationInline]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "address", "agreement", "service", "minimum_severity", "is_active"]
    list_filter = ["kind", "is_active", "minimum_severity"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["agreement", "service"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["alert", "channel", "event", "status", "attempts", "sent_at"]
    list_filter = ["status", "event", "channel"]
    readonly_fields = ["alert", "channel", "event", "status", "attempts", "created_at", "sent_at", "error"]

    def has_add_permission(self, request):
        return False


@admin.register(MaintenanceNotice)
class MaintenanceNoticeAdmin(admin.ModelAdmin):
    list_display = ["window", "occurrence_start", "event", "recipient", "customer", "status", "attempts", "sent_at"]
    list_filter = ["status", "event", "kind"]
    search_fields = ["window__title", "window__service__name", "address", "channel__name"]
    date_hierarchy = "occurrence_start"
    readonly_fields = [
        "window",
        "occurrence_start",
        "occurrence_end",
        "event",
        "kind",
        "address",
        "channel",
        "customer",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "error",
    ]

    def has_add_permission(self, request):
        return False


class TicketNoticeDeliveryInline(admin.TabularInline):
    model = TicketNoticeDelivery
    extra = 0
    fields = ["kind", "address", "channel", "customer", "status", "attempts", "sent_at", "error"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TicketNotice)
class TicketNoticeAdmin(admin.ModelAdmin):
    """Warnings and breaches of ticket clocks, told once each; queued and sent by beat (monitoring.ticket_notices)."""

    list_display = ["clock", "event", "point", "reached_at", "send_after", "created_at"]
    list_filter = ["event"]
    search_fields = ["clock__ticket__external_id", "clock__indicator__code"]
    date_hierarchy = "reached_at"
    readonly_fields = [
        "clock",
        "event",
        "point",
        "reached_at",
        "priority",
        "goal",
        "due_at",
        "send_after",
        "created_at",
    ]
    inlines = [TicketNoticeDeliveryInline]

    def has_add_permission(self, request):
        return False


@admin.register(TicketSource)
class TicketSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "token_hint", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["code", "name"]
    filter_horizontal = ["customers", "services"]
    readonly_fields = ["token_hint", "created_at", "last_used_at", "created_by"]
    exclude = ["token_hash", "signing_nonce"]

    def has_add_permission(self, request):
        return False  # tokens are issued on the portal's service desk page, where the token is shown once


@admin.register(TicketUpload)
class TicketUploadAdmin(admin.ModelAdmin):
    list_display = ["filename", "source", "uploaded_by", "uploaded_at", "status", "event_count", "stored_count"]
    list_filter = ["status"]
    search_fields = ["filename", "source__code"]
    readonly_fields = [f.name for f in TicketUpload._meta.fields]

    def has_add_permission(self, request):
        return False  # uploads come from a service desk's page, which reads and previews the file


class TicketEventInline(admin.TabularInline):
    model = TicketEventRecord
    extra = 0
    fields = ["at", "kind", "state", "category", "priority", "event_id", "received_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TicketClockInline(admin.TabularInline):
    model = TicketClock
    extra = 0
    fields = ["indicator", "state", "priority", "goal", "running_time", "due_at", "breached_at", "counted_at", "good"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets come from their service desk's events; the admin shows them, and their clocks, as they stand."""

    list_display = ["external_id", "customer", "service", "priority", "category", "created_at", "updated_at"]
    list_filter = ["category", "priority", "source", "customer"]
    search_fields = ["external_id", "title", "customer__name", "service__name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "source",
        "external_id",
        "customer",
        "service",
        "title",
        "priority",
        "state",
        "category",
        "created_at",
        "updated_at",
    ]
    inlines = [TicketEventInline, TicketClockInline]

    def has_add_permission(self, request):
        return False


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    """The service reports e-mailed: written by the monthly task and the report page's resend."""

    list_display = ["agreement", "period_label", "kind", "status", "attempts", "sent_at", "language"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["agreement__code", "agreement__title", "period_label"]
    readonly_fields = [
        "agreement",
        "period_label",
        "kind",
        "recipients",
        "language",
        "requested_by",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "error",
        "pdf_bytes",
        "pdf_sha256",
    ]

    def has_add_permission(self, request):
        return False
