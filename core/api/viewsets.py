"""One model over the API, with the pages' rules: rows through ``.for_user()``, writes through the page's form and
its permission, workflow steps through the model's ``transition_to``.

A viewset names its ``model``, a ``serializer_class`` that says how a row reads, the ``form_class`` its page edits it
with, and the permissions of its writes. Lists filter (``filterset_class``, given the person so that its choices are
theirs), sort (``?ordering=`` over ``ordering_fields``) and page by cursor.
"""

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from core.api import forms as api_forms
from core.api.etags import ETagMixin
from core.api.form_schema import FormWriteSchema
from core.api.pagination import CursorPage, SortFilter
from core.api.permissions import Ladder
from core.tenancy import ReadOnly, require_permission
from core.workflow import TransitionNotAllowed


class Conflict(APIException):
    """A step the workflow does not allow now, or a row other rows still need: 409 with the reasons."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


NUL_REFUSED = _("A value of the body holds a NUL character, which no field of the portal takes.")


class PersonFilterBackend(DjangoFilterBackend):
    """django-filter for the API, with the person passed to filter sets that scope their choices (``user=``)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and "user" in getattr(filterset_class.__init__, "__code__", ()).co_varnames:
            kwargs["user"] = request.user
        return kwargs


def still_needed(rows):
    """Why a row cannot go: "Still needed by 3 records: Agreement acme-sla, …"."""
    rows = list(rows)
    names = ", ".join(f"{row._meta.verbose_name} {row}" for row in rows[:5])
    return ngettext(
        "Still needed by %(count)s record: %(names)s.", "Still needed by %(count)s records: %(names)s.", len(rows)
    ) % {"count": len(rows), "names": names}


class TransitionSerializer(serializers.Serializer):
    """A workflow step: the status to move to, and what the step records (a reason, a note), as its page asks."""

    status = serializers.CharField(help_text=_("The status to move to."))


def require(user, permission):
    """403 "read, but not change" in the API's words unless ``user`` holds ``permission``."""
    try:
        require_permission(user, permission)
    except ReadOnly:
        raise Forbidden from None


class Forbidden(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("You may read this, but not change it.")
    default_code = "permission_denied"


class TenantReadViewSet(ETagMixin, viewsets.ReadOnlyModelViewSet):
    """Reads of one model: list and detail, through ``.for_user()``."""

    model = None
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = [Ladder]
    pagination_class = CursorPage
    filter_backends = [PersonFilterBackend, SortFilter]
    ordering_fields = ["code"]
    ordering = ["code"]
    filterset_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS") and api_forms.holds_nul(request.data):
            raise ValidationError({api_forms.NON_FIELD: [NUL_REFUSED]})

    def base_queryset(self):
        """The rows before the checkpoint; ``select_related`` what the serializer reads."""
        return self.model._default_manager.all()

    def get_queryset(self):
        return self.base_queryset().for_user(self.request.user)

    def reread(self, row):
        """The stored row as the serializer reads it (with what ``base_queryset`` selects)."""
        return self.base_queryset().get(pk=row.pk)

    def hold_if_matched(self, row):
        """With ``If-Match``: lock the row (inside the caller's transaction), read it again and refuse with 412 unless
        it still reads as the tag says, so two writers holding one tag cannot both change it. Returns the row to
        change (read again when it was locked)."""
        if self.request.headers.get("If-Match") is None:
            return row
        list(type(row)._default_manager.select_for_update().filter(pk=row.pk).values_list("pk", flat=True))
        row = self.reread(row)
        self.check_if_match(self.get_serializer(row).data)
        return row


class TenantViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, TenantReadViewSet):
    """Reads and writes of one model. Each write is the page's form bound to the body (``core.api.forms.bind``), so a
    value the page refuses is refused here with the same message; ``save_form`` stores it (override it to save what
    the form's page saves beside the row)."""

    form_class = None
    schema = FormWriteSchema()
    add_permission = None
    change_permission = None
    delete_permission = None

    def form_kwargs(self, instance=None):
        """Extra arguments of the form (the agreement a target belongs to, say)."""
        return {}

    def nested_keys(self):
        """Body keys that are not fields of the form but rows this viewset saves itself (credit tiers, say)."""
        return ()

    def write_schema_extras(self):
        """{key: serializer field} describing in the schema what a body carries beside the form's fields: by default
        each of ``nested_keys()`` as a list of objects. Override it to describe the rows exactly."""
        return {
            key: serializers.ListField(child=serializers.DictField(), required=False, help_text=_("Nested rows."))
            for key in self.nested_keys()
        }

    def bind(self, instance=None, partial=False):
        return api_forms.bind(
            self.form_class,
            self.request.data,
            instance=instance,
            partial=partial,
            allowed=self.nested_keys(),
            **self.form_kwargs(instance),
        )

    def validate(self, form):
        """Raise ``ValidationError`` with every problem of the form (and of what ``nested_keys`` carry)."""
        if not api_forms.is_valid(form):
            raise ValidationError(api_forms.errors_of(form))

    def save_form(self, form):
        return form.save()

    def create(self, request, *args, **kwargs):
        require(request.user, self.add_permission)
        form = self.bind()
        self.validate(form)
        with transaction.atomic():
            row = self.save_form(form)
        return Response(self.get_serializer(self.reread(row)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        row = self.get_object()
        require(request.user, self.change_permission)
        with transaction.atomic():
            row = self.hold_if_matched(row)
            if partial and request.data == {}:  # nothing asked to change: nothing written, the ETag stays
                return Response(self.get_serializer(self.reread(row)).data)
            form = self.bind(instance=row, partial=partial)
            self.validate(form)
            row = self.save_form(form)
        return Response(self.get_serializer(self.reread(row)).data)

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        require(request.user, self.delete_permission)
        try:
            with transaction.atomic():
                row = self.hold_if_matched(row)
                problems = self.deletion_problems(row)
                if problems:
                    raise Conflict({"detail": problems})
                row.delete()
        except ProtectedError as error:
            raise Conflict({"detail": [still_needed(error.protected_objects)]}) from None
        except RestrictedError as error:
            raise Conflict({"detail": [still_needed(error.restricted_objects)]}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    def deletion_problems(self, row):
        """Reasons the page would refuse to delete ``row`` (an empty list when it may go)."""
        return []


class TransitionMixin:
    """``POST …/<code>/transition`` with ``{"status": …}`` and what the step records: the model's workflow decides,
    as on the page (409 with its reasons when it refuses). ``transition_permission`` guards it;
    ``transition_details(request)`` picks what the step records from the body."""

    transition_permission = None

    def transition_details(self, data):
        return {}

    @extend_schema(request=TransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        row = self.get_object()
        require(request.user, self.transition_permission or self.change_permission)
        with transaction.atomic():
            return self.make_step(self.hold_if_matched(row), request)

    def make_step(self, row, request):
        data = request.data if isinstance(request.data, dict) else {}
        new_status = data.get("status")
        choices = type(row).status_choices
        if new_status not in choices.values:
            raise ValidationError(
                {"status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]}
            )
        try:
            row.transition_to(new_status, **self.transition_details(data))
        except TransitionNotAllowed as refused:
            raise Conflict({"detail": refused.messages}) from None
        return Response(self.get_serializer(self.reread(row)).data)
