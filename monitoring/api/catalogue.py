"""Indicators and the sources of their data over the API, each write through its page's form and the code the page
saves with: an indicator with its goals per priority (and its tickets' clocks rebuilt when their rules change), a
data source or a service desk with its first token (shown in the answer to its creation only), a Prometheus source
with its secret (written, never read back). Service managers' rows: customers read their own indicators only."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.api import forms as api_forms
from core.api.form_schema import write_schema
from core.api.viewsets import TenantViewSet
from monitoring.api.catalogue_serializers import (
    DataSourceSerializer,
    IndicatorSerializer,
    NewDataSourceSerializer,
    NewServiceDeskSerializer,
    PrometheusSourceSerializer,
    ServiceDeskSerializer,
)
from monitoring.api.goals import bind_goals, goal_errors
from monitoring.filters import DataSourceFilter, IndicatorFilter, PrometheusSourceFilter, TicketSourceFilter
from monitoring.forms import DataSourceForm, TicketSourceForm
from monitoring.forms.indicators import IndicatorForm, save_indicator
from monitoring.forms.prometheus import PrometheusSourceForm
from monitoring.models import DataSource, Indicator, PrometheusSource, TicketSource

# Rows the pages never delete (a source is revoked on its page; an indicator's measurements are history).
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class GoalWriteSerializer(serializers.Serializer):
    priority = serializers.CharField(max_length=20)
    goal = serializers.CharField(help_text="Business hours:minutes: 4:00, 0:30, 27:00.")


def writes(form_class, name, created=None, **more):
    """The schema of a viewset's writes: the body its page's form takes (and what a creation answers)."""
    body = write_schema(form_class, name, **more)
    create = extend_schema(request=body, responses={201: created}) if created else extend_schema(request=body)
    return extend_schema_view(
        create=create, update=extend_schema(request=body), partial_update=extend_schema(request=body)
    )


INDICATOR_GOALS = GoalWriteSerializer(
    many=True,
    required=False,
    help_text="Ticket indicators: the goals to set, by priority; a stored priority left out keeps its goal.",
)


@writes(IndicatorForm, "IndicatorWrite", goals=INDICATOR_GOALS)
class IndicatorViewSet(TenantViewSet):
    """Indicators (SLIs) of every kind; a ticket indicator with its goals per priority. A customer user reads the
    indicators of their services (a ticket indicator only when it counts their tickets)."""

    model = Indicator
    serializer_class = IndicatorSerializer
    form_class = IndicatorForm
    filterset_class = IndicatorFilter
    ordering_fields = ["code", "name", "kind"]
    add_permission = "monitoring.add_indicator"
    change_permission = "monitoring.change_indicator"
    http_method_names = NO_DELETE

    def base_queryset(self):
        return Indicator.objects.select_related("service", "customer", "business_hours").prefetch_related(
            "ticket_goals"
        )

    def nested_keys(self):
        return ("goals",)

    def bind(self, instance=None, partial=False):
        data = self.request.data
        if isinstance(data, dict) and isinstance(data.get("warning_points"), list):
            # As the serializer reads them, or as the page writes them ("50, 75"): the form reads the text.
            data = {**data, "warning_points": ", ".join(str(point) for point in data["warning_points"])}
        form = api_forms.bind(self.form_class, data, instance=instance, partial=partial, allowed=self.nested_keys())
        bind_goals(form, data.get("goals"))
        return form

    def validate(self, form):
        valid = api_forms.is_valid(form)  # the form's is_valid checks a ticket indicator's goals too
        if not valid:
            errors = api_forms.errors_of(form)
            errors.update(goal_errors(form))
            raise ValidationError(errors)

    def save_form(self, form):
        return save_indicator(form)


@writes(DataSourceForm, "DataSourceWrite", created=NewDataSourceSerializer)
class DataSourceViewSet(TenantViewSet):
    """Data sources (service managers): what sends measurements, and the indicators it may write to. Creating one
    answers its token once; the token is revoked or replaced on the data source's page."""

    model = DataSource
    serializer_class = DataSourceSerializer
    form_class = DataSourceForm
    filterset_class = DataSourceFilter
    ordering_fields = ["code", "name", "created_at"]
    add_permission = "monitoring.add_datasource"
    change_permission = "monitoring.change_datasource"
    http_method_names = NO_DELETE

    def base_queryset(self):
        return DataSource.objects.select_related("created_by").prefetch_related("indicators")

    def get_serializer_class(self):
        return NewDataSourceSerializer if self.action == "create" else DataSourceSerializer

    def save_form(self, form):
        if form.instance.pk:
            return form.save()  # a change keeps the token
        source, source.token = form.save_with_token(self.request.user)
        return source

    def reread(self, row):
        stored = super().reread(row)
        stored.token = getattr(row, "token", None)
        return stored


@writes(PrometheusSourceForm, "PrometheusSourceWrite")
class PrometheusSourceViewSet(TenantViewSet):
    """Prometheus servers the portal pulls from (service managers), with the state of their pulls. ``secret`` (a
    token or password) is written only: kept encrypted, never read back."""

    model = PrometheusSource
    serializer_class = PrometheusSourceSerializer
    form_class = PrometheusSourceForm
    filterset_class = PrometheusSourceFilter
    ordering_fields = ["code", "name", "created_at"]
    add_permission = "monitoring.add_prometheussource"
    change_permission = "monitoring.change_prometheussource"
    http_method_names = NO_DELETE

    def base_queryset(self):
        return PrometheusSource.objects.prefetch_related("queries__indicator")


@writes(TicketSourceForm, "ServiceDeskWrite", created=NewServiceDeskSerializer)
class ServiceDeskViewSet(TenantViewSet):
    """Service desks (service managers): where ticket events come from, and the customers and services each may
    write for. Creating one answers its token and webhook signing key once (they are revoked or replaced on its page);
    its state names are edited on its page."""

    model = TicketSource
    serializer_class = ServiceDeskSerializer
    form_class = TicketSourceForm
    filterset_class = TicketSourceFilter
    ordering_fields = ["code", "name", "created_at"]
    add_permission = "monitoring.add_ticketsource"
    change_permission = "monitoring.change_ticketsource"
    http_method_names = NO_DELETE

    def base_queryset(self):
        return TicketSource.objects.select_related("created_by").prefetch_related("customers", "services")

    def get_serializer_class(self):
        return NewServiceDeskSerializer if self.action == "create" else ServiceDeskSerializer

    def save_form(self, form):
        if form.instance.pk:
            return form.save()  # a change keeps the token, the signing key and the state names
        desk, desk.token = form.save_with_token(self.request.user)
        return desk

    def reread(self, row):
        stored = super().reread(row)
        stored.token = getattr(row, "token", None)
        return stored
