from rest_framework.routers import SimpleRouter

from agreements.api import views

router = SimpleRouter(trailing_slash=False)
router.register("customers", views.CustomerViewSet, basename="api-customer")
router.register("services", views.ServiceViewSet, basename="api-service")
router.register("calendars", views.CalendarViewSet, basename="api-calendar")

urlpatterns = router.urls
