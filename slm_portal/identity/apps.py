from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "slm_portal.identity"
    label = "identity"
    verbose_name = _("Sign-in and identity")
    # Granted to the service managers' group after every migrate (core.tenancy.grant_service_manager_permissions).
    service_managers_edit = []
    service_managers_view = []

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete

        from slm_portal.identity import (
            schema,  # noqa: F401 - registers the OpenAPI description of the session
            two_factor,
        )

        user_logged_in.connect(two_factor.forget_verification, dispatch_uid="identity_two_factor_forget")
        post_delete.connect(
            two_factor.drop_recovery_codes_with_last_authenticator,
            sender="identity.AuthenticatorDevice",
            dispatch_uid="identity_two_factor_recovery_with_device",
        )
        from slm_portal.identity import receivers  # noqa: F401 - connects the sign-in record's receivers
