from django.urls import path

from slm_portal.identity.views import invitations, sign_in, signin_record, two_factor

app_name = "identity"

urlpatterns = [
    path("oidc/<slug:provider>/start/", sign_in.oidc_start, name="oidc_start"),
    path("oidc/<slug:provider>/callback/", sign_in.oidc_callback, name="oidc_callback"),
    path("two-factor/", two_factor.manage, name="two_factor"),
    path("two-factor/code/", two_factor.code, name="two_factor_code"),
    path("two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", two_factor.recovery_codes, name="two_factor_recovery_codes"),
    path("two-factor/recovery-codes/new/", two_factor.regenerate, name="two_factor_regenerate"),
    path("two-factor/off/", two_factor.turn_off, name="two_factor_off"),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("sign-ins/", signin_record.SignInRecordView.as_view(), name="signin_record"),
]
