"""Ticket events in: a service desk's bearer token, or a webhook signed with its signing key. Both take the same
JSON, ``{"events": [...]}`` (``monitoring.intake.ticket_events``), all or nothing."""

from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.api.authentication import TicketSourcePrincipal, touch
from monitoring.api.parsers import FAST_PARSERS
from monitoring.api.serializers import (
    BatchErrorsSerializer,
    TicketEventBatchSerializer,
    TicketEventResultSerializer,
    WebhookRefusalSerializer,
)
from monitoring.api.views import BatchErrorsMixin, batch_errors
from monitoring.intake import ticket_webhook
from monitoring.intake.ingest import BatchInvalid
from monitoring.intake.ticket_events import record_ticket_events
from monitoring.models import TicketSource


class IsTicketSource(permissions.BasePermission):
    message = "Ticket events are sent with a service desk token (Authorization: Bearer slmsd_…)."

    def has_permission(self, request, view):
        return isinstance(request.user, TicketSourcePrincipal)


def _events_of(body):
    """The body's events, or the batch error of a body that is not {"events": [...]}."""
    if not isinstance(body, dict):
        return None, [{"index": None, "field": None, "message": "the body must be a JSON object"}]
    unknown = sorted(set(body) - {"events"})
    if unknown:
        return None, [{"index": None, "field": key, "message": "unknown field"} for key in unknown]
    return body.get("events"), None


def _stored(result):
    """201 when the batch stored something, 200 when every event was known already (a resend)."""
    return Response(
        {
            "received": result.received,
            "stored": result.stored,
            "tickets_created": result.tickets_created,
            "clocks": result.clocks,
        },
        status=status.HTTP_201_CREATED if result.stored else status.HTTP_200_OK,
    )


EXAMPLE = OpenApiExample(
    "A ticket opened and resolved",
    value={
        "events": [
            {
                "id": "evt-1001",
                "ticket": "INC-1001",
                "type": "created",
                "at": "2026-12-01T09:00:00+09:00",
                "customer": "hanbit-bank",
                "service": "internet-banking",
                "priority": "P1",
                "state": "New",
                "title": "Transfers fail",
            },
            {"id": "evt-1002", "ticket": "INC-1001", "type": "resolved", "at": "2026-12-01T11:30:00+09:00"},
        ]
    },
    request_only=True,
)
RESPONSES = {
    201: OpenApiResponse(TicketEventResultSerializer, description="Stored; the touched tickets' clocks rebuilt."),
    200: OpenApiResponse(TicketEventResultSerializer, description="Every event was stored before: nothing new."),
    400: OpenApiResponse(BatchErrorsSerializer, description="Nothing was stored; every problem is listed."),
    413: OpenApiResponse(BatchErrorsSerializer, description="The body is over the size limit; nothing stored."),
}


PARSERS = FAST_PARSERS


class TicketEventsView(BatchErrorsMixin, APIView):
    """Store a batch of ticket events from a service desk: all or nothing, idempotent per event id."""

    permission_classes = [IsTicketSource]
    parser_classes = PARSERS

    @extend_schema(
        summary="Send ticket events (service desk token)",
        request=TicketEventBatchSerializer,
        examples=[EXAMPLE],
        responses={
            **RESPONSES,
            401: OpenApiResponse(description="No, an unknown or a revoked service desk token."),
            403: OpenApiResponse(description="A token that is not a service desk's (a person's, a data source's)."),
        },
    )
    def post(self, request):
        events, errors = _events_of(request.data)
        if errors:
            return batch_errors(errors)
        try:
            result = record_ticket_events(request.auth, events)
        except BatchInvalid as invalid:
            return batch_errors(invalid.errors)
        return _stored(result)


class TicketWebhookView(BatchErrorsMixin, APIView):
    """The same events, from a desk that signs each delivery instead of sending a token."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = PARSERS

    def throttle_sender(self, request):
        """A delivery signed with the desk's signing key is counted per desk at the machines' rate
        (monitoring.api.throttling): one desk's deliveries never use up another's. Anything else (no such desk, no
        signature, a wrong or stale one, a replay) gives None and is counted by its connection's address at the
        people's rate: whoever knows a desk's code, which is in the webhook's address, cannot use up its allowance.
        The signature is checked again when the delivery is read."""
        code = self.kwargs.get("code")
        source = TicketSource.objects.active().filter(code=code).first()
        if source is None:
            return None
        headers = request.headers
        try:
            ticket_webhook.verify(
                source.signing_key,
                headers.get(ticket_webhook.TIMESTAMP_HEADER),
                headers.get(ticket_webhook.SIGNATURE_HEADER),
                request.body,
                timezone.now(),
            )
        except ticket_webhook.DeliveryRefused:
            return None
        return f"service-desk-webhook:{code}"

    @extend_schema(
        summary="Send ticket events (signed webhook)",
        auth=[],
        request=TicketEventBatchSerializer,
        examples=[EXAMPLE],
        parameters=[
            OpenApiParameter(
                "X-SLM-Timestamp",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Unix seconds when the delivery was signed; refused when more than 5 minutes off.",
            ),
            OpenApiParameter(
                "X-SLM-Signature",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description='sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the desk\'s signing key>.',
            ),
        ],
        responses={
            **RESPONSES,
            401: OpenApiResponse(
                WebhookRefusalSerializer,
                description="No active desk with this code, a missing or wrong signature, or a stale timestamp.",
            ),
            409: OpenApiResponse(WebhookRefusalSerializer, description="The same signed delivery again: refused."),
        },
    )
    def post(self, request, code):
        raw = request.body  # the bytes that were signed, read before anything parses them
        now = timezone.now()
        source = TicketSource.objects.active().filter(code=code).first()
        if source is None:
            return _refused(f"no active service desk {code!r}", status.HTTP_401_UNAUTHORIZED)
        headers = request.headers
        try:
            digest = ticket_webhook.verify(
                source.signing_key,
                headers.get(ticket_webhook.TIMESTAMP_HEADER),
                headers.get(ticket_webhook.SIGNATURE_HEADER),
                raw,
                now,
            )
        except ticket_webhook.DeliveryRefused as refusal:
            return _refused(str(refusal), status.HTTP_409_CONFLICT if refusal.replay else status.HTTP_401_UNAUTHORIZED)
        touch(source)
        events, errors = _events_of(request.data)
        if errors:
            return batch_errors(errors)
        try:
            with transaction.atomic():
                ticket_webhook.remember(source, digest, now)
                result = record_ticket_events(source, events, now=now)
        except ticket_webhook.DeliveryRefused as refusal:
            return _refused(str(refusal), status.HTTP_409_CONFLICT)
        except BatchInvalid as invalid:
            return batch_errors(invalid.errors)
        return _stored(result)


def _refused(message, status_code):
    response = Response({"detail": message}, status=status_code)
    if status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'SLM-Signature realm="ticket-events"'
    return response
