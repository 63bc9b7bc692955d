"""``/api/v1/agreements/<code>/openslo``: the agreement's OpenSLO file (GET), and an import of one (POST, the raw
YAML as the body; ``?dry_run=true`` previews and stores nothing). The same code as the pages and the command."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.models import Agreement
from monitoring.api.parsers import BodyTooLarge
from monitoring.api.views import IsPerson
from monitoring.openslo.exporting import ExportError, export_text
from monitoring.openslo.importing import plan_import
from monitoring.openslo.reading import OpenSloError
from monitoring.openslo.storing import apply
from monitoring.views.openslo import IMPORT_PERMISSION


class AgreementOpenSloView(APIView):
    permission_classes = [IsPerson]

    @extend_schema(
        responses={
            (200, "application/yaml"): OpenApiTypes.STR,
            409: OpenApiResponse(description="A target cannot be written (it measures no indicator, …)."),
            404: OpenApiResponse(description="No such agreement for you."),
        },
    )
    def get(self, request, code):
        agreement = get_object_or_404(Agreement.objects.for_user(request.user), code=code)
        try:
            text = export_text(agreement)
        except ExportError as error:
            return Response({"errors": error.problems}, status=status.HTTP_409_CONFLICT)
        return HttpResponse(text, content_type="application/yaml; charset=utf-8")

    @extend_schema(
        request={"application/yaml": OpenApiTypes.STR},
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, required=False, description="Preview only.")],
        responses={
            200: OpenApiResponse(description="{stored, changes, lines: [{path, field, old, new, changed}]}"),
            400: OpenApiResponse(description="{errors: [{path, message}]}: nothing was stored."),
            403: OpenApiResponse(description="You may not change targets."),
            404: OpenApiResponse(description="No such agreement for you."),
        },
    )
    def post(self, request, code):
        agreement = get_object_or_404(Agreement.objects.for_user(request.user), code=code)
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied("Importing needs the permission to change service level targets.")
        try:
            body = request.body
        except RequestDataTooBig:
            raise BodyTooLarge() from None
        try:
            plan = plan_import(agreement, body, request.user)
        except OpenSloError as error:
            return Response({"errors": [{"path": "", "message": str(error)}]}, status=status.HTTP_400_BAD_REQUEST)
        if plan.problems:
            errors = [{"path": problem.path, "message": problem.message} for problem in plan.problems]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        if not dry_run:
            apply(plan)
        lines = [
            {"path": line.path, "field": line.field, "old": line.old, "new": line.new, "changed": line.changed}
            for line in plan.lines
        ]
        return Response({"stored": not dry_run, "changes": plan.changes, "lines": lines})
