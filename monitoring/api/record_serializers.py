"""How the records of evaluation and of service desks read over the API: compliance snapshots, breaches, alerts and
tickets with their clocks. Rows of a target name its agreement and the target by their codes."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.serializers import UserNameField
from monitoring.api.catalogue_serializers import CodeField
from monitoring.choices import ClockStatus, Severity, TicketCategory
from monitoring.models import Alert, Breach, ComplianceSnapshot, Ticket, TicketClock


class TargetRowSerializer(serializers.ModelSerializer):
    """A row of a service level target: its agreement's code and its own."""

    agreement = serializers.SlugField(source="target.agreement.code", help_text="The agreement's code.")
    target = serializers.SlugField(source="target.code", help_text="The target's code (unique in its agreement).")


class SnapshotSerializer(TargetRowSerializer):
    period = serializers.CharField(source="period_label", help_text="2026-11, 2026-Q4, 2026-W48, or a day (rolling).")
    closed = serializers.BooleanField(source="is_closed", help_text="A closed period's snapshot never changes.")
    current = serializers.BooleanField(
        source="is_current", help_text="The snapshot of the period running when the target was last evaluated."
    )
    attainment_percent = serializers.DecimalField(max_digits=18, decimal_places=10, allow_null=True)
    budget_left = serializers.DecimalField(
        max_digits=25, decimal_places=12, help_text="What is left of the error budget in its unit; negative: overspent."
    )
    burn_rates = serializers.DictField(child=serializers.CharField(allow_null=True))

    class Meta:
        model = ComplianceSnapshot
        fields = [
            "id",
            "agreement",
            "target",
            "period",
            "period_start",
            "period_end",
            "window_start",
            "closed",
            "current",
            "status",
            "objective",
            "method",
            "missing_data",
            "slice_minutes",
            "attainment",
            "attainment_percent",
            "good",
            "total",
            "good_slices",
            "slices_with_data",
            "slices_in_scope",
            "budget_unit",
            "budget_total",
            "budget_consumed",
            "budget_remaining",
            "budget_left",
            "burn_rates",
            "fastest_burn",
            "fastest_burn_window",
            "credit_percent",
            "credit_amount",
            "currency",
            "in_maintenance",
            "maintenance",
            "computed_at",
        ]
        read_only_fields = fields


class BreachSerializer(TargetRowSerializer):
    period = serializers.CharField(source="period_label")
    attainment_percent = serializers.DecimalField(max_digits=18, decimal_places=10, allow_null=True)
    open = serializers.SerializerMethodField(
        help_text="Going on now: a rolling window's episode not ended, or a period not over whose budget is spent."
    )

    class Meta:
        model = Breach
        fields = [
            "id",
            "agreement",
            "target",
            "kind",
            "period",
            "period_start",
            "period_end",
            "detected_at",
            "ended_at",
            "open",
            "attainment",
            "attainment_percent",
            "objective",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_open(self, breach):
        return breach.is_open(timezone.now())


class AlertSerializer(TargetRowSerializer):
    rule = serializers.SlugField(source="rule.name", help_text="The burn-rate rule that fired.")
    severity = serializers.ChoiceField(source="rule.severity", choices=Severity.choices)
    acknowledged_by = UserNameField(allow_null=True)
    silenced = serializers.BooleanField(help_text="No notifications are sent for it until silenced_until.")

    class Meta:
        model = Alert
        fields = [
            "id",
            "agreement",
            "target",
            "rule",
            "severity",
            "state",
            "started_at",
            "resolved_at",
            "long_burn",
            "short_burn",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement",
            "silenced_until",
            "silenced",
        ]
        read_only_fields = fields


def seconds(span):
    return None if span is None else int(span.total_seconds())


class TicketClockSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugField(source="indicator.code")
    metric = serializers.CharField(source="indicator.ticket_metric", help_text="first_response or resolution.")
    state = serializers.ChoiceField(
        choices=ClockStatus.choices, help_text="running, paused, breached, met or cancelled, as last rebuilt."
    )
    at_risk = serializers.SerializerMethodField(help_text="In flight (running or paused) and past a warning point.")
    goal_minutes = serializers.SerializerMethodField(help_text="The priority's goal, in business minutes.")
    business_seconds = serializers.SerializerMethodField(
        help_text="Business time on the clock (paused time left out) when it was last rebuilt (evaluated_at)."
    )
    wall_seconds = serializers.SerializerMethodField(help_text="Wall-clock time from start to stop (or evaluated_at).")
    due_at = serializers.DateTimeField(allow_null=True, help_text="When a running clock uses up its goal.")

    class Meta:
        model = TicketClock
        fields = [
            "indicator",
            "metric",
            "state",
            "at_risk",
            "priority",
            "goal_minutes",
            "started_at",
            "stopped_at",
            "due_at",
            "breached_at",
            "warning_at",
            "business_seconds",
            "wall_seconds",
            "percent_elapsed",
            "pauses",
            "good",
            "counted_at",
            "evaluated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_at_risk(self, clock):
        in_flight = clock.state in (ClockStatus.RUNNING, ClockStatus.PAUSED)
        return in_flight and clock.warning_at is not None and clock.warning_at <= timezone.now()

    @extend_schema_field(OpenApiTypes.INT)
    def get_goal_minutes(self, clock):
        return seconds(clock.goal) // 60

    @extend_schema_field(OpenApiTypes.INT)
    def get_business_seconds(self, clock):
        return seconds(clock.running_time)

    @extend_schema_field(OpenApiTypes.INT)
    def get_wall_seconds(self, clock):
        return seconds(clock.wall_time)


class TicketSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="external_id", help_text="The desk's ticket id.")
    desk = CodeField(source="source", help_text="The service desk's code.")
    customer = CodeField()
    service = CodeField()
    category = serializers.ChoiceField(choices=TicketCategory.choices, help_text="The portal's category of its state.")
    state = serializers.CharField(help_text="The state as the desk names it.")
    clocks = TicketClockSerializer(many=True, help_text="One per ticket indicator counting the ticket.")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "ticket",
            "desk",
            "customer",
            "service",
            "title",
            "priority",
            "state",
            "category",
            "created_at",
            "updated_at",
            "clocks",
        ]
        read_only_fields = fields
