"""Accepting an invitation: the invited person chooses a username and password, and is signed in."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from agreements.models import Invitation
from agreements.people import InvitationRefused, accept, acceptance_problem
from core.mixins import posted
from slm_portal.identity.forms.invitations import AcceptInvitationForm

LOCAL_ACCOUNT_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request, token):
    """GET shows the form (or why the link no longer works, 410); POST creates the account and signs it in."""
    if request.user.is_authenticated:
        messages.info(request, _("You are signed in already; log out first to accept an invitation for someone else."))
        return redirect("home")
    invitation = Invitation.objects.by_token(token)
    problem = acceptance_problem(invitation)
    if problem:
        return render(request, "identity/invitation_accept.html", {"problem": problem}, status=410)
    form = AcceptInvitationForm(posted(request), email=invitation.email)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = accept(
                    token,
                    username=data["username"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            except InvitationRefused as refusal:
                form.add_error(None, str(refusal))
                status = 409
            else:
                login(request, user, backend=LOCAL_ACCOUNT_BACKEND)
                messages.success(
                    request, _("Welcome to %(customer)s's portal.") % {"customer": invitation.customer.name}
                )
                return redirect("home")
        else:
            status = 400
    return render(request, "identity/invitation_accept.html", {"form": form, "invitation": invitation}, status=status)
