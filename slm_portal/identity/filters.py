import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer
from core.filters import ScopedFilterSet
from slm_portal.identity.choices import EventKind
from slm_portal.identity.models import SignInEvent


class SignInEventFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("What"))
    person = django_filters.CharFilter(field_name="login_name", lookup_expr="icontains", label=_("Person"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = SignInEvent
        fields = ["kind", "person", "customer", "since", "until"]

    def __init__(self, *args, show_customer=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_customer:
            del self.filters["customer"]
