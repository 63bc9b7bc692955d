"""A ticket indicator's goals per priority over the API: the body's ``goals`` as the page's goals formset
(``monitoring.forms.indicators``) would be posted, and the formset's errors by the body's row.

``[{"priority": "P1", "goal": "4:00"}, ...]`` names the goals to set: a stored priority keeps its row (the page
fixes its priority) and takes the goal given, a priority left out keeps its goal, a new one is added; so sending the
goals as they were read back changes nothing, and a priority cannot be dropped (running clocks took its goal).
"""

from django.utils.translation import gettext_lazy as _

from core.api import forms as api_forms
from monitoring.forms.indicators import TicketGoalForm

GOAL_FIELDS = tuple(TicketGoalForm.base_fields)


def _checked(rows, problems):
    """The body's rows, or [] (with the problem kept) when they are no list of objects with the goal's fields."""
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        problems["goals"] = [_("A list of objects is expected.")]
        return []
    unknown = {
        index: {name: [_("There is no such field.")] for name in sorted(set(row) - set(GOAL_FIELDS))}
        for index, row in enumerate(rows)
        if set(row) - set(GOAL_FIELDS)
    }
    if unknown:
        problems["goals"] = unknown
        return []
    return rows


def bind_goals(form, rows):
    """Bind ``form.goals`` (the formset of a ticket indicator's goals) to the body's ``rows``; other kinds have no
    goals (the form clears what is not of its kind). ``form.goal_rows`` maps each formset row to the body's."""
    form.goal_rows = {}
    if not form.is_ticket:
        return
    rows = _checked(rows, form.api_errors)
    stored = [dict(row) for row in form.goals.initial or []]
    added = []
    for index, row in enumerate(rows):
        priority = str(row.get("priority") or "").strip()
        place = next(
            (n for n, old in enumerate(stored) if old["priority"] == priority and n not in form.goal_rows), None
        )
        if place is None:
            added.append((index, row))
            continue
        form.goal_rows[place] = index
        if "goal" in row:
            stored[place]["goal"] = row["goal"]
    for offset, (index, _row) in enumerate(added):
        form.goal_rows[len(stored) + offset] = index
    prefix = form.goals.prefix
    data = {f"{prefix}-TOTAL_FORMS": str(len(stored) + len(added)), f"{prefix}-INITIAL_FORMS": str(len(stored))}
    for number, row in enumerate([*stored, *(row for _index, row in added)]):
        for name in GOAL_FIELDS:
            if name in row:
                data[f"{prefix}-{number}-{name}"] = api_forms.as_data(TicketGoalForm.base_fields[name], row[name])
    form.goals = type(form.goals)(data, initial=form.goals.initial, prefix=prefix)


def goal_errors(form):
    """{"goals": {body row: {field: [messages]}, "non_field_errors": [...]}} of a refused ticket indicator's goals
    (a stored priority left out of the body is named by its priority)."""
    if not form.is_ticket or "goals" in form.api_errors:
        return {}
    errors = api_forms.formset_errors(form.goals)
    if not errors:
        return {}
    rows = form.goals.initial or []
    named = {}
    for key, messages in errors.items():
        if key in form.goal_rows:
            key = form.goal_rows[key]
        elif isinstance(key, int) and key < len(rows):
            key = rows[key]["priority"]
        named[key] = messages
    return {"goals": named}
