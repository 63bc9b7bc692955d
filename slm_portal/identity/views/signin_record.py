"""The sign-in record: admins read every event; a customer administrator reads their own organisation's."""

from django.core.exceptions import PermissionDenied

from agreements.models import Customer
from agreements.people import administered_customer_id
from core.mixins import FilteredListView
from slm_portal.identity.filters import SignInEventFilter
from slm_portal.identity.models import SignInEvent


class SignInRecordView(FilteredListView):
    model = SignInEvent
    filterset_class = SignInEventFilter
    paginate_by = 50
    template_name = "identity/signin_record.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            self.sees_all = user.is_active and user.has_perm("identity.view_signinevent")
            self.customer_id = None if self.sees_all else administered_customer_id(user)
            if not self.sees_all and self.customer_id is None:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def rows(self, queryset):
        return queryset.select_related("user", "actor", "customer")

    def get_queryset(self):
        rows = self.rows(super(FilteredListView, self).get_queryset())
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=rows, user=self.request.user, show_customer=self.sees_all
        )
        return self.filterset.qs if self.filterset.is_bound else rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = None if self.sees_all else Customer.objects.get(pk=self.customer_id)
        return context
