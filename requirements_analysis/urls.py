app_name = "requirements_analysis"

urlpatterns = []
