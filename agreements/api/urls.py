from django.urls import path
from rest_framework.routers import SimpleRouter

from agreements.api import agreements, maintenance, targets, views

router = SimpleRouter(trailing_slash=False)
router.register("customers", views.CustomerViewSet, basename="api-customer")
router.register("services", views.ServiceViewSet, basename="api-service")
router.register("calendars", views.CalendarViewSet, basename="api-calendar")
router.register("agreements", agreements.AgreementViewSet, basename="api-agreement")
router.register("maintenance-windows", maintenance.MaintenanceWindowViewSet, basename="api-maintenance-window")

LIST = {"get": "list", "post": "create"}
ROW = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}

# Rows of one agreement, under it.
urlpatterns = [
    *router.urls,
    path(
        "agreements/<slug:agreement>/targets",
        targets.TargetViewSet.as_view(LIST, basename="api-agreement-target"),
        name="api-agreement-target-list",
    ),
    path(
        "agreements/<slug:agreement>/targets/<slug:code>",
        targets.TargetViewSet.as_view(ROW, basename="api-agreement-target"),
        name="api-agreement-target-detail",
    ),
    path(
        "agreements/<slug:agreement>/exclusions",
        maintenance.ExclusionViewSet.as_view(LIST, basename="api-agreement-exclusion"),
        name="api-agreement-exclusion-list",
    ),
    path(
        "agreements/<slug:agreement>/exclusions/<int:pk>",
        maintenance.ExclusionViewSet.as_view(
            {"get": "retrieve", "delete": "destroy"}, basename="api-agreement-exclusion"
        ),
        name="api-agreement-exclusion-detail",
    ),
]
