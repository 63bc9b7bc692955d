"""What evaluation and service desks recorded, to read over the API: compliance snapshots, breaches, burn-rate alerts
(with the alert page's acknowledgement and silence) and tickets with their clocks. Rows have no code: each is named
by its id. A customer user reads the rows of their own organisation's targets and tickets (``.for_user()``)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import forms as api_forms
from core.api.viewsets import TenantReadViewSet, require
from monitoring.api.record_serializers import (
    AlertSerializer,
    BreachSerializer,
    SnapshotSerializer,
    TicketSerializer,
)
from monitoring.filters import AlertFilter, BreachFilter, SnapshotFilter, TicketApiFilter
from monitoring.forms import AcknowledgeAlertForm, SilenceAlertForm
from monitoring.models import Alert, Breach, ComplianceSnapshot, Ticket, TicketClock

ID = r"[0-9]+"


class RecordViewSet(TenantReadViewSet):
    lookup_field = "pk"
    lookup_value_regex = ID


class SnapshotViewSet(RecordViewSet):
    """Compliance snapshots: one per target and calendar period (a rolling window: one per day), newest first."""

    model = ComplianceSnapshot
    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilter
    ordering_fields = ["period_start", "period_end", "computed_at", "status", "id"]
    ordering = ["-period_start", "-id"]

    def base_queryset(self):
        return ComplianceSnapshot.objects.select_related("target__agreement")


class BreachViewSet(RecordViewSet):
    """Breaches: a target's missed period, or a rolling window's episode with its end; newest first."""

    model = Breach
    serializer_class = BreachSerializer
    filterset_class = BreachFilter
    ordering_fields = ["detected_at", "period_start", "id"]
    ordering = ["-detected_at", "-id"]

    def base_queryset(self):
        return Breach.objects.select_related("target__agreement")


def page_form(form_class):
    """A form of the page that has no row of its own, bound by the API's rules (``core.api.forms.bind``)."""

    def make(instance=None, **kwargs):
        return form_class(**kwargs)

    return make


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text="For the others.")


class SilenceSerializer(serializers.Serializer):
    hours = serializers.ChoiceField(
        choices=[hours for hours, _label in SilenceAlertForm.HOURS],
        help_text="No notifications for so many hours from now; 0 lifts the silence.",
    )


class AlertViewSet(RecordViewSet):
    """Burn-rate alerts, newest first; service managers acknowledge and silence them, as on the alert page."""

    model = Alert
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["started_at", "state", "id"]
    ordering = ["-started_at", "-id"]
    action_permission = "monitoring.acknowledge_alert"

    def base_queryset(self):
        return Alert.objects.select_related("target__agreement", "rule", "acknowledged_by")

    def step_form(self, form_class):
        """The page's form of a step on one alert: the alert (404 before 403), the permission, the precondition."""
        alert = self.get_object()
        require(self.request.user, self.action_permission)
        self.check_if_match(self.get_serializer(alert).data)
        form = api_forms.bind(page_form(form_class), self.request.data)
        if not api_forms.is_valid(form):
            raise ValidationError(api_forms.errors_of(form))
        return alert, form.cleaned_data

    @extend_schema(request=AcknowledgeSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, *args, **kwargs):
        """Someone is on it: who (the caller), when (now), and a note for the others."""
        alert, data = self.step_form(AcknowledgeAlertForm)
        alert.acknowledge(request.user, data["note"])
        return Response(self.get_serializer(self.reread(alert)).data)

    @extend_schema(request=SilenceSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def silence(self, request, *args, **kwargs):
        """No notifications for the alert for 1, 4, 24 or 72 hours from now; 0 lifts the silence."""
        alert, data = self.step_form(SilenceAlertForm)
        alert.silence(int(data["hours"]))
        return Response(self.get_serializer(self.reread(alert)).data)

    def reread(self, row):
        return self.base_queryset().get(pk=row.pk)


class TicketViewSet(RecordViewSet):
    """Tickets from service desks with their clocks, newest first; a customer user reads their own tickets."""

    model = Ticket
    serializer_class = TicketSerializer
    filterset_class = TicketApiFilter
    ordering_fields = ["created_at", "updated_at", "priority", "external_id", "id"]
    ordering = ["-created_at", "-id"]

    def base_queryset(self):
        clocks = TicketClock.objects.select_related("indicator").order_by("indicator__code")
        return Ticket.objects.select_related("source", "customer", "service").prefetch_related(
            Prefetch("clocks", queryset=clocks)
        )
