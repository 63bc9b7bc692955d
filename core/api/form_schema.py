"""The body of a write in the OpenAPI schema, read off the page's form that validates it (``core.api.forms.bind``),
so that the schema names every field a write takes, a write-only one (a secret) too, with the form's help texts.

The serializers of ``TenantViewSet`` say how a row reads; ``write_schema(form_class)`` says what a write sends:
related rows by their codes, lists for multiple choices. It only describes: the form alone validates.
"""

from django import forms
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from core.api.forms import related_key


def _choices(field):
    return [(value, label) for value, label in field.choices if value not in ("", None)]


def schema_field(field):
    """The serializer field that describes what the API takes for one form field."""
    options = {"required": field.required, "help_text": field.help_text or None, "label": field.label}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **options)
    if isinstance(field, forms.ModelChoiceField):
        key = related_key(field.queryset.model)
        return (serializers.CharField if key else serializers.IntegerField)(allow_null=not field.required, **options)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=_choices(field)), **options)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=_choices(field), allow_blank=not field.required, **options)
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return serializers.BooleanField(**{**options, "required": False})
    # Django's DecimalField and FloatField are kinds of its IntegerField: asked first.
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places, allow_null=not field.required, **options
        )
    if isinstance(field, forms.FloatField):
        return serializers.FloatField(allow_null=not field.required, **options)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(allow_null=not field.required, **options)
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not field.required, **options)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **options)
    if isinstance(field, forms.URLField):
        return serializers.URLField(allow_blank=not field.required, **options)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(allow_blank=not field.required, **options)
    return serializers.CharField(allow_blank=not field.required, **options)


def write_schema(form_class, name, **more):
    """A serializer class named ``name`` describing the body ``form_class`` takes over the API, with ``more`` fields
    (nested rows the viewset saves itself)."""
    fields = {key: schema_field(field) for key, field in form_class.base_fields.items()}
    return type(name, (serializers.Serializer,), {**fields, **more})


class FormWriteSchema(AutoSchema):
    """The schema class of ``TenantViewSet``: a create or change takes the body its page's form reads
    (``write_schema``), with the viewset's ``write_schema_extras()`` (its nested rows); an
    ``extend_schema(request=…)`` on the viewset still wins. Each form's description is built once, so the schema has
    one component per body."""

    built = {}

    def get_request_serializer(self):
        view = self.view
        form_class = getattr(view, "form_class", None)
        if form_class is None or getattr(view, "action", None) not in ("create", "update", "partial_update"):
            return super().get_request_serializer()
        name = f"{view.model.__name__}Write"
        if (form_class, name) not in self.built:
            self.built[(form_class, name)] = write_schema(form_class, name, **view.write_schema_extras())
        return self.built[(form_class, name)]
