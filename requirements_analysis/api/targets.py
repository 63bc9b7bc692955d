"""Service level targets over the API, named "agreement/target" by their codes (a target's code is unique only
within its agreement): how a requirement's and a plan's targets read, and how a JSON body names them to the page's
form."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

SEPARATOR = "/"


def reference(target):
    """ "acme-sla/availability": the target's agreement's code and its own."""
    return f"{target.agreement.code}{SEPARATOR}{target.code}"


@extend_schema_field(OpenApiTypes.STR)
class TargetReferenceField(serializers.RelatedField):
    """A target as "agreement/target" (read-only)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return reference(value)


def name_targets_by_reference(form, name):
    """Let the bound form's field ``name`` (a target, or several) take what the body gave as "agreement/target"
    references: each is looked up among the field's own choices (so a target the page would not offer is not found
    either) and replaced by its id; one not found is refused under the field, with the form's other errors."""
    field = form.fields[name]
    field.to_field_name = None  # the form reads ids again; the references are resolved here
    given = form.data.get(name)
    many = isinstance(given, list)
    values = given if many else [given]
    wanted = [value for value in values if value not in (None, "")]
    pairs = {str(value): str(value).partition(SEPARATOR)[::2] for value in wanted}
    condition = Q(pk__in=[])
    for agreement, code in pairs.values():
        condition |= Q(agreement__code=agreement, code=code)
    found = {reference(target): target.pk for target in field.queryset.filter(condition).select_related("agreement")}
    missing = [value for value in pairs if value not in found]
    if missing:
        form.api_errors[name] = [
            _("No such target for you here: %(reference)s. Name a target as agreement/target, by their codes.")
            % {"reference": value}
            for value in missing
        ]
    resolved = [str(found[str(value)]) for value in wanted if str(value) in found]
    form.data[name] = resolved if many else (resolved[0] if resolved else "")
