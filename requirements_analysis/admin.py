from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from requirements_analysis.models import (
    CategoryRating,
    PriorityWeights,
    ServiceLevelRequirement,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)


@admin.register(ServiceLevelRequirement)
class ServiceLevelRequirementAdmin(SimpleHistoryAdmin):
    list_display = ["code", "customer", "service", "category", "importance", "performance", "status", "created_at"]
    list_filter = ["status", "category", "source", "customer", "service"]
    search_fields = ["code", "statement", "desired_level"]
    autocomplete_fields = ["customer", "service", "targets"]
    readonly_fields = ["code", "status", "status_reason", "created_at", "updated_at"]


@admin.register(PriorityWeights)
class PriorityWeightsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "importance", "gap", "criticality", "record", "record_periods", "updated_at"]

    def has_add_permission(self, request):
        return not PriorityWeights.objects.exists()


class InvitationInline(admin.TabularInline):
    model = SurveyInvitation
    extra = 0
    fields = ["email", "name", "sent_at"]
    readonly_fields = ["sent_at"]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "customer", "period_label", "status", "opens_at", "closes_at"]
    list_filter = ["status", "customer"]
    search_fields = ["title", "code"]
    filter_horizontal = ["services"]
    readonly_fields = ["status"]
    inlines = [InvitationInline]


class ServiceRatingInline(admin.TabularInline):
    model = ServiceRating
    extra = 0


class CategoryRatingInline(admin.TabularInline):
    model = CategoryRating
    extra = 0


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["invitation", "submitted_at", "updated_at"]
    list_filter = ["invitation__campaign"]
    inlines = [ServiceRatingInline, CategoryRatingInline]

    def has_change_permission(self, request, obj=None):
        return False  # the invited person's own answers
