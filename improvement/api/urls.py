from rest_framework.routers import SimpleRouter

from improvement.api import views

router = SimpleRouter(trailing_slash=False)
router.register("improvement-plans", views.PlanViewSet, basename="api-plan")
router.register(r"improvement-plans/(?P<plan>[-a-zA-Z0-9_]+)/actions", views.ActionViewSet, basename="api-plan-action")

urlpatterns = router.urls
