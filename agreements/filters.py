import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementKind, AgreementStatus
from agreements.models import Agreement, Customer, Service


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="services", to_field_name="code", label=_("Service")
    )
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=AgreementKind.choices, label=_("Kind"))

    class Meta:
        model = Agreement
        fields = ["q", "customer", "service", "status", "kind"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices offered are only what the user may see.
        self.filters["customer"].queryset = Customer.objects.for_user(user)
        self.filters["service"].queryset = Service.objects.for_user(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(customer__name__icontains=value)
        )


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Service
        fields = ["q", "status", "criticality"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(description__icontains=value))


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Customer
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(contact_name__icontains=value))
