from rest_framework.routers import SimpleRouter

from requirements_analysis.api import views

router = SimpleRouter(trailing_slash=False)
router.register("requirements", views.RequirementViewSet, basename="api-requirement")
router.register("surveys", views.SurveyViewSet, basename="api-survey")

urlpatterns = router.urls
