"""The permission ladder, written once: anonymous -> login, outsider -> 404, read-only -> 403 on writes.

Every object is fetched through the model's ``.for_user()`` checkpoint first, so a row of another customer is
simply not found (404); only then is the write permission checked (403).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from core.tenancy import require_permission


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
    """For create views: 403 without the model's ``add`` permission."""

    write_permission = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_permission(request.user, self.write_permission)
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
