from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class SignInForm(AuthenticationForm):
    """Django's login form, with the message a sign-in backend left on the request when it refused the person (the
    directory's role rules, an unreachable directory) in place of "enter a correct user name and password"."""

    def get_invalid_login_error(self):
        # The attribute's name: slm_portal.identity.directory.REFUSAL_ATTRIBUTE (not imported: it needs python-ldap).
        message = getattr(self.request, "sign_in_refusal", None)
        if message:
            return ValidationError(message, code="sign_in_refused")
        return super().get_invalid_login_error()
