"""Serializers of the monitoring API. The measurement batch is validated by monitoring.intake.ingest (fast, all or
nothing); its serializers here describe the shape for the OpenAPI schema."""

from rest_framework import serializers

from monitoring.choices import SnapshotStatus, TicketEventKind


class SampleSerializer(serializers.Serializer):
    t = serializers.DateTimeField(help_text="ISO-8601 instant with a zone (Z or an offset).")
    value = serializers.FloatField(required=False, help_text="Threshold indicators: the measured value.")
    good = serializers.IntegerField(required=False, min_value=0, help_text="Ratio indicators: good events.")
    total = serializers.IntegerField(required=False, min_value=0, help_text="Ratio indicators: all events.")


class MeasurementBatchSerializer(serializers.Serializer):
    indicator = serializers.SlugField(help_text="The indicator's code.")
    samples = SampleSerializer(many=True, help_text="1 to 10,000 samples of that indicator.")


class MeasurementResultSerializer(serializers.Serializer):
    indicator = serializers.SlugField()
    received = serializers.IntegerField()
    new = serializers.IntegerField()
    duplicates = serializers.IntegerField()


class BatchErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        allow_null=True, help_text="The sample's (or event's) position in the batch (0-based); null for the batch."
    )
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BatchErrorsSerializer(serializers.Serializer):
    errors = BatchErrorSerializer(many=True)


class TicketEventSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="The event's id, unique per desk: a resend is skipped.")
    ticket = serializers.CharField(max_length=100, help_text="The desk's ticket id.")
    type = serializers.ChoiceField(choices=TicketEventKind.values)
    at = serializers.CharField(
        help_text="ISO 8601 with a zone (2026-12-01T09:00:00+09:00); also 2026-12-01 00:00:00 UTC. At most 5 "
        "minutes in the future."
    )
    customer = serializers.SlugField(required=False, help_text="created only: the customer's code.")
    service = serializers.SlugField(required=False, help_text="created only: the service's code.")
    priority = serializers.CharField(
        max_length=20, required=False, help_text="created and priority_changed: a priority the targets have goals for."
    )
    state = serializers.CharField(
        max_length=100,
        required=False,
        help_text="state_changed (optional with created): one of the desk's mapped state names, or a category.",
    )
    title = serializers.CharField(max_length=300, required=False, help_text="created only.")


class TicketEventBatchSerializer(serializers.Serializer):
    events = TicketEventSerializer(many=True, help_text="1 to 5,000 events, in any order.")


class TicketEventResultSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Events in the batch.")
    stored = serializers.IntegerField(help_text="Events new to the portal (the others were stored before).")
    tickets_created = serializers.IntegerField()
    clocks = serializers.IntegerField(help_text="Ticket clocks rebuilt.")


class WebhookRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ErrorBudgetSerializer(serializers.Serializer):
    unit = serializers.CharField()
    total = serializers.CharField()
    consumed = serializers.CharField()
    left = serializers.CharField()
    remaining = serializers.CharField(allow_null=True, help_text="Share of the budget left (1 = untouched).")


class PeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    closed = serializers.BooleanField()


class CreditSerializer(serializers.Serializer):
    percent = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField()


class TargetComplianceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    indicator = serializers.CharField(allow_null=True)
    objective_percent = serializers.CharField()
    window = serializers.CharField()
    method = serializers.CharField()
    period = PeriodSerializer(allow_null=True)
    attainment = serializers.CharField(allow_null=True, help_text="A fraction: 0.999 is 99.9 %.")
    attainment_percent = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=SnapshotStatus.choices,
        help_text="A closed period is met or breached; an open one (and a rolling window) is on_track, at_risk or "
        "breached; no_data when nothing was counted.",
    )
    error_budget = ErrorBudgetSerializer(allow_null=True)
    burn_rates = serializers.DictField(child=serializers.CharField(allow_null=True))
    credit = CreditSerializer(allow_null=True)
    evaluated_at = serializers.DateTimeField(allow_null=True)


class AgreementComplianceSerializer(serializers.Serializer):
    agreement = serializers.CharField()
    title = serializers.CharField()
    customer = serializers.CharField()
    period = serializers.CharField()
    targets = TargetComplianceSerializer(many=True)
