"""The login page as a locked-out person sees it (django-axes' AXES_LOCKOUT_CALLABLE)."""

import math

from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from slm_portal.identity import oidc
from slm_portal.identity.client import client_ip
from slm_portal.identity.forms.sign_in import PasswordSignInForm


def locked_until(username, ip_address):
    """When the lockout of this username from this address ends: the last failure plus the cool-off time."""
    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip_address).order_by("-attempt_time").first()
    last = attempt.attempt_time if attempt is not None else timezone.now()
    return last + settings.AXES_COOLOFF_TIME


def locked_out(request, original_response=None, credentials=None):
    """429 with the login form and a message that says the account is locked for now and when to try again."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = locked_until(username, client_ip(request))
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    form = PasswordSignInForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_until": until,
        "locked_minutes": minutes,
        "next": request.POST.get("next", ""),
        "providers": oidc.providers(),  # single sign-on is not locked: its buttons stay
    }
    return render(request, "registration/login.html", context, status=429)
