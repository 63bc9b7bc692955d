from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from agreements.forms.maintenance import send_back_if_retimed
from agreements.models import (
    Agreement,
    BusinessCalendar,
    CalendarFeed,
    Customer,
    Exclusion,
    Holiday,
    Invitation,
    MaintenanceWindow,
    Membership,
    Service,
    ServiceCreditTier,
    ServiceLevelTarget,
    SignOff,
    Underpinning,
    WorkingPeriod,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "contact_name", "contact_email"]
    search_fields = ["name", "code", "contact_name", "contact_email"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "customer", "is_admin", "may_sign_agreements", "created_at"]
    list_filter = ["customer", "is_admin", "may_sign_agreements"]
    search_fields = ["user__username", "user__email", "customer__name"]
    autocomplete_fields = ["user", "customer"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from a customer's People page (the token goes only into the e-mail); admins read them
    and may withdraw one by setting its withdrawn time."""

    list_display = ["email", "customer", "invited_by", "created_at", "expires_at", "accepted_at", "withdrawn_at"]
    list_filter = ["customer"]
    search_fields = ["email", "customer__name"]
    readonly_fields = ["customer", "email", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "criticality", "status", "owner"]
    list_filter = ["status", "criticality"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "time_zone"]
    list_filter = ["time_zone"]
    search_fields = ["name", "code"]
    inlines = [WorkingPeriodInline, HolidayInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "calendar"]
    list_filter = ["calendar"]
    search_fields = ["name"]
    date_hierarchy = "date"


class ServiceLevelTargetInline(admin.StackedInline):
    model = ServiceLevelTarget
    extra = 0
    show_change_link = True
    fields = [
        ("code", "name"),
        ("objective", "warning_threshold"),
        ("window_kind", "calendar_period", "rolling_days"),
        ("budgeting_method", "slice_minutes", "slice_target", "missing_data"),
        "service_hours",
    ]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "kind", "customer", "status", "valid_from", "valid_to", "next_review"]
    list_filter = ["status", "kind", "customer", "services"]
    search_fields = ["code", "title", "customer__name", "description"]
    autocomplete_fields = ["customer", "owner"]
    filter_horizontal = ["services"]
    readonly_fields = ["status", "created_at", "updated_at"]
    date_hierarchy = "valid_from"
    inlines = [ServiceLevelTargetInline]


class ServiceCreditTierInline(admin.TabularInline):
    model = ServiceCreditTier
    extra = 0


@admin.register(ServiceLevelTarget)
class ServiceLevelTargetAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "code", "name", "objective", "window_kind", "budgeting_method", "service_hours"]
    list_filter = ["budgeting_method", "window_kind", "agreement__customer", "agreement__status"]
    search_fields = ["code", "name", "agreement__code", "agreement__title"]
    autocomplete_fields = ["agreement", "service_hours"]
    inlines = [ServiceCreditTierInline]


@admin.register(ServiceCreditTier)
class ServiceCreditTierAdmin(SimpleHistoryAdmin):
    list_display = ["target", "below_attainment", "credit_percent"]
    list_filter = ["target__agreement__customer"]
    search_fields = ["target__name", "target__agreement__code"]
    autocomplete_fields = ["target"]


@admin.register(Underpinning)
class UnderpinningAdmin(SimpleHistoryAdmin):
    """Links are made on the agreement form; here they can be read and removed. The model's clean refuses a link to
    the target itself, a loop and a kind that cannot underpin, as the form does."""

    list_display = ["target", "underpinning", "created_at"]
    list_filter = ["target__agreement__kind", "underpinning__agreement__kind"]
    search_fields = ["target__code", "target__agreement__code", "underpinning__code", "underpinning__agreement__code"]
    autocomplete_fields = ["target", "underpinning"]
    readonly_fields = ["created_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """A person's maintenance feed link: an admin may revoke one (delete it), never see or make one."""

    list_display = ["user", "language", "created_at", "last_used_at"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "language", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "service",
        "starts_at",
        "ends_at",
        "recurrence",
        "status",
        "customer_visible",
        "approved_by",
    ]
    list_filter = ["status", "recurrence", "customer_visible", "service"]
    search_fields = ["title", "description", "service__name", "service__code"]
    autocomplete_fields = ["service", "calendar"]
    # The status moves through the window's steps (approval records who and when), never by editing the row.
    readonly_fields = ["status", "approved_by", "approved_at", "created_by", "created_at", "updated_at"]
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        send_back_if_retimed(obj, form.changed_data)  # the same rule as the window's own edit page
        super().save_model(request, obj, form, change)


@admin.register(Exclusion)
class ExclusionAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "service", "starts_at", "ends_at", "reason", "customer_agreement", "recorded_by"]
    list_filter = ["reason", "agreement__customer", "service"]
    search_fields = ["agreement__code", "service__name", "description", "customer_agreement"]
    autocomplete_fields = ["agreement", "service"]
    readonly_fields = ["recorded_by", "created_at"]
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    """Requests for the customer's sign-off: a record, read here; sent from the agreement page, answered by the
    customer on theirs."""

    list_display = ["agreement", "version", "status", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "agreement__customer"]
    search_fields = ["agreement__code", "agreement__title", "comment", "terms_hash"]
    readonly_fields = [
        "agreement",
        "version",
        "status",
        "terms",
        "terms_hash",
        "message",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "comment",
    ]
    date_hierarchy = "requested_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
