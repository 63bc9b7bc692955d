"""Who may see what: the one checkpoint every view and API endpoint goes through.

A person belongs to at most one customer (a membership). Service managers and admins hold the model's ``view``
permission and see everything; a customer user sees only rows of their own organisation; anyone else sees nothing.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models

SERVICE_MANAGERS_GROUP = "Service managers"

# The reverse one-to-one accessor from a user to their customer membership. The agreements app's Membership names
# its user field's related_name with it, so the checkpoint finds a user's customer without importing that app.
MEMBERSHIP_ACCESSOR = "customer_membership"


def customer_id_of(user):
    """The id of the customer the user belongs to, or None.

    One query the first time; Django keeps the membership (or its absence) on the user object for the request.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return getattr(user, MEMBERSHIP_ACCESSOR).customer_id
    except ObjectDoesNotExist:
        return None


def is_service_manager(user):
    """True for superusers and members of the service managers group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_slm_is_manager"):
        user._slm_is_manager = user.groups.filter(name=SERVICE_MANAGERS_GROUP).exists()
    return user._slm_is_manager


class ReadOnly(PermissionDenied):
    """A change the person may not make, on something they may read: the 403 page says "read, but not change"."""


class ManagersOnly(PermissionDenied):
    """A page only service managers open at all (the overview, priorities, data sources, probes): the 403 page says
    that the page is for service managers."""


def require_permission(user, permission):
    """403 (``ReadOnly``) unless the user holds ``permission``: for writes. Call it after fetching the object through
    ``.for_user()``."""
    if not user.has_perm(permission):
        raise ReadOnly


def require_manager(user, permission):
    """403 (``ManagersOnly``) unless the user holds ``permission``: for pages that only service managers open."""
    if not user.has_perm(permission):
        raise ManagersOnly


class TenantQuerySet(models.QuerySet):
    """A queryset with the ``.for_user()`` checkpoint.

    Subclasses name ``customer_path``, the lookup from the model to its ``Customer`` id (``"customer"``,
    ``"agreement__customer"``). Holders of the model's view permission see every row.
    """

    customer_path = "customer"
    customer_path_is_many = False  # True when the path crosses a many-to-many relation (rows would repeat)

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        opts = self.model._meta
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return self
        customer_id = customer_id_of(user)
        if customer_id is None:
            return self.none()
        rows = self.filter(**{self.customer_path: customer_id})
        return rows.distinct() if self.customer_path_is_many else rows


def grant_service_manager_permissions(sender, **kwargs):
    """post_migrate receiver (connected once, by CoreConfig): the service managers' group gets the permissions
    that the migrated app lists on its AppConfig. Idempotent; apps that list nothing are left alone.

    ``service_managers_edit``: model names whose rows managers add, change, delete and view.
    ``service_managers_view``: model names they only view (records the portal writes itself).
    ``service_managers_also``: other permissions of the app, by codename (``acknowledge_alert``).
    """
    edit = getattr(sender, "service_managers_edit", ())
    view = getattr(sender, "service_managers_view", ())
    also = getattr(sender, "service_managers_also", ())
    if not edit and not view and not also:
        return None
    codenames = [f"{action}_{model}" for model in edit for action in ("add", "change", "delete", "view")]
    codenames += [f"view_{model}" for model in view]
    codenames += list(also)
    group, _ = Group.objects.get_or_create(name=SERVICE_MANAGERS_GROUP)
    for codename in codenames:
        permission = Permission.objects.filter(content_type__app_label=sender.label, codename=codename).first()
        if permission is None:
            raise LookupError(f"Permission {sender.label}.{codename} does not exist; was the app migrated?")
        group.permissions.add(permission)
    return group
