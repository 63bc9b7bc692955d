from django.urls import path

from slm_portal.identity import views

app_name = "identity"

urlpatterns = [
    path("oidc/<slug:provider>/start/", views.oidc_start, name="oidc_start"),
    path("oidc/<slug:provider>/callback/", views.oidc_callback, name="oidc_callback"),
]
