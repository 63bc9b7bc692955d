"""Who may see what: the one checkpoint every view and API endpoint goes through.

A person belongs to at most one customer (``Membership``). Service managers and admins hold the model's ``view``
permission and see everything; a customer user sees only rows of their own organisation; anyone else sees nothing.
"""

from django.contrib.auth.models import Group
from django.db import models

SERVICE_MANAGERS_GROUP = "Service managers"


def customer_id_of(user):
    """The id of the customer the user belongs to, or None. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_slm_customer_id"):
        from agreements.models import Membership

        user._slm_customer_id = Membership.objects.filter(user_id=user.pk).values_list("customer_id", flat=True).first()
    return user._slm_customer_id


def is_service_manager(user):
    """True for superusers and members of the service managers group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_slm_is_manager"):
        user._slm_is_manager = user.groups.filter(name=SERVICE_MANAGERS_GROUP).exists()
    return user._slm_is_manager


def ensure_group_permissions(group_name, permissions):
    """Give a group the named permissions (``app_label.codename``); idempotent, used from post_migrate handlers."""
    from django.contrib.auth.models import Permission

    group, _ = Group.objects.get_or_create(name=group_name)
    for label in permissions:
        app_label, codename = label.split(".", 1)
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            raise LookupError(f"Permission {label} does not exist; was the app migrated?")
        group.permissions.add(permission)
    return group


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


def manager_permission_codenames(app_label, model_names, actions=("add", "change", "delete", "view")):
    return [f"{app_label}.{action}_{model}" for model in model_names for action in actions]
