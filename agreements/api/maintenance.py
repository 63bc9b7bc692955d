"""Maintenance windows (``/maintenance-windows/<id>``, with their steps: approve, mark completed, cancel) and an
agreement's exclusions (``/agreements/<code>/exclusions/<id>``, recorded and taken back) over the API, each through
its page's form and saved as its page saves it."""

from django.shortcuts import get_object_or_404

from agreements.api.serializers import ExclusionSerializer, MaintenanceWindowSerializer
from agreements.filters import ExclusionFilter, MaintenanceWindowFilter
from agreements.forms.maintenance import ExclusionForm, MaintenanceWindowForm, record_exclusion, save_window
from agreements.models import Agreement, Exclusion, MaintenanceWindow
from core.api.viewsets import Conflict, TenantViewSet, TransitionMixin


class MaintenanceWindowViewSet(TransitionMixin, TenantViewSet):
    """Planned work on a service, named by its id. Times are ISO 8601 (with their offset; without one, in the portal's
    time zone). Changing the timing of an approved window plans it again, as on its page. ``POST …/<id>/transition``
    with ``{"status": "approved"}`` approves it (the notice counts from then), ``completed`` or ``cancelled``. Windows
    are never deleted: cancel them. A customer user reads the windows of their services that customers see."""

    model = MaintenanceWindow
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    serializer_class = MaintenanceWindowSerializer
    form_class = MaintenanceWindowForm
    filterset_class = MaintenanceWindowFilter
    ordering_fields = ["starts_at", "ends_at", "title", "status", "created_at"]
    ordering = ["-starts_at"]
    add_permission = "agreements.add_maintenancewindow"
    change_permission = "agreements.change_maintenancewindow"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return MaintenanceWindow.objects.select_related("service", "calendar", "approved_by", "created_by")

    def form_kwargs(self, instance=None):
        return {"user": self.request.user}

    def bind(self, instance=None, partial=False):
        problems = instance.editing_problems() if instance is not None else []
        if problems:
            raise Conflict({"detail": problems})
        return super().bind(instance=instance, partial=partial)

    def save_form(self, form):
        window, _sent_back = save_window(form, self.request.user)
        return window

    def transition_details(self, data):
        return {"user": self.request.user}  # who approved it, as on the page


class ExclusionViewSet(TenantViewSet):
    """Intervals an agreement's customer agreed not to count, named by id: recorded (``POST``) and taken back
    (``DELETE``, refused with 409 while it reaches into a closed period), never changed, as on the agreement's
    page."""

    model = Exclusion
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    serializer_class = ExclusionSerializer
    form_class = ExclusionForm
    filterset_class = ExclusionFilter
    ordering_fields = ["starts_at", "ends_at", "created_at"]
    ordering = ["-starts_at"]
    add_permission = "agreements.add_exclusion"
    delete_permission = "agreements.delete_exclusion"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.agreement = get_object_or_404(Agreement.objects.for_user(request.user), code=kwargs["agreement"])

    def base_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Exclusion.objects.none()
        return Exclusion.objects.filter(agreement=self.agreement).select_related("agreement", "service", "recorded_by")

    def form_kwargs(self, instance=None):
        return {"agreement": self.agreement}

    def save_form(self, form):
        return record_exclusion(form, self.request.user)

    def deletion_problems(self, row):
        return row.deletion_problems()
