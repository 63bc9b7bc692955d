"""Writing the sign-in record: one function, ``record``, that every receiver calls.

Who made a role change, and from where, is the request's: the receivers of model signals are not given it, so it is
read from the one place the portal already keeps it for the length of a request, the context that simple_history's
``HistoryRequestMiddleware`` sets (it stamps the change histories with the same user). Outside a request (a
management command, a Celery task) there is none, and the event says nothing of who or where.
"""

import datetime as dt

from simple_history.models import HistoricalRecords

from agreements.models import Membership
from slm_portal.identity.choices import SignInMethod
from slm_portal.identity.client import client_ip, user_agent
from slm_portal.identity.models import SignInEvent

# Authentication backends by the words in their dotted path. A backend that other parts add (single sign-on,
# directories) is recognised by its name; anything else that checks a password is "password".
METHOD_BY_BACKEND_WORD = [("oidc", SignInMethod.OIDC), ("openid", SignInMethod.OIDC), ("ldap", SignInMethod.LDAP)]
PASSWORD_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend",
    "django.contrib.auth.backends.AllowAllUsersModelBackend",
}

# Primary keys of users and customers whose deletion is under way: an event written while their related rows are
# removed must not point at them (the foreign key would fail when the deletion commits).
deleting_users = set()
deleting_customers = set()


def sign_in_method(backend_path):
    """The sign-in method of the backend a person was let in by (``user.backend`` after ``authenticate``)."""
    if not backend_path:
        return SignInMethod.OTHER
    lowered = backend_path.lower()
    for word, method in METHOD_BY_BACKEND_WORD:
        if word in lowered:
            return method
    if backend_path in PASSWORD_BACKENDS or "modelbackend" in lowered:
        return SignInMethod.PASSWORD
    return SignInMethod.OTHER


def login_name(user):
    """The name the person signs in with (the user model's USERNAME_FIELD), kept as typed in the record."""
    return getattr(user, user.USERNAME_FIELD)


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


def request_actor():
    """The signed-in person of the request being served, or None."""
    user = getattr(current_request(), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def record(kind, *, user=None, username="", request=None, actor=None, customer_id=None, method="", detail=""):
    """Write one event. ``request`` defaults to the request being served, if any; ``customer_id`` to the person's
    organisation. ``actor`` is who made a role change (``request_actor()``)."""
    request = request if request is not None else current_request()
    if user is not None and user.pk in deleting_users:
        username, user = username or login_name(user), None
    if user is not None:
        username = username or login_name(user)
        if customer_id is None:
            # Asked afresh, not from the membership a user object may keep from earlier in the request: that one
            # may have moved, or its customer been deleted since.
            customer_id = Membership.objects.filter(user_id=user.pk).values_list("customer_id", flat=True).first()
    if customer_id in deleting_customers:
        customer_id = None
    if actor is not None and actor.pk in deleting_users:
        actor = None
    return SignInEvent.objects.create(
        kind=kind,
        user=user,
        login_name=username[:150],
        actor=actor,
        customer_id=customer_id,
        method=method,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        detail=detail[:300],
    )


def prune(now, days):
    """Delete the events older than ``days`` before ``now`` (none when ``days`` is 0); returns how many went."""
    if not days:
        return 0
    deleted, _ = SignInEvent.objects.filter(at__lt=now - dt.timedelta(days=days)).delete()
    return deleted
