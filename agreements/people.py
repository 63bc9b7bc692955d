"""The people of a customer organisation: who may manage them, and invitations by e-mail.

A customer administrator (``Membership.is_admin``) manages the people of their own organisation only; service
managers (and admins) manage every organisation's. Neither path here can make anyone a service manager or staff.

An invitation is a link with a random token (only its hash is stored) that expires after
``SLM_INVITATION_DAYS``. Accepting it creates the account and the membership at once, or nothing: it is refused
when used before, withdrawn, expired, when the address is not (or no longer) under the organisation's e-mail
domains, or when an account with the address exists.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Invitation, Membership
from core.formatting import person_name
from core.tenancy import customer_id_of, is_service_manager

# The accepting page belongs to the sign-in pages (/accounts/); it is named here, not imported.
ACCEPT_URL_NAME = "identity:invitation_accept"


class InvitationRefused(Exception):
    """An invitation that cannot be sent or accepted; the message says why, in the reader's words."""


def administered_customer_id(user):
    """The id of the organisation the user is a customer administrator of, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if is_service_manager(user):  # they manage every organisation's people (and need no query for their own)
        return None
    customer_id = customer_id_of(user)
    if customer_id is None:
        return None
    membership = user.customer_membership
    return customer_id if membership.is_admin else None


def manages_every_organisation(user):
    """Service managers and admins: they manage every organisation's people."""
    return is_service_manager(user) and user.has_perm("agreements.change_membership")


def may_manage_people(user, customer):
    """True for service managers and admins, and for the customer administrators of ``customer``."""
    return manages_every_organisation(user) or administered_customer_id(user) == customer.pk


def may_change_person(actor, membership):
    """The reason the actor may not change this person's account, or None when they may.

    Nobody changes their own account here (a customer administrator could lock their organisation out); a customer
    administrator never changes a service manager's or staff member's account, even one with a membership.
    """
    person = membership.user
    if person.pk == actor.pk:
        return _("You cannot change your own account here.")
    if not manages_every_organisation(actor) and (person.is_staff or person.is_superuser or is_service_manager(person)):
        return _("This account belongs to a service manager or an admin; ask an admin to change it.")
    return None


def invitation_days():
    return settings.SLM_INVITATION_DAYS


def address_problem(customer, email):
    """Why an invitation to ``email`` cannot join ``customer``, or None."""
    if not customer.domain_list:
        return _(
            "%(customer)s has no e-mail domains set, so nobody can be invited yet; a service manager sets them on "
            "the customer's page."
        ) % {"customer": customer.name}
    if not customer.accepts_address(email):
        return _("%(email)s is not an address of %(customer)s (its e-mail domains: %(domains)s).") % {
            "email": email,
            "customer": customer.name,
            "domains": ", ".join(customer.domain_list),
        }
    if get_user_model().objects.filter(email__iexact=email).exists():
        return _("An account with the address %(email)s exists already.") % {"email": email}
    return None


def invite(customer, email, invited_by, portal_url):
    """Send an invitation to ``email``; returns it. Raises InvitationRefused (and stores nothing) when the address
    cannot join. Earlier pending invitations to the same address are withdrawn: only the newest link works."""
    email = email.strip()
    problem = address_problem(customer, email)
    if problem:
        raise InvitationRefused(problem)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(customer=customer, email__iexact=email).pending(now).update(withdrawn_at=now)
        invitation = Invitation(
            customer=customer,
            email=email,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + dt.timedelta(days=invitation_days()),
        )
        token = invitation.issue_token()
        invitation.save()
    send_invitation_mail(invitation, token, portal_url)
    return invitation


def send_invitation_mail(invitation, token, portal_url):
    """The invitation e-mail, in the customer's language, with the link and when it expires."""
    link = portal_url.rstrip("/") + reverse(ACCEPT_URL_NAME, kwargs={"token": token})
    customer = invitation.customer
    with translation.override(customer.language), timezone.override(settings.TIME_ZONE):
        expires = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
        subject = _("Invitation to %(portal)s for %(customer)s") % {
            "portal": settings.SLM_PORTAL_NAME,
            "customer": customer.name,
        }
        inviter = person_name(invitation.invited_by) if invitation.invited_by else settings.SLM_PORTAL_NAME
        text = "\n\n".join(
            [
                _("Hello,"),
                _(
                    "%(inviter)s invites you to %(portal)s, where %(customer)s follows its service level agreements "
                    "and their compliance."
                )
                % {"inviter": inviter, "portal": settings.SLM_PORTAL_NAME, "customer": customer.name},
                _("Open this link to choose your username and password:"),
                link,
                _("The link works once and expires on %(expires)s.") % {"expires": expires},
            ]
        )
    send_mail(subject, text, None, [invitation.email], fail_silently=False)


def acceptance_problem(invitation, now=None):
    """Why the invitation cannot be accepted now, or None."""
    now = now or timezone.now()
    if invitation is None:
        return _("This invitation link is not valid. Ask for a new invitation.")
    if invitation.accepted_at is not None:
        return _("This invitation was used already. Log in with the account it created, or ask for a new one.")
    if invitation.withdrawn_at is not None:
        return _("This invitation was withdrawn. Ask for a new invitation.")
    if invitation.expires_at <= now:
        return _("This invitation expired. Ask for a new invitation.")
    return address_problem(invitation.customer, invitation.email)


def accept(token, *, username, password, first_name="", last_name=""):
    """Create the invited person's account and membership; returns the user. All or nothing: raises
    InvitationRefused, with nothing created, when the invitation cannot be accepted (checked again under a lock,
    so a link opened twice at once creates one account)."""
    try:
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().by_token(token)
            problem = acceptance_problem(invitation)
            if problem:
                raise InvitationRefused(problem)
            user = get_user_model().objects.create_user(
                username=username,
                email=invitation.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
            Membership.objects.create(user=user, customer=invitation.customer)
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
    except IntegrityError as error:
        raise InvitationRefused(_("That username is taken; choose another.")) from error
    return user
