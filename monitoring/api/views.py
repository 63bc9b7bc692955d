"""The monitoring REST API: measurements in (data-source tokens), compliance out (people, scoped by .for_user())."""

import datetime as dt

from django.conf import settings
from django.core.validators import slug_re
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import parse_header_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.models import Agreement
from core.api.permissions import Ladder
from monitoring.api.authentication import DataSourcePrincipal
from monitoring.api.parsers import FAST_PARSERS, BodyTooLarge, api_error
from monitoring.api.serializers import (
    AgreementComplianceSerializer,
    BatchErrorsSerializer,
    MeasurementBatchSerializer,
    MeasurementResultSerializer,
)
from monitoring.intake import fast
from monitoring.intake.ingest import MAX_BATCH, BatchInvalid, cycle_collection_paused, store_samples, validate_samples
from monitoring.models import Indicator
from monitoring.readout.compliance import agreement_compliance
from monitoring.windows import month_bounds


class IsDataSource(permissions.BasePermission):
    message = "Measurements are sent with a data-source token (Authorization: Bearer slmds_…)."

    def has_permission(self, request, view):
        return isinstance(request.user, DataSourcePrincipal)


class IsPerson(Ladder):
    """People only (a session or a personal token), and a read-only token makes no write: the API's ladder."""


def batch_errors(errors, status_code=status.HTTP_400_BAD_REQUEST):
    return Response({"errors": errors}, status=status_code)


class BatchErrorsMixin:
    """Malformed JSON (including NaN and Infinity, which JSON does not have, and nesting deeper than the parser goes)
    and a body over the size limit are batch errors like any other."""

    def handle_exception(self, exc):
        exc = api_error(exc)
        if isinstance(exc, ParseError | UnsupportedMediaType | BodyTooLarge):
            status_code = exc.status_code if isinstance(exc, BodyTooLarge) else status.HTTP_400_BAD_REQUEST
            return batch_errors([{"index": None, "field": None, "message": str(exc.detail)}], status_code)
        return super().handle_exception(exc)


class MeasurementBatchView(BatchErrorsMixin, APIView):
    """Store a batch of samples for one indicator: all or nothing, idempotent on (indicator, t)."""

    permission_classes = [IsDataSource]
    parser_classes = FAST_PARSERS

    @extend_schema(
        request=MeasurementBatchSerializer,
        responses={
            201: MeasurementResultSerializer,
            400: OpenApiResponse(BatchErrorsSerializer, description="Nothing was stored; every problem is listed."),
            413: OpenApiResponse(BatchErrorsSerializer, description="The body is over the size limit; nothing stored."),
            401: OpenApiResponse(description="No, an unknown or a revoked data-source token."),
            403: OpenApiResponse(description="The data source may not write to this indicator."),
        },
    )
    def post(self, request):
        with cycle_collection_paused():
            return self.store_usual(request) or self.store(request)

    def store_usual(self, request):
        """The usual batch the fast way (``monitoring.intake.fast``): None for anything else, which ``store`` then
        takes the standard way, with the standard errors (and a refused indicator's 403)."""
        media_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        length, limit = request.META.get("CONTENT_LENGTH") or "", settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (
            media_type != "application/json"
            or params.get("charset", "utf-8").lower() not in {"utf-8", "utf8"}
            or not length.isdigit()
            or (limit is not None and int(length) > limit)
        ):
            return None
        envelope = fast.read_envelope(request.body)
        if envelope is None:
            return None
        code, raw = envelope
        # One query: the indicator, if this source may write to it (which of the two is missing, the standard way says).
        indicator = request.auth.indicators.filter(code=code).first() if slug_re.fullmatch(code) else None
        if indicator is None:
            return None
        skew = dt.timedelta(seconds=settings.SLM_MAX_FUTURE_SKEW_SECONDS)
        samples = fast.read_samples(indicator, raw, timezone.now() + skew, MAX_BATCH)
        return None if samples is None else self.stored(indicator, samples)

    def stored(self, indicator, samples):
        result = store_samples(indicator, samples)
        return Response(
            {
                "indicator": indicator.code,
                "received": result.received,
                "new": result.new,
                "duplicates": result.duplicates,
            },
            status=status.HTTP_201_CREATED,
        )

    def store(self, request):
        body = request.data
        if not isinstance(body, dict):
            return batch_errors([{"index": None, "field": None, "message": "the body must be a JSON object"}])
        unknown = sorted(set(body) - {"indicator", "samples"})
        if unknown:
            return batch_errors([{"index": None, "field": key, "message": "unknown field"} for key in unknown])
        code = body.get("indicator")
        # A code is a slug: anything else names no indicator (and a NUL character would make PostgreSQL refuse it).
        is_code = isinstance(code, str) and slug_re.fullmatch(code) is not None
        indicator = Indicator.objects.filter(code=code).first() if is_code else None
        if indicator is None:
            return batch_errors([{"index": None, "field": "indicator", "message": f"no indicator {code!r}"}])
        source = request.auth
        if not source.indicators.filter(pk=indicator.pk).exists():
            self.permission_denied(request, message=f"Data source {source.code} may not write to {indicator.code}.")
        try:
            samples = validate_samples(indicator, body.get("samples"))
        except BatchInvalid as invalid:
            return batch_errors(invalid.errors)
        return self.stored(indicator, samples)


class AgreementComplianceView(APIView):
    """Per target of an agreement: objective, attainment, status, error budget, burn rates and credit due."""

    permission_classes = [IsPerson]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description="A month, YYYY-MM, in each target's own time zone (default: the month running now there).",
                required=False,
            )
        ],
        responses={200: AgreementComplianceSerializer, 404: OpenApiResponse(description="No such agreement for you.")},
    )
    def get(self, request, code):
        agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
        month = request.query_params.get("period")
        if month is not None:
            try:
                month_bounds(month, settings.TIME_ZONE)
            except ValueError as error:
                raise ValidationError({"period": [str(error)]}) from None
        return Response(AgreementComplianceSerializer(agreement_compliance(agreement, month)).data)
