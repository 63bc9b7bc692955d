import django_filters
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer, Service
from core.filters import ScopedFilterSet
from requirements_analysis.choices import CampaignStatus, Category, RequirementStatus
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign


class RequirementFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="service", to_field_name="code", label=_("Service")
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=RequirementStatus.choices, label=_("Status"))

    search_fields = ("statement", "code", "desired_level")

    class Meta:
        model = ServiceLevelRequirement
        fields = ["q", "customer", "service", "category", "status"]


class CampaignFilter(ScopedFilterSet):
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("Status"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    search_fields = ("title", "code", "period_label")

    class Meta:
        model = SurveyCampaign
        fields = ["customer", "status", "q"]
