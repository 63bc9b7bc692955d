"""The authentication backends of the portal's own: django-axes' lockout check, first of all, and the backend
that single sign-on signs people in with.

The single sign-on backend authenticates nobody by itself (the OpenID Connect callback does,
slm_portal/identity/oidc.py, and then calls ``django.contrib.auth.login`` with this backend's path); Django asks it
for the signed-in user on every request, and permissions come from ModelBackend as for everyone.
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, which refuses a sign-in while its username and address are locked out.

    Sign-ins through a page always pass the request. A call without one (Django's test client ``login()``, a
    management command) is not a guess from the network, and axes could not count it anyway: it is passed on to the
    next backend instead of raising an error. The refusal marks the request, so that the record counts a refused
    try as a failed sign-in of a locked account and not as a new lockout.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.slm_refused_while_locked = True
            raise


class SingleSignOnBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
        return user
