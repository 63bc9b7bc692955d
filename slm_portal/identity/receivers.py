"""Receivers that write the sign-in record (connected by IdentityConfig.ready).

Sign-ins, failures and sign-outs come from django.contrib.auth's signals, which every way in (password, single
sign-on, directory) sends through ``django.contrib.auth.login`` and ``authenticate``; lockouts from django-axes;
API tokens and role changes from the models' own signals, compared with the row as it was in the database.
"""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from agreements.models import Customer, Membership
from core.tenancy import SERVICE_MANAGERS_GROUP
from monitoring.models import ApiToken
from slm_portal.identity import record as recording
from slm_portal.identity.choices import EventKind
from slm_portal.identity.models.signins import token_detail
from slm_portal.identity.record import record, request_actor, sign_in_method

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="identity_signed_in")
def signed_in(sender, request, user, **kwargs):
    # login() keeps the backend that let the person in in the session (``user.backend`` is set only by authenticate).
    session = getattr(request, "session", None)
    backend = (session.get(BACKEND_SESSION_KEY) if session is not None else None) or getattr(user, "backend", "")
    record(EventKind.SIGNED_IN, user=user, request=request, method=sign_in_method(backend))


@receiver(user_login_failed, dispatch_uid="identity_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    locked = getattr(request, "slm_refused_while_locked", False)
    record(
        EventKind.SIGN_IN_FAILED,
        user=user,
        username=username,
        request=request,
        detail="locked" if locked else "",
    )


@receiver(user_logged_out, dispatch_uid="identity_signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(EventKind.SIGNED_OUT, user=user, request=request)


@receiver(user_locked_out, dispatch_uid="identity_locked_out")
def locked_out(sender, request, username, ip_address=None, **kwargs):
    if getattr(request, "slm_refused_while_locked", False):
        return  # a try while locked: recorded as a failed sign-in of a locked account
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    record(
        EventKind.LOCKED_OUT,
        user=user,
        username=username or "",
        request=request,
        detail=str(settings.AXES_FAILURE_LIMIT),
    )


# API tokens


@receiver(pre_save, sender=ApiToken, dispatch_uid="identity_token_before")
def token_before(sender, instance, **kwargs):
    instance._slm_was_revoked = (
        instance.pk is not None and sender.objects.filter(pk=instance.pk, revoked_at__isnull=False).exists()
    )


@receiver(post_save, sender=ApiToken, dispatch_uid="identity_token_saved")
def token_saved(sender, instance, created, **kwargs):
    if created:
        record(EventKind.TOKEN_CREATED, user=instance.user, actor=request_actor(), detail=token_detail(instance))
    elif instance.revoked_at is not None and not getattr(instance, "_slm_was_revoked", True):
        record(EventKind.TOKEN_REVOKED, user=instance.user, actor=request_actor(), detail=str(instance))


@receiver(post_delete, sender=ApiToken, dispatch_uid="identity_token_deleted")
def token_deleted(sender, instance, **kwargs):
    if instance.revoked_at is None:
        record(EventKind.TOKEN_REVOKED, user=instance.user, actor=request_actor(), detail=str(instance))


# Users: staff, superuser, active


ROLE_FLAGS = [
    ("is_staff", EventKind.STAFF_GRANTED, EventKind.STAFF_REVOKED),
    ("is_superuser", EventKind.SUPERUSER_GRANTED, EventKind.SUPERUSER_REVOKED),
    ("is_active", EventKind.REACTIVATED, EventKind.DEACTIVATED),
]


@receiver(pre_save, sender=User, dispatch_uid="identity_user_before")
def user_before(sender, instance, update_fields=None, **kwargs):
    names = [name for name, _, _ in ROLE_FLAGS]
    instance._slm_flags_before = None
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(names)):
        return
    instance._slm_flags_before = sender.objects.filter(pk=instance.pk).values(*names).first()


@receiver(post_save, sender=User, dispatch_uid="identity_user_saved")
def user_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_slm_flags_before", None)
    if created:
        before = {"is_staff": False, "is_superuser": False, "is_active": True}
    if before is None:
        return
    for name, granted, revoked in ROLE_FLAGS:
        now = getattr(instance, name)
        if now != before[name]:
            record(granted if now else revoked, user=instance, actor=request_actor())


@receiver(pre_delete, sender=User, dispatch_uid="identity_user_deleting")
def user_deleting(sender, instance, **kwargs):
    recording.deleting_users.add(instance.pk)


@receiver(post_delete, sender=User, dispatch_uid="identity_user_deleted")
def user_deleted(sender, instance, **kwargs):
    recording.deleting_users.discard(instance.pk)


@receiver(pre_delete, sender=Customer, dispatch_uid="identity_customer_deleting")
def customer_deleting(sender, instance, **kwargs):
    recording.deleting_customers.add(instance.pk)


@receiver(post_delete, sender=Customer, dispatch_uid="identity_customer_deleted")
def customer_deleted(sender, instance, **kwargs):
    recording.deleting_customers.discard(instance.pk)


# The service managers' group


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="identity_groups_changed")
def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    kind = EventKind.MANAGER_GRANTED if action == "post_add" else EventKind.MANAGER_REVOKED
    if not reverse:  # user.groups.add(group)
        if action == "pre_clear":
            involved = instance.groups.filter(name=SERVICE_MANAGERS_GROUP).exists()
        else:
            involved = Group.objects.filter(pk__in=pk_set, name=SERVICE_MANAGERS_GROUP).exists()
        users = [instance] if involved else []
    elif instance.name != SERVICE_MANAGERS_GROUP:  # group.user_set.add(user)
        users = []
    elif action == "pre_clear":
        users = list(instance.user_set.all())
    else:
        users = list(User.objects.filter(pk__in=pk_set))
    actor = request_actor()
    for user in users:
        if user.pk not in recording.deleting_users:
            record(kind, user=user, actor=actor)


# Memberships: joined, moved, left; customer administrator


@receiver(pre_save, sender=Membership, dispatch_uid="identity_membership_before")
def membership_before(sender, instance, **kwargs):
    instance._slm_before = (
        sender.objects.filter(pk=instance.pk).values("customer_id", "is_admin").first() if instance.pk else None
    )


@receiver(post_save, sender=Membership, dispatch_uid="identity_membership_saved")
def membership_saved(sender, instance, created, **kwargs):
    actor = request_actor()
    before = getattr(instance, "_slm_before", None)
    if created or before is None:
        record(
            EventKind.MEMBERSHIP_CREATED,
            user=instance.user,
            actor=actor,
            customer_id=instance.customer_id,
            detail=str(instance.customer),
        )
        before = {"customer_id": instance.customer_id, "is_admin": False}
    if before["customer_id"] != instance.customer_id:
        old = Customer.objects.filter(pk=before["customer_id"]).first()
        record(EventKind.MEMBERSHIP_REMOVED, user=instance.user, actor=actor, customer_id=before["customer_id"])
        record(
            EventKind.MEMBERSHIP_MOVED,
            user=instance.user,
            actor=actor,
            customer_id=instance.customer_id,
            detail=f"{old} → {instance.customer}",
        )
    if before["is_admin"] != instance.is_admin:
        kind = EventKind.CUSTOMER_ADMIN_GRANTED if instance.is_admin else EventKind.CUSTOMER_ADMIN_REVOKED
        record(kind, user=instance.user, actor=actor, customer_id=instance.customer_id)


@receiver(post_delete, sender=Membership, dispatch_uid="identity_membership_deleted")
def membership_deleted(sender, instance, **kwargs):
    if instance.user_id in recording.deleting_users:
        return  # the account itself is being deleted
    record(
        EventKind.MEMBERSHIP_REMOVED,
        user=instance.user,
        actor=request_actor(),
        customer_id=instance.customer_id,
        detail=str(instance.customer) if instance.customer_id not in recording.deleting_customers else "",
    )
