"""A JSON body as a bound Django form, so that the API keeps the rules of the pages by running their forms.

A write to the API is what the page's form would make of the same values: the same fields, the same cleaning, the
same errors (in the language of the request). JSON differs from a posted form in three ways, handled here:

- related rows are named by their codes (a user by the name they sign in with), not by database ids;
- a field the body leaves out keeps the row's value on PATCH, and is empty on POST and PUT, as on a page;
- a key the form does not have is refused, never ignored: a misspelt field would otherwise change nothing silently.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

NON_FIELD = "non_field_errors"


def related_key(model):
    """The field the API names rows of ``model`` by: its code, a person's login name, or its id. A code that is
    unique only within a parent (a target's, within its agreement) names no row by itself: such rows go by id, or by
    a name the endpoint translates."""
    if model is get_user_model():
        return model.USERNAME_FIELD
    fields = {field.name: field for field in model._meta.get_fields()}
    code = fields.get("code")
    return "code" if code is not None and getattr(code, "unique", False) else None


def is_related(field):
    return isinstance(field, forms.ModelChoiceField)


def takes_many(field):
    return isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField)


def wrong_shape(field, value):
    """Why a JSON value cannot be what ``field`` takes (None when it can): a box takes true or false, a choice of
    several a list of values, any other field one value. A form reads every posted value as text, so a list sent
    for a name would be stored as "['a', 'b']" and any non-empty text would tick a box: JSON's shapes are checked
    here, before the form reads them."""
    if value is None:
        return None
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return None if isinstance(value, bool) else _("Expected true or false.")
    if takes_many(field):
        if isinstance(value, list) and all(
            isinstance(item, str | int) and not isinstance(item, bool) for item in value
        ):
            return None
        return _("Expected a list of values.")
    if isinstance(value, bool):
        return _("Expected a value, not true or false.")
    if isinstance(value, str | int | float):
        return None
    return _("Expected one value, not a list or an object.")


def as_data(field, value):
    """One JSON value (of the shape ``wrong_shape`` accepts) as a posted form would carry it."""
    if value is None:
        return [] if takes_many(field) else ""
    if isinstance(value, list):
        return [str(item) if isinstance(item, int | float) else item for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def initial_data(form):
    """What the form shows for its row, as posted data (related rows by their ids, as the form keeps them)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField) and not value:
            continue  # an unchecked box is an absent key
        if isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [getattr(item, "pk", item) for item in value or ()]
        elif value is None:
            data[name] = ""
        else:
            data[name] = getattr(value, "pk", value)
    return data


def bind(form_class, payload, *, instance=None, partial=False, allowed=(), **kwargs):
    """The form bound to ``payload`` (a dict from JSON), ready for ``is_valid()``.

    The data starts from what the page would show and post untouched: the row's values for PATCH, a new row's
    defaults for POST and PUT; the body's values go over it. A body that is no object raises ``ValidationError``;
    keys the form does not have and changes to fields that are fixed once made (a code) are kept on the form as
    ``api_errors`` and reported by ``errors_of`` with the form's own. ``allowed``: keys the caller handles itself
    (nested rows), passed over here.
    """
    if not isinstance(payload, dict):
        raise ValidationError({NON_FIELD: [_("The body must be a JSON object.")]})
    shown = form_class(instance=instance, **kwargs)
    data = initial_data(shown if partial else form_class(**kwargs))
    problems = {key: [_("There is no such field.")] for key in sorted(set(payload) - set(shown.fields) - set(allowed))}
    named_by_code = set()
    for name, value in payload.items():
        field = shown.fields.get(name)
        if field is None:
            continue
        if field.disabled:
            if value is not None and str(value) != str(shown_value(shown, name)):
                problems[name] = [field.help_text or _("This field cannot change.")]
            continue
        problem = wrong_shape(field, value)
        if problem:
            problems[name] = [problem]
            continue
        if is_related(field) and related_key(field.queryset.model):
            named_by_code.add(name)
        data[name] = as_data(field, value)
        if isinstance(field, forms.BooleanField) and not data[name]:
            data.pop(name)
    form = form_class(data=data, instance=instance, **kwargs)
    for name in named_by_code:
        form.fields[name].to_field_name = related_key(form.fields[name].queryset.model)
    form.api_errors = problems
    return form


def is_valid(form):
    """``form.is_valid()``, and no key of the body refused by ``bind``."""
    return form.is_valid() and not getattr(form, "api_errors", None)


def errors_of(form):
    """The form's errors as the API states them: ``{field: [messages]}``, with ``non_field_errors`` for the form's
    own."""
    errors = dict(getattr(form, "api_errors", {}))
    for name, messages in form.errors.items():
        errors[NON_FIELD if name == forms.forms.NON_FIELD_ERRORS else name] = list(messages)
    return errors


def rows_data(formset_class, instance, prefix, rows, **kwargs):
    """Posted data for an inline formset that makes the stored rows ``rows`` (a list of dicts): the i-th stored row
    takes the i-th dict, stored rows beyond the list are deleted and dicts beyond the stored rows are added; so an
    unchanged list changes nothing (and writes no history). Raises ``ValidationError`` when ``rows`` is no list of
    objects."""
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValidationError({prefix: [_("A list of objects is expected.")]})
    stored = list(formset_class(instance=instance, prefix=prefix, **kwargs).get_queryset()) if instance.pk else []
    data = {
        f"{prefix}-TOTAL_FORMS": str(max(len(stored), len(rows))),
        f"{prefix}-INITIAL_FORMS": str(len(stored)),
    }
    template = formset_class.form
    for index in range(max(len(stored), len(rows))):
        key = f"{prefix}-{index}-"
        if index < len(stored):
            data[key + "id"] = str(stored[index].pk)
        if index >= len(rows):
            data[key + "DELETE"] = "on"
            continue
        fields = template.base_fields
        unknown = sorted(set(rows[index]) - set(fields))
        if unknown:
            raise ValidationError({prefix: {index: {name: [_("There is no such field.")] for name in unknown}}})
        shapes = {name: problem for name, value in rows[index].items() if (problem := wrong_shape(fields[name], value))}
        if shapes:
            raise ValidationError({prefix: {index: {name: [problem] for name, problem in shapes.items()}}})
        for name, value in rows[index].items():
            value = as_data(fields[name], value)
            if isinstance(fields[name], forms.BooleanField) and not value:
                continue
            data[key + name] = value
    return data


def formset_errors(formset):
    """An inline formset's errors: ``{index: {field: [messages]}}`` for rows with errors, and ``non_field_errors``
    for the set's own (overlapping rows, say)."""
    errors = {}
    for index, form in enumerate(formset.forms):
        if form.errors and not (formset.can_delete and formset._should_delete_form(form)):
            errors[index] = errors_of(form)
    if formset.non_form_errors():
        errors[NON_FIELD] = list(formset.non_form_errors())
    return errors


def posted_unchanged(formset):
    """What a page posts for an inline formset it shows and nobody touches: the management form and each saved row's
    values as shown, under its prefix and with its id. Bound to it, the formset changes nothing; a caller changes one
    row's keys (or adds a row, or marks one ``DELETE``) to write that row the way the page writes it."""
    forms_shown = formset.initial_forms
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(len(forms_shown)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(forms_shown)),
    }
    for form in forms_shown:
        data.update({form.add_prefix(name): value for name, value in initial_data(form).items()})
    return data


def shown_value(form, name):
    """The value ``form`` shows in field ``name`` as the API writes it: a related row by its code (or a person by
    their login name), None when empty."""
    field, value = form.fields[name], form[name].value()
    if value in field.empty_values:
        return [] if isinstance(field, forms.ModelMultipleChoiceField) else None
    if not is_related(field):
        return value
    key = related_key(field.queryset.model) or "pk"
    rows = field.queryset.model._default_manager.all()
    if isinstance(field, forms.ModelMultipleChoiceField):
        return sorted(rows.filter(pk__in=[getattr(item, "pk", item) for item in value]).values_list(key, flat=True))
    return rows.filter(pk=getattr(value, "pk", value)).values_list(key, flat=True).first()


def holds_nul(value):
    """Whether a JSON value holds a NUL character anywhere (no field takes one; PostgreSQL refuses it in text)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False
