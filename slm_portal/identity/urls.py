from django.urls import path

from slm_portal.identity.views import invitations, signin_record

app_name = "identity"

urlpatterns = [
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("sign-ins/", signin_record.SignInRecordView.as_view(), name="signin_record"),
]
