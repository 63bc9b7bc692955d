import django_filters
from django.utils.translation import gettext_lazy as _

from agreements.choices import (
    AgreementKind,
    AgreementStatus,
    BudgetingMethod,
    ExclusionReason,
    MaintenanceStatus,
    WindowKind,
)
from agreements.models import (
    Agreement,
    BusinessCalendar,
    Customer,
    Exclusion,
    MaintenanceWindow,
    Service,
    ServiceLevelTarget,
)
from core.filters import ScopedFilterSet


class AgreementFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="services", to_field_name="code", label=_("Service")
    )
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=AgreementKind.choices, label=_("Kind"))

    search_fields = ("code", "title", "customer__name")

    class Meta:
        model = Agreement
        fields = ["q", "customer", "service", "status", "kind"]


class ServiceFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    search_fields = ("code", "name", "description")

    class Meta:
        model = Service
        fields = ["q", "status", "criticality"]


class CustomerFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    search_fields = ("code", "name", "contact_name")

    class Meta:
        model = Customer
        fields = ["q"]


class MaintenanceWindowFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="service", to_field_name="code", label=_("Service")
    )
    status = django_filters.ChoiceFilter(choices=MaintenanceStatus.choices, label=_("Status"))

    search_fields = ("title", "description", "service__name")

    class Meta:
        model = MaintenanceWindow
        fields = ["q", "service", "status"]


class CalendarFilter(ScopedFilterSet):
    """Business calendars (the API's list; the page lists them all)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    search_fields = ("code", "name", "description")

    class Meta:
        model = BusinessCalendar
        fields = ["q", "time_zone"]


class ExclusionFilter(ScopedFilterSet):
    """An agreement's exclusions (the API's list; the page shows them all on the agreement)."""

    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="service", to_field_name="code", label=_("Service")
    )
    reason = django_filters.ChoiceFilter(choices=ExclusionReason.choices, label=_("Reason"))

    class Meta:
        model = Exclusion
        fields = ["service", "reason"]


class TargetFilter(ScopedFilterSet):
    """An agreement's targets (the API's list; the page shows them all on the agreement)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    budgeting_method = django_filters.ChoiceFilter(choices=BudgetingMethod.choices, label=_("Budgeting method"))
    window_kind = django_filters.ChoiceFilter(choices=WindowKind.choices, label=_("Window"))
    service_hours = django_filters.ModelChoiceFilter(
        queryset=BusinessCalendar.objects.none(),
        field_name="service_hours",
        to_field_name="code",
        label=_("Service hours"),
    )
    search_fields = ("code", "name", "description")

    class Meta:
        model = ServiceLevelTarget
        fields = ["q", "budgeting_method", "window_kind", "service_hours"]
