"""A status that moves only along a table of allowed steps (its page is ``core.mixins.TransitionView``).

Agreements, requirements, improvement plans and survey campaigns share it. Each model keeps its own table and its
own rules (an agreement is activated only with a target and a service, a rejected requirement needs a reason, a plan
is verified only with an effect review); what is the same is written here once: the refusal of a step the table does
not allow, and the row lock that stops two people from moving one row at once.

A table names each step by what it does, not by where it ends: the button that moves a plan from proposed to
approved reads "Approve", and the one that takes a completed plan back to in progress reads "Reopen". The pages ask
the row for its ``steps`` and show each step's label in its style; nothing else spells a step out.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction


@dataclass(frozen=True)
class Step:
    """One move a status may make: the status it leads ``to``, the ``label`` of its button (a verb: "Approve",
    "Reopen"), and the button's Bootstrap ``style`` ("success", "outline-danger", ...)."""

    to: str
    label: str
    style: str = "outline-secondary"


class TransitionNotAllowed(ValidationError):
    """A status change the workflow does not allow, or whose precondition is not met."""


class WorkflowMixin:
    """For a model with a ``status`` field.

    ``status_choices``: the status's TextChoices. ``transitions``: {status: (the ``Step``s it may take)}.
    ``refused_transition_message``: said when the table refuses a step, with ``%(old)s`` and ``%(new)s``.
    """

    status_choices = None
    transitions = {}
    refused_transition_message = ""

    @property
    def steps(self):
        """The steps the row may take from its status, in the table's order."""
        return self.transitions[self.status_choices(self.status)]

    @property
    def allowed_transitions(self):
        """The statuses the row may move to."""
        return [step.to for step in self.steps]

    @classmethod
    def step_between(cls, old, new):
        """The step from ``old`` to ``new``, or None when the table has none."""
        return next((step for step in cls.transitions[cls.status_choices(old)] if step.to == new), None)

    def refused_transition(self, new_status):
        """[the refusal] when the table does not allow the step from the current status, else []."""
        if new_status in self.allowed_transitions:
            return []
        return [
            self.refused_transition_message
            % {"old": self.get_status_display(), "new": self.status_choices(new_status).label}
        ]

    def transition_problems(self, new_status, **details):
        """Reasons why the row cannot move to ``new_status`` now (an empty list when it can)."""
        return self.refused_transition(new_status) or self.precondition_problems(new_status, **details)

    def precondition_problems(self, new_status, **details):
        """The model's own rules for an allowed step (``details``: what the step records, such as a reason)."""
        return []

    @transaction.atomic
    def transition_to(self, new_status, **details):
        """Move to ``new_status`` if the workflow allows it; raises ``TransitionNotAllowed`` otherwise.

        The row is locked and checked as stored, not as this copy says, so that two people pressing buttons at once
        cannot both move it.
        """
        locked = type(self)._default_manager.select_for_update().get(pk=self.pk)
        problems = locked.transition_problems(new_status, **details)
        if problems:
            raise TransitionNotAllowed(problems)
        self.record_transition(locked, new_status, **details)

    def record_transition(self, locked, new_status, **details):
        """Store the step (``locked``: the row as stored). By default the status, and the row's auto_now stamps."""
        self.status = new_status
        stamps = [field.name for field in self._meta.concrete_fields if getattr(field, "auto_now", False)]
        self.save(update_fields=["status", *stamps])
