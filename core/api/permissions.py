"""The API's permission ladder, the pages' ladder in HTTP: anonymous 401, an outsider 404 (rows come through
``.for_user()``, so another organisation's row is not found), read-only 403 on writes, allowed 2xx.

Read-only is either the person (a customer user holds no change permission) or the token: a personal token with the
read scope makes no write whatever its person may do. Machine tokens (data sources, service desks) send data to
their own endpoints and read nothing here.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


def is_machine(user):
    """A data source's or a service desk's token: authenticated, but no person."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "pk", None) is None


class Ladder(permissions.BasePermission):
    """People only; writes need a token that allows them (the model permission is checked by the view, after the
    row is found, so that an outsider meets 404 before 403)."""

    message = _("This API answers people, signed in or with a personal token; machine tokens only send data.")
    read_only_token_message = _("This token is read-only: make a token that may read and write for changes.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated) or is_machine(user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if not getattr(request.auth, "allows_write", True):
            self.message = self.read_only_token_message
            return False
        return True
