"""The permission ladder, written once: anonymous -> login, outsider -> 404, read-only -> 403 on writes.

A 403 says why: a change the account may not make (``require_permission``, "read, but not change"), or a page for
service managers only (``require_manager``).

Every object is fetched through the model's ``.for_user()`` checkpoint first, so a row of another customer is
simply not found (404); only then is the write permission checked (403). A workflow step the model refuses
answers 409 (``TransitionView``).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from core.tenancy import require_manager, require_permission
from core.workflow import TransitionNotAllowed


class ForUserMixin(LoginRequiredMixin):
    """Querysets and objects through ``.for_user()``; objects are looked up by their ``code``."""

    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)


class WriteObjectMixin(ForUserMixin):
    """For edit views of an existing object: 404 for rows the user cannot see, then 403 without the permission."""

    write_permission = None

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        require_permission(self.request.user, self.write_permission)
        return obj


class CreateMixin(LoginRequiredMixin):
    """For create views: 403 without the model's ``add`` permission. ``managers_only`` for the kinds of rows that
    only service managers see at all (their 403 says the page is for service managers)."""

    write_permission = None
    managers_only = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            check = require_manager if self.managers_only else require_permission
            check(request.user, self.write_permission)
        return super().dispatch(request, *args, **kwargs)


class ManagerPageMixin(LoginRequiredMixin):
    """Pages that only service managers open at all (customers get 403: the page is for service managers)."""

    view_permission = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_manager(request.user, self.view_permission)
        return super().dispatch(request, *args, **kwargs)


def posted(request):
    """The form data of a POST (even an empty one, which must show "required" errors), or None for a GET."""
    return request.POST if request.method == "POST" else None


class FilteredListView(ForUserMixin, ListView):
    """A paginated list through ``.for_user()`` with a django-filter form (``filterset_class``, given the user)."""

    paginate_by = 25
    filterset_class = None

    def rows(self, queryset):
        """The queryset before filtering (add select_related / annotations here)."""
        return queryset

    def get_queryset(self):
        rows = self.rows(super().get_queryset())
        self.filterset = self.filterset_class(self.request.GET or None, queryset=rows, user=self.request.user)
        return self.filterset.qs if self.filterset.is_bound else rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        opts = self.model._meta
        context["can_add"] = self.request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
        return context


class TransitionView(LoginRequiredMixin, View):
    """Confirm (GET) and make (POST) one step of a ``WorkflowMixin`` model, looked up by ``code`` (or
    ``lookup_field``) through ``.for_user()``; the URL carries it and ``status``.

    The page shows the problems that stop the step, or a form to confirm it (``form_class`` when the step records
    something, such as a reason). A refused POST answers 409 with the problems; a made step says so and redirects.
    """

    model = None
    permission = None
    template_name = None
    context_object_name = None
    form_class = None
    success_message = ""  # with the keys of success_context(): %(code)s and %(status)s
    lookup_field = "code"  # the URL's keyword that names the row, and the field it is looked up by

    def get(self, request, status, **lookup):
        self.prepare(lookup[self.lookup_field], status)
        return self.page(self.blocking_problems(), self.get_form())

    def post(self, request, status, **lookup):
        self.prepare(lookup[self.lookup_field], status)
        problems, form = self.blocking_problems(), self.get_form()
        if not problems and (form is None or form.is_valid()):
            try:
                with transaction.atomic():
                    self.carry_out(form)
            except TransitionNotAllowed as refusal:  # someone else moved it in the meantime
                problems = refusal.messages
            else:
                messages.success(request, self.success_message % self.success_context())
                return self.succeeded()
        if problems:
            return self.refused(problems)
        return self.page([], form)

    def prepare(self, value, status):
        self.object = get_object_or_404(self.get_queryset(), **{self.lookup_field: value})
        require_permission(self.request.user, self.permission)
        if status not in self.model.status_choices.values:
            raise Http404
        self.new_status = self.model.status_choices(status)

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def success_context(self):
        return {"code": self.object.code, "status": self.new_status.label}

    def page_context(self):
        """More for the confirmation page (what the step will mean, say)."""
        return {}

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
            "new_status": self.new_status,
            "step": self.model.step_between(self.object.status, self.new_status),
            "problems": problems,
            "form": form,
            **self.page_context(),
        }
        if self.context_object_name:
            context[self.context_object_name] = self.object
        return render(self.request, self.template_name, context, status=status)
