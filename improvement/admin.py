from django.contrib import admin

from improvement.models import (
    Action,
    DigestDelivery,
    EffectReview,
    ImprovementPlan,
    PlanStatusChange,
    ReviewDecision,
    ReviewMeeting,
    ReviewReminder,
)


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    autocomplete_fields = ["owner"]


class StatusChangeInline(admin.TabularInline):
    model = PlanStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "customer", "status", "owner", "priority_score", "priority_override", "created_at"]
    list_filter = ["status", "customer", "services"]
    search_fields = ["code", "title", "problem"]
    filter_horizontal = ["services", "targets", "requirements", "breaches"]
    autocomplete_fields = ["customer", "owner", "goal_target"]
    readonly_fields = ["code", "status", "started_at", "completed_at", "created_at", "updated_at"]
    inlines = [ActionInline, StatusChangeInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["description", "plan", "owner", "due_date", "status"]
    list_filter = ["status", "owner"]
    search_fields = ["description", "plan__code"]
    autocomplete_fields = ["owner", "plan"]


@admin.register(EffectReview)
class EffectReviewAdmin(admin.ModelAdmin):
    list_display = ["plan", "verdict", "periods", "reviewed_by", "reviewed_at"]
    list_filter = ["verdict"]
    readonly_fields = ["plan", "periods", "verdict", "details", "reviewed_by", "reviewed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["owner", "day", "actions", "sent_at"]
    list_filter = ["day"]


class ReviewDecisionInline(admin.TabularInline):
    model = ReviewDecision
    extra = 0
    fields = ["position", "kind", "target", "objective_then", "proposed_objective", "service", "text", "plan"]
    readonly_fields = ["objective_then"]
    autocomplete_fields = ["target", "service"]
    raw_id_fields = ["plan"]


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(admin.ModelAdmin):
    list_display = ["code", "agreement", "held_on", "period_label", "minutes_confirmed_by", "recorded_by"]
    list_filter = ["agreement__customer"]
    search_fields = ["code", "agreement__code", "notes", "guests"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["agreement"]
    filter_horizontal = ["participants"]
    # Recorded on the agreement's page (which moves its next review); the customer confirms the minutes there.
    readonly_fields = [
        "code",
        "next_review_before",
        "next_review_after",
        "recorded_by",
        "recorded_at",
        "minutes_confirmed_by",
        "minutes_confirmed_at",
    ]
    inlines = [ReviewDecisionInline]

    def has_add_permission(self, request):
        return False


@admin.register(ReviewReminder)
class ReviewReminderAdmin(admin.ModelAdmin):
    list_display = ["agreement", "review_date", "kind", "recipient", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["agreement__code", "recipient"]
    readonly_fields = ["agreement", "review_date", "kind", "recipient", "sent_at"]

    def has_add_permission(self, request):
        return False
