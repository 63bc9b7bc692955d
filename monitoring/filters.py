"""The ticket list's filters: choices scoped to what the viewer sees (``core.filters.ScopedFilterSet``)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Customer, Service
from core.filters import ScopedFilterSet
from monitoring.choices import ClockFilter, TicketCategory, TicketMetric
from monitoring.models import Ticket, TicketClock
from monitoring.readout.ticket_list import with_clock_in


class TicketFilter(ScopedFilterSet):
    """Tickets by agreement (its customer's tickets of its services), customer (service managers only), service,
    priority, state, where a clock stands now, and the clock it is (first response or resolution): the clock filter
    and the order read that clock alone when one is chosen."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    agreement = django_filters.ModelChoiceFilter(
        queryset=Agreement.objects.none(), to_field_name="code", method="by_agreement", label=_("Agreement")
    )
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="service", to_field_name="code", label=_("Service")
    )
    priority = django_filters.ChoiceFilter(choices=[], label=_("Priority"))
    category = django_filters.ChoiceFilter(choices=TicketCategory.choices, label=_("State"))
    clock = django_filters.ChoiceFilter(choices=ClockFilter.choices, method="by_clock", label=_("Clock state"))
    metric = django_filters.ChoiceFilter(choices=TicketMetric.choices, method="by_metric", label=_("Clock"))

    search_fields = ("external_id", "title")

    class Meta:
        model = Ticket
        fields = ["q", "agreement", "customer", "service", "priority", "category", "clock", "metric"]

    def __init__(self, *args, user=None, now=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.now = now
        if user is None or not user.has_perm("monitoring.view_ticket"):
            del self.filters["customer"]  # a customer user sees their own tickets only
        priorities = Ticket.objects.for_user(user).order_by("priority").values_list("priority", flat=True).distinct()
        self.filters["priority"].extra["choices"] = lambda: [(value, value) for value in priorities]

    @property
    def chosen_metric(self):
        """The clock chosen (a ``TicketMetric`` value), or None."""
        return (self.form.cleaned_data.get("metric") or None) if self.is_bound and self.is_valid() else None

    def ranks(self, ranks):
        """``ranks`` (TicketRank rows) narrowed to the chosen tickets: by the copied customer and service when only
        those (and the clock) are chosen, the common case, which needs no join; through the tickets otherwise."""
        chosen = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        if any(chosen.get(name) for name in ("q", "agreement", "priority", "category", "clock")):
            return ranks.filter(ticket__in=self.qs.values("pk"))
        for name in ("customer", "service"):
            if chosen.get(name):
                ranks = ranks.filter(**{name: chosen[name]})
        return ranks

    def by_agreement(self, queryset, name, agreement):
        return queryset.filter(customer_id=agreement.customer_id, service__in=agreement.services.all())

    def by_clock(self, queryset, name, value):
        return with_clock_in(queryset, value, self.now, self.form.cleaned_data.get("metric") or None)

    def by_metric(self, queryset, name, value):
        return queryset.filter(
            Exists(TicketClock.objects.filter(ticket=OuterRef("pk"), indicator__ticket_metric=value))
        )
