from rest_framework.routers import SimpleRouter

from agreements.api import views

router = SimpleRouter(trailing_slash=False)
router.register("customers", views.CustomerViewSet, basename="api-customer")
router.register("services", views.ServiceViewSet, basename="api-service")

urlpatterns = router.urls
