"""The plans' filters: the board's (customer, service, owner) and the API's list of plans (those, a status and a text
search)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer
from core.filters import ScopedFilterSet
from improvement.choices import ActionStatus, PlanStatus
from improvement.models import Action, ImprovementPlan


class PlanFilter(ScopedFilterSet):
    customer = django_filters.CharFilter(method="for_customer", label=_("Customer"))
    service = django_filters.CharFilter(method="for_service", label=_("Service"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    search_fields = ("title", "code", "problem")

    class Meta:
        model = ImprovementPlan
        fields = ["customer", "service", "owner", "status", "q"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.user = user

    def for_customer(self, queryset, name, value):
        """The plans that customer's people see: its own, and those for no one customer on its services (a customer
        the person does not see: none)."""
        chosen = Customer.objects.for_user(self.user).filter(code=value).first()
        return queryset.concerning(chosen) if chosen else queryset.none()

    def for_service(self, queryset, name, value):
        return queryset.filter(services__code=value).distinct()


class ActionFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner"))

    class Meta:
        model = Action
        fields = ["status", "owner"]
