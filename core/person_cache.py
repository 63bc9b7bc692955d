"""What every page asks of the signed-in person, kept in the cache between their requests: their permissions (as
Django's ModelBackend reads them), whether they are a service manager, and their membership of a customer with
that customer. Read afresh, these are five queries a request before the page reads anything of its own.

They are kept under the edits counter (``core.edits``): any write to the tables they come from (users, groups,
permissions, memberships, customers) raises it, and the next request reads them afresh. The person's own row (active,
staff, superuser) is read from the database on every request as before, and the kept entry is used only if it was
made for the same values. ``remember`` puts them where Django and the portal look first on the user object, so
nothing else changes: ``has_perm``, ``.for_user()`` and ``customer_id_of`` find them there.
"""

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from core import edits
from core.tenancy import MEMBERSHIP_ACCESSOR, SERVICE_MANAGERS_GROUP

SECONDS = 120


def key(user):
    return f"slm:person:{user.pk}"


def _row(user):
    return (user.is_active, user.is_superuser, user.is_staff)


def _membership_field(user):
    return user._meta.get_field(MEMBERSHIP_ACCESSOR)


def read(user):
    """What is kept of ``user``, read from the database: the entry ``remember`` stores. Three queries (the person's
    own permissions; their groups with each group's permissions; their membership with its customer), as many as
    Django and the portal would make for them, or fewer."""
    field = _membership_field(user)
    membership = field.related_model.objects.select_related("customer").filter(user=user).first()
    groups = set()
    if not user.is_active:
        user_perms = group_perms = set()  # as ModelBackend answers for an inactive person
    elif user.is_superuser:
        user_perms = group_perms = {f"{app}.{codename}" for app, codename in _names(Permission.objects.all())}
    else:
        user_perms = {f"{app}.{codename}" for app, codename in _names(Permission.objects.filter(user=user))}
        # Each group with its permissions, a group without any too (LEFT JOIN): the group perms and the groups' names.
        rows = Group.objects.filter(user=user).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        group_perms = set()
        for name, app, codename in rows:
            groups.add(name)
            if codename is not None:
                group_perms.add(f"{app}.{codename}")
    return {
        "row": _row(user),
        "user_perms": user_perms,
        "group_perms": group_perms,
        "manager": user.is_active and (user.is_superuser or SERVICE_MANAGERS_GROUP in groups),
        "membership": membership,
    }


def _names(permissions):
    return permissions.values_list("content_type__app_label", "codename").order_by()


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
