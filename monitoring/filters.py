"""The filters of the ticket list and of the API's lists: choices scoped to what the viewer sees
(``core.filters.ScopedFilterSet``)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agreements.models import Agreement, Customer, Service
from core.filters import ScopedFilterSet
from monitoring.choices import (
    AlertState,
    BreachKind,
    ClockFilter,
    Severity,
    SnapshotStatus,
    TicketCategory,
    TicketMetric,
)
from monitoring.kinds import IndicatorKind
from monitoring.models import (
    Alert,
    Breach,
    ComplianceSnapshot,
    DataSource,
    Indicator,
    PrometheusSource,
    Ticket,
    TicketClock,
    TicketSource,
)
from monitoring.readout.ticket_list import sees_every_ticket, ticket_priorities, with_clock_in


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
    # The priorities the person's tickets have, given in __init__. A callable here too: a list would have the API's
    # schema (which reads the class) build the shared field with no choice at all, for every later request.
    priority = django_filters.ChoiceFilter(choices=list, label=_("Priority"))
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
        if not sees_every_ticket(user):
            del self.filters["customer"]  # a customer user sees their own tickets only
        self.filters["priority"].extra["choices"] = lambda: [(value, value) for value in ticket_priorities(user)]

    @property
    def chosen(self):
        """The filters' cleaned values ({} when the form is unbound or invalid: every ticket the person sees)."""
        return self.form.cleaned_data if self.is_bound and self.is_valid() else {}

    @property
    def chosen_metric(self):
        """The clock chosen (a ``TicketMetric`` value), or None."""
        return self.chosen.get("metric") or None

    def ranks(self, ranks):
        """``ranks`` (TicketRank rows) narrowed to the chosen tickets: by the copied customer and service when only
        those (and the clock) are chosen, the common case, which needs no join; through the tickets otherwise."""
        chosen = self.chosen
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


# The API's lists (monitoring/api/): what each list may be narrowed by, choices scoped to what the person sees.


class IndicatorFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices, label=_("Kind"))
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="service", to_field_name="code", label=_("Service")
    )
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customer", to_field_name="code", label=_("Customer")
    )

    search_fields = ("code", "name", "description")

    class Meta:
        model = Indicator
        fields = ["q", "kind", "service", "customer"]


class DataSourceFilter(ScopedFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        queryset=Indicator.objects.none(), field_name="indicators", to_field_name="code", label=_("Indicator")
    )
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label=_("Active"))

    class Meta:
        model = DataSource
        fields = ["indicator", "active"]


class PrometheusSourceFilter(ScopedFilterSet):
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))

    class Meta:
        model = PrometheusSource
        fields = ["active", "auth"]


class TicketSourceFilter(ScopedFilterSet):
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), field_name="customers", to_field_name="code", label=_("Customer")
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), field_name="services", to_field_name="code", label=_("Service")
    )
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label=_("Active"))

    class Meta:
        model = TicketSource
        fields = ["customer", "service", "active"]


class TargetRowsFilter(ScopedFilterSet):
    """Rows of a target (snapshots, breaches, alerts): by its agreement's code and the target's code."""

    agreement = django_filters.ModelChoiceFilter(
        queryset=Agreement.objects.none(), field_name="target__agreement", to_field_name="code", label=_("Agreement")
    )
    target = django_filters.CharFilter(field_name="target__code", label=_("Target (its code)"))


class SnapshotFilter(TargetRowsFilter):
    period = django_filters.CharFilter(field_name="period_label", label=_("Period"))
    status = django_filters.ChoiceFilter(choices=SnapshotStatus.choices, label=_("Status"))
    closed = django_filters.BooleanFilter(field_name="is_closed", label=capfirst(_("closed")))
    current = django_filters.BooleanFilter(field_name="is_current", label=capfirst(_("current")))

    class Meta:
        model = ComplianceSnapshot
        fields = ["agreement", "target", "period", "status", "closed", "current"]


# "from" and "to" are words of Python: set apart from the class body.
SnapshotFilter.base_filters["from"] = django_filters.IsoDateTimeFilter(
    field_name="period_end", lookup_expr="gt", label=_("Periods ending after (ISO 8601)")
)
SnapshotFilter.base_filters["to"] = django_filters.IsoDateTimeFilter(
    field_name="period_start", lookup_expr="lt", label=_("Periods starting before (ISO 8601)")
)


class BreachFilter(TargetRowsFilter):
    open = django_filters.BooleanFilter(method="by_open", label=_("Going on now"))
    since = django_filters.IsoDateTimeFilter(
        field_name="detected_at", lookup_expr="gte", label=_("Detected since (ISO 8601)")
    )
    kind = django_filters.ChoiceFilter(choices=BreachKind.choices, label=_("Kind"))

    class Meta:
        model = Breach
        fields = ["agreement", "target", "open", "since", "kind"]

    def by_open(self, queryset, name, value):
        now = timezone.now()
        return queryset.open_at(now) if value else queryset.closed_at(now)


class AlertFilter(TargetRowsFilter):
    state = django_filters.ChoiceFilter(choices=AlertState.choices, label=_("State"))
    severity = django_filters.ChoiceFilter(
        field_name="rule__severity", choices=Severity.choices, label=capfirst(_("severity"))
    )

    class Meta:
        model = Alert
        fields = ["agreement", "target", "state", "severity"]


class TicketApiFilter(TicketFilter):
    """The ticket list's filters, read at the moment of the request, and the desk's own state name."""

    state = django_filters.CharFilter(field_name="state", label=_("State at the desk"))

    class Meta(TicketFilter.Meta):
        fields = [*TicketFilter.Meta.fields, "state"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, now=timezone.now(), **kwargs)

    @extend_schema_field(OpenApiTypes.STR)  # the agreement's code
    def by_agreement(self, queryset, name, agreement):
        return super().by_agreement(queryset, name, agreement)
