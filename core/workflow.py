"""A status that moves only along a table of allowed steps, and the page that confirms and makes one step.

Agreements, requirements, improvement plans and survey campaigns share it. Each model keeps its own table and its
own rules (an agreement is activated only with a target and a service, a rejected requirement needs a reason, a plan
is verified only with an effect review); what is the same is written here once: the refusal of a step the table does
not allow, the row lock that stops two people from moving one row at once, and the view's answers (404 for a row the
user cannot see or a status that does not exist, 403 without the write permission, 409 for a refused step).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.tenancy import require_permission


class TransitionNotAllowed(ValidationError):
    """A status change the workflow does not allow, or whose precondition is not met."""


class WorkflowMixin:
    """For a model with a ``status`` field.

    ``status_choices``: the status's TextChoices. ``transitions``: {status: (statuses it may move to)}.
    ``refused_transition_message``: said when the table refuses a step, with ``%(old)s`` and ``%(new)s``.
    """

    status_choices = None
    transitions = {}
    refused_transition_message = ""

    @property
    def allowed_transitions(self):
        return self.transitions[self.status_choices(self.status)]

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


class TransitionView(LoginRequiredMixin, View):
    """Confirm (GET) and make (POST) one step of a ``WorkflowMixin`` model, looked up by ``code`` through
    ``.for_user()``; the URL carries ``code`` and ``status``.

    The page shows the problems that stop the step, or a form to confirm it (``form_class`` when the step records
    something, such as a reason). A refused POST answers 409 with the problems; a made step says so and redirects.
    """

    model = None
    permission = None
    template_name = None
    context_object_name = None
    form_class = None
    success_message = ""  # with %(code)s and %(status)s

    def get(self, request, code, status):
        self.prepare(code, status)
        return self.page(self.blocking_problems(), self.get_form())

    def post(self, request, code, status):
        self.prepare(code, status)
        problems, form = self.blocking_problems(), self.get_form()
        if not problems and (form is None or form.is_valid()):
            try:
                with transaction.atomic():
                    self.carry_out(form)
            except TransitionNotAllowed as refusal:  # someone else moved it in the meantime
                problems = refusal.messages
            else:
                context = {"code": self.object.code, "status": self.new_status.label}
                messages.success(request, self.success_message % context)
                return self.succeeded()
        if problems:
            return self.refused(problems)
        return self.page([], form)

    def prepare(self, code, status):
        self.object = get_object_or_404(self.get_queryset(), code=code)
        require_permission(self.request.user, self.permission)
        if status not in self.model.status_choices.values:
            raise Http404
        self.new_status = self.model.status_choices(status)

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def get_form(self):
        if self.form_class is None:
            return None
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, **self.get_form_kwargs())

    def get_form_kwargs(self):
        return {}

    def blocking_problems(self):
        """What stops the step whatever is confirmed: shown instead of the form."""
        return self.object.transition_problems(self.new_status)

    def carry_out(self, form):
        """Make the step (in a transaction)."""
        self.object.transition_to(self.new_status)

    def succeeded(self):
        return redirect(self.object)

    def refused(self, problems):
        return self.page(problems, None, status=409)

    def page(self, problems, form, status=200):
        context = {
            "object": self.object,
            self.context_object_name: self.object,
            "new_status": self.new_status,
            "problems": problems,
            "form": form,
        }
        return render(self.request, self.template_name, context, status=status)
