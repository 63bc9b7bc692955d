from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from slm_portal import views
from slm_portal.identity.views.sign_in import SignInView

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("favicon.ico", views.favicon),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("slm_portal.identity.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("monitoring.api.urls")),
    path("api/v1/", include("agreements.api.urls")),
    path("api/v1/", include("requirements_analysis.api.urls")),
    path("api/v1/", include("improvement.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a second request (/api/docs/?script=) instead of inline,
    # and our template moves its inline style to a file: the docs run under the Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="slm_portal/swagger_ui.html"),
        name="api-docs",
    ),
    path("", include("agreements.urls")),
    path("", include("monitoring.urls")),
    path("", include("requirements_analysis.urls")),
    path("", include("improvement.urls")),
]

handler403 = views.permission_denied

admin.site.site_header = "SLM Portal"
admin.site.site_title = "SLM Portal"
