"""The people of a customer: its customer administrators and service managers list them with their last sign-in,
invite people by e-mail, deactivate and reactivate them and name other customer administrators."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.forms import InvitationForm
from agreements.models import Customer
from agreements.people import (
    InvitationRefused,
    administered_customer_id,
    invitation_days,
    invite,
    may_change_person,
    may_manage_people,
)
from core.formatting import person_name
from core.mixins import posted


def _customer_for_people(request, code):
    """The customer through ``.for_user()`` (404 for another organisation's), then 403 unless the person may
    manage its people."""
    customer = get_object_or_404(Customer.objects.for_user(request.user), code=code)
    if not may_manage_people(request.user, customer):
        raise PermissionDenied
    return customer


def _portal_url(request):
    return settings.SLM_PORTAL_URL if settings.SLM_PORTAL_URL_IS_SET else request.build_absolute_uri("/")


def _record_query(user, customer):
    """The query that opens the sign-in record on this organisation, or None for those who do not read it."""
    if user.has_perm("identity.view_signinevent"):
        return f"?customer={customer.code}"
    return "" if administered_customer_id(user) == customer.pk else None


@login_required
def people(request, code):
    """The list (GET) and an invitation (POST ``email``)."""
    customer = _customer_for_people(request, code)
    form = InvitationForm(posted(request), customer=customer)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = invite(customer, form.cleaned_data["email"], request.user, _portal_url(request))
            except InvitationRefused as refusal:
                form.add_error("email", str(refusal))
                status = 400
            else:
                messages.success(
                    request,
                    _("An invitation was sent to %(email)s; its link works for %(days)s days.")
                    % {"email": invitation.email, "days": invitation_days()},
                )
                return redirect("agreements:people", code=customer.code)
        else:
            status = 400
    members = list(customer.memberships.select_related("user").order_by("user__username"))
    for member in members:
        member.refusal = may_change_person(request.user, member)
    context = {
        "customer": customer,
        "members": members,
        "invitations": customer.invitations.pending().select_related("invited_by"),
        "form": form,
        "invitation_days": invitation_days(),
        "record_query": _record_query(request.user, customer),
    }
    return render(request, "agreements/people.html", context, status=status)


def _member_to_change(request, code, pk):
    customer = _customer_for_people(request, code)
    membership = get_object_or_404(customer.memberships.select_related("user"), pk=pk)
    refusal = may_change_person(request.user, membership)
    if refusal:
        raise PermissionDenied(refusal)
    return customer, membership


@login_required
@require_POST
def person_active(request, code, pk):
    """Deactivate (POST ``active`` = 0) or reactivate (1) a person's account: a deactivated one cannot sign in."""
    customer, membership = _member_to_change(request, code, pk)
    person = membership.user
    person.is_active = request.POST.get("active") == "1"
    person.save(update_fields=["is_active"])
    text = _("%(name)s can sign in again.") if person.is_active else _("%(name)s is deactivated and cannot sign in.")
    messages.success(request, text % {"name": person_name(person)})
    return redirect("agreements:people", code=customer.code)


@login_required
@require_POST
def person_admin(request, code, pk):
    """Make a person a customer administrator of their organisation (POST ``admin`` = 1), or no longer (0)."""
    customer, membership = _member_to_change(request, code, pk)
    membership.is_admin = request.POST.get("admin") == "1"
    membership.save(update_fields=["is_admin"])
    text = (
        _("%(name)s is now a customer administrator of %(customer)s.")
        if membership.is_admin
        else _("%(name)s is no longer a customer administrator of %(customer)s.")
    )
    messages.success(request, text % {"name": person_name(membership.user), "customer": customer.name})
    return redirect("agreements:people", code=customer.code)


@login_required
@require_POST
def invitation_withdraw(request, code, pk):
    """Withdraw a pending invitation: its link stops working."""
    customer = _customer_for_people(request, code)
    invitation = get_object_or_404(customer.invitations.pending(), pk=pk)
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("agreements:people", code=customer.code)
