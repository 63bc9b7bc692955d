"""Password sign-in forms, with the rule that switches passwords off per role."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from slm_portal.identity.ldap_config import DIRECTORY_BACKEND
from slm_portal.identity.passwords import password_refusal


def refusal_of(user):
    """Why ``user`` may not sign in with a password, or None. A directory sign-in is the directory's password, not
    the portal's: SLM_PASSWORD_SIGN_IN_OFF leaves it alone (``authenticate`` names the backend on the user)."""
    if getattr(user, "backend", None) == DIRECTORY_BACKEND:
        return None
    return password_refusal(user)


class PasswordSignInForm(AuthenticationForm):
    """The login page's password form: refuses a person whose role may not use a password (SLM_PASSWORD_SIGN_IN_OFF),
    after the password was checked, so that the message tells nothing to whoever does not know it.

    When a sign-in backend refused the person (the directory's role rules, an unreachable directory), its message,
    left on the request, replaces "enter a correct user name and password"."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = refusal_of(user)
        if refusal:
            raise forms.ValidationError(refusal, code="password_off")

    def get_invalid_login_error(self):
        # The attribute's name: slm_portal.identity.directory.REFUSAL_ATTRIBUTE (not imported: it needs python-ldap).
        message = getattr(self.request, "sign_in_refusal", None)
        if message:
            return forms.ValidationError(message, code="sign_in_refused")
        return super().get_invalid_login_error()


class AdminPasswordSignInForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = refusal_of(user)
        if refusal:
            raise forms.ValidationError(refusal, code="password_off")
