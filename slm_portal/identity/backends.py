"""The lockout check of django-axes, first of the authentication backends."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied


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
