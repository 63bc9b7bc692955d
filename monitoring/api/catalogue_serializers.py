"""How indicators and the sources of their data read over the API. Writes go through the pages' forms
(``monitoring.api.catalogue``); these serializers only say what a row looks like, with related rows named by their
codes and people by the name they sign in with. No token, token hash or secret is ever among their fields."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.serializers import UserNameField
from monitoring.choices import PAUSABLE
from monitoring.forms.indicators import goal_text
from monitoring.models import DataSource, Indicator, PrometheusSource, TicketSource
from monitoring.readout.ticket_list import goals_in_force


class CodeField(serializers.SlugRelatedField):
    """A related row, named by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", read_only=True, **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "number"}})
class NumbersField(serializers.Field):
    """A list of numbers as stored (50 stays 50, 62.5 stays 62.5)."""

    def to_representation(self, value):
        return list(value)


class TicketGoalSerializer(serializers.Serializer):
    priority = serializers.CharField()
    goal = serializers.CharField(help_text="Business hours:minutes, as the indicator page writes it: 4:00, 27:00.")
    minutes = serializers.IntegerField(help_text="The same goal in business minutes.")
    effective_from = serializers.DateTimeField(help_text="Clocks started from then on take this goal.")


class IndicatorSerializer(serializers.ModelSerializer):
    service = CodeField()
    customer = CodeField(allow_null=True, help_text="Ticket indicators: whose tickets are counted.")
    business_hours = CodeField(
        allow_null=True, help_text="Ticket indicators: the business calendar the clocks run in; null: around the clock."
    )
    pause_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=[(category.value, category.label) for category in PAUSABLE]),
        help_text="Ticket indicators: the categories a ticket's clock stops in.",
    )
    warning_points = NumbersField(
        help_text="Ticket indicators: percentages of the goal (empty: 50 and 75). Written as a list or as the page "
        'writes them, "50, 75".'
    )
    goals = serializers.SerializerMethodField(
        help_text="Ticket indicators: the goal of each priority in force now. Written as a list of "
        '{"priority": "P1", "goal": "4:00"}: a priority left out keeps its goal, a changed goal is a new version '
        "effective from the save, and a priority that has a goal keeps one."
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "kind",
            "service",
            "unit",
            "operator",
            "threshold",
            "description",
            "customer",
            "ticket_metric",
            "business_hours",
            "pause_categories",
            "warning_points",
            "goals",
        ]
        read_only_fields = fields

    @extend_schema_field(TicketGoalSerializer(many=True))
    def get_goals(self, indicator):
        if not indicator.sli_kind.tickets:
            return []
        return [
            {
                "priority": priority,
                "goal": goal_text(goal.minutes),
                "minutes": goal.minutes,
                "effective_from": serializers.DateTimeField().to_representation(goal.effective_from),
            }
            for priority, goal in goals_in_force(indicator, timezone.now()).items()
        ]


class DataSourceSerializer(serializers.ModelSerializer):
    indicators = CodeField(many=True, help_text="The indicators its token may write measurements to.")
    token_hint = serializers.CharField(help_text="How its token begins (the token itself is never shown again).")
    active = serializers.BooleanField(source="is_active", help_text="False once its token is revoked.")
    created_by = UserNameField(allow_null=True)

    class Meta:
        model = DataSource
        fields = [
            "code",
            "name",
            "indicators",
            "token_hint",
            "active",
            "created_by",
            "created_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = fields


class NewDataSourceSerializer(DataSourceSerializer):
    token = serializers.CharField(
        help_text="The data source's token, for Authorization: Bearer. Shown in this answer only: it is kept hashed."
    )

    class Meta(DataSourceSerializer.Meta):
        fields = [*DataSourceSerializer.Meta.fields, "token"]
        read_only_fields = fields


class PrometheusSourceSerializer(serializers.ModelSerializer):
    has_secret = serializers.BooleanField(
        help_text="Whether a token or password is saved or named by secret_env. The secret itself is written (as "
        "secret) and never read back."
    )
    queries = serializers.SerializerMethodField(help_text="The indicators its PromQL queries feed.")
    pulled_until = serializers.SerializerMethodField(help_text="Every active query is pulled up to this instant.")
    minutes_behind = serializers.SerializerMethodField(
        help_text="Whole minutes the pulled data lag behind now; null before the first pull."
    )

    class Meta:
        model = PrometheusSource
        fields = [
            "code",
            "name",
            "base_url",
            "auth",
            "username",
            "has_secret",
            "secret_env",
            "timeout_seconds",
            "is_active",
            "created_at",
            "last_pull_at",
            "pulled_until",
            "minutes_behind",
            "last_error",
            "last_error_at",
            "queries",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_queries(self, source):
        return [query.indicator.code for query in source.queries.all()]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_pulled_until(self, source):
        until = source.pulled_until()
        return None if until is None else serializers.DateTimeField().to_representation(until)

    @extend_schema_field(OpenApiTypes.INT)
    def get_minutes_behind(self, source):
        return source.minutes_behind


class ServiceDeskSerializer(serializers.ModelSerializer):
    customers = CodeField(many=True, help_text="Tickets of other customers are refused.")
    services = CodeField(many=True, help_text="Tickets of other services are refused.")
    state_names = serializers.DictField(
        source="state_map",
        child=serializers.CharField(),
        help_text="The desk's own state names and the portal's category of each (edited on the desk's page).",
    )
    token_hint = serializers.CharField(help_text="How its token begins (the token itself is never shown again).")
    active = serializers.BooleanField(source="is_active", help_text="False once its token and signing key are revoked.")
    created_by = UserNameField(allow_null=True)
    webhook_url = serializers.SerializerMethodField(help_text="Where the desk sends signed webhook deliveries.")

    class Meta:
        model = TicketSource
        fields = [
            "code",
            "name",
            "customers",
            "services",
            "state_names",
            "token_hint",
            "active",
            "created_by",
            "created_at",
            "revoked_at",
            "last_used_at",
            "webhook_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_webhook_url(self, source):
        path = reverse("api-ticket-webhook", kwargs={"code": source.code})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class NewServiceDeskSerializer(ServiceDeskSerializer):
    token = serializers.CharField(
        help_text="The desk's token, for Authorization: Bearer. Shown in this answer only: it is kept hashed."
    )
    signing_key = serializers.CharField(
        help_text="The key the desk signs webhook bodies with (HMAC-SHA256). Shown in this answer only."
    )

    class Meta(ServiceDeskSerializer.Meta):
        fields = [*ServiceDeskSerializer.Meta.fields, "token", "signing_key"]
        read_only_fields = fields
