"""The authentication backend that single sign-on signs people in with.

It authenticates nobody by itself (the OpenID Connect callback does, slm_portal/identity/oidc.py, and then calls
``django.contrib.auth.login`` with this backend's path); Django asks it for the signed-in user on every request, and
permissions come from ModelBackend as for everyone.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend


class SingleSignOnBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
        return user
