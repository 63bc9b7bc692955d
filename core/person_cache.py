"""What every page asks of the signed-in person, kept in the cache between their requests: their permissions (as
Django's ModelBackend reads them), whether they are a service manager, and their membership of a customer with
that customer. Read afresh, these are five queries a request before the page reads anything of its own.

They are kept under the edits counter (``core.edits``): any write to the tables they come from (users, groups,
permissions, memberships, customers) raises it, and the next request reads them afresh. The person's own row (active,
staff, superuser) is read from the database on every request as before, and the kept entry is used only if it was
made for the same values. ``remember`` puts them where Django and the portal look first on the user object, so
nothing else changes: ``has_perm``, ``.for_user()`` and ``customer_id_of`` find them there.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from core import edits
from core.tenancy import MEMBERSHIP_ACCESSOR, is_service_manager

SECONDS = 120


def key(user):
    return f"slm:person:{user.pk}"


def _row(user):
    return (user.is_active, user.is_superuser, user.is_staff)


def _membership_field(user):
    return user._meta.get_field(MEMBERSHIP_ACCESSOR)


def read(user):
    """What is kept of ``user``, read from the database (a few queries): the entry ``remember`` stores."""
    backend = ModelBackend()
    field = _membership_field(user)
    membership = field.related_model.objects.select_related("customer").filter(user=user).first()
    return {
        "row": _row(user),
        "user_perms": set(backend.get_user_permissions(user)),
        "group_perms": set(backend.get_group_permissions(user)),
        "manager": is_service_manager(user),
        "membership": membership,
    }


def remember(user):
    """Put what is kept of the signed-in ``user`` on the user object (reading and keeping it first if the cache has
    none of the current edits counter): one round trip to the cache when it is there."""
    if not getattr(user, "is_authenticated", False):
        return
    found = cache.get_many([edits.KEY, key(user)])
    version, kept = found.get(edits.KEY, 0), found.get(key(user))
    if kept is None or kept["version"] != version or kept["row"] != _row(user):
        kept = {**read(user), "version": version}
        cache.set(key(user), kept, SECONDS)
    # Where ModelBackend keeps what it read for the request, and where the portal keeps the rest.
    user._user_perm_cache = kept["user_perms"]
    user._group_perm_cache = kept["group_perms"]
    user._slm_is_manager = kept["manager"]
    field = _membership_field(user)
    user._state.fields_cache[field.cache_name] = kept["membership"]
