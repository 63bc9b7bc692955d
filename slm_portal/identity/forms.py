from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from slm_portal.identity.passwords import password_refusal


class PasswordSignInForm(AuthenticationForm):
    """The login page's password form: refuses a person whose role may not use a password (SLM_PASSWORD_SIGN_IN_OFF),
    after the password was checked, so that the message tells nothing to whoever does not know it."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = password_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="password_off")


class AdminPasswordSignInForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = password_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="password_off")
