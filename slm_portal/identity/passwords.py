"""Whether a person may sign in with a password: SLM_PASSWORD_SIGN_IN_OFF switches passwords off per role.

``managers``: service managers sign in only through single sign-on (or a directory); ``customers``: likewise for the
people of customer organisations. Superusers always keep their password, the way in when single sign-on is down.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from core.tenancy import customer_id_of, is_service_manager

ROLES = ("managers", "customers")


def password_refusal(user):
    """The message that refuses ``user`` a password sign-in, or None when they may use their password."""
    off = settings.SLM_PASSWORD_SIGN_IN_OFF
    if not off or user.is_superuser:
        return None
    if "managers" in off and is_service_manager(user):
        return _("Service managers sign in with single sign-on; their passwords are switched off.")
    if "customers" in off and customer_id_of(user) is not None:
        return _("People of customer organisations sign in with single sign-on; their passwords are switched off.")
    return None
