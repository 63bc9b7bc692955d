"""Sign-off pages: a manager sends the agreement's terms, the customer reads the frozen copy and answers; managers
say which of a customer's people may sign."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.forms import SendForSignOffForm, SignOffAnswerForm
from agreements.models import Agreement, Customer, Membership, SignOff
from agreements.signoffs import (
    SignOffRefused,
    answer,
    may_sign,
    send_for_sign_off,
    sending_problems,
    sign_off_state,
)
from agreements.terms import differences, freeze, readable, terms_hash
from core.formatting import person_name
from core.mixins import posted
from core.tenancy import ReadOnly, require_permission


@login_required
def sign_off_create(request, code):
    """Show the terms as they would be frozen, and send them (POST). Refused steps answer 409 with the reasons."""
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    require_permission(request.user, "agreements.add_signoff")
    form = SendForSignOffForm(posted(request))
    terms = freeze(agreement)
    problems = sending_problems(agreement, terms_hash(terms))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sign_off = send_for_sign_off(agreement, request.user, form.cleaned_data["message"])
        except SignOffRefused as refusal:
            problems, status = refusal.messages, 409
        else:
            messages.success(
                request,
                _("Version %(version)s of %(code)s was sent to %(customer)s for sign-off.")
                % {"version": sign_off.version, "code": agreement.code, "customer": agreement.customer.name},
            )
            return redirect(sign_off)
    elif request.method == "POST" and problems:
        status = 409
    state = sign_off_state(agreement)
    return render(
        request,
        "agreements/sign_off_send.html",
        {
            "agreement": agreement,
            "form": form,
            "problems": problems,
            "terms": readable(terms),
            "state": state,
            "signers": _signers(agreement),
        },
        status=status,
    )


def _signers(agreement):
    """Names of the customer's active people who may sign."""
    memberships = Membership.objects.filter(
        customer_id=agreement.customer_id, may_sign_agreements=True, user__is_active=True
    ).select_related("user")
    return sorted(person_name(membership.user) for membership in memberships)


@login_required
def sign_off_detail(request, code, pk):
    """The frozen terms of one request, what it was answered; the customer's person who may sign answers (POST)."""
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    sign_off = get_object_or_404(
        SignOff.objects.for_user(request.user).select_related("requested_by", "decided_by"),
        agreement=agreement,
        pk=pk,
    )
    can_answer = sign_off.is_pending and may_sign(request.user, agreement)
    if request.method == "POST" and not may_sign(request.user, agreement):
        raise ReadOnly  # a manager, another person of the customer, or one without the right: nothing is stored
    form = SignOffAnswerForm(posted(request)) if can_answer or request.method == "POST" else None
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if not sign_off.is_pending:
            form.add_error(None, _("This request is no longer waiting for an answer."))
            status = 409
        elif valid:
            try:
                answer(sign_off, request.user, form.accepts, form.cleaned_data["comment"])
            except SignOffRefused as refusal:
                for reason in refusal.messages:
                    form.add_error(None, reason)
                status = 409
            else:
                done = _("You signed version %(version)s.") if form.accepts else _("You rejected version %(version)s.")
                messages.success(request, done % {"version": sign_off.version})
                return redirect(sign_off)
    current = freeze(agreement)
    changed = differences(sign_off.terms, current) if terms_hash(current) != sign_off.terms_hash else []
    return render(
        request,
        "agreements/sign_off_detail.html",
        {
            "agreement": agreement,
            "sign_off": sign_off,
            "terms": readable(sign_off.terms),
            "form": form,
            "changed": changed,
            "may_sign": may_sign(request.user, agreement),
        },
        status=status,
    )


@login_required
@require_POST
def membership_signing(request, code, pk):
    """Give or take a customer's person the right to sign agreements (managers; POST ``may_sign`` = 1 or 0)."""
    customer = get_object_or_404(Customer.objects.for_user(request.user), code=code)
    membership = get_object_or_404(customer.memberships.select_related("user"), pk=pk)
    require_permission(request.user, "agreements.change_membership")
    membership.may_sign_agreements = request.POST.get("may_sign") == "1"
    membership.save(update_fields=["may_sign_agreements"])
    text = (
        _("%(name)s may now sign agreements of %(customer)s.")
        if membership.may_sign_agreements
        else _("%(name)s may no longer sign agreements of %(customer)s.")
    )
    messages.success(request, text % {"name": person_name(membership.user), "customer": customer.name})
    return redirect(f"{customer.get_absolute_url()}#people")
