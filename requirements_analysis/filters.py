import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer, Service
from requirements_analysis.choices import Category, RequirementStatus
from requirements_analysis.models import ServiceLevelRequirement


class RequirementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="service", to_field_name="code", label=_("Service")
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=RequirementStatus.choices, label=_("Status"))

    class Meta:
        model = ServiceLevelRequirement
        fields = ["q", "customer", "service", "category", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["customer"].queryset = Customer.objects.for_user(user)
        self.filters["service"].queryset = Service.objects.for_user(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(statement__icontains=value) | Q(code__icontains=value) | Q(desired_level__icontains=value)
        )
