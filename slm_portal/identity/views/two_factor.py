"""Two-factor sign-in pages: enter a code, enrol an authenticator app, recovery codes shown once, turn it on or off."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.formatting import login_name
from slm_portal.identity import two_factor
from slm_portal.identity.forms.two_factor import CodeForm
from slm_portal.identity.models import RecoveryCodeDevice


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("home")


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@login_required
def code(request):
    """Enter your code: the page every held request is sent to after sign-in."""
    next_url = _next_url(request)
    if not two_factor.has_two_factor(request.user):
        return redirect(_with_next("identity:two_factor_setup", next_url))
    if two_factor.session_is_verified(request):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, error = two_factor.check_code(request.user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", error)
        else:
            two_factor.mark_verified(request, device)
            if isinstance(device, RecoveryCodeDevice):
                left = device.unused_count()
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(left)d are left. Make new ones on the two-factor page.")
                    % {"left": left},
                )
            return redirect(next_url)
    return render(request, "identity/two_factor_code.html", {"form": form, "next": next_url})


@login_required
def setup(request):
    """Enrol an authenticator app: QR code and the secret as text, confirmed with a first code."""
    next_url = _next_url(request)
    if two_factor.has_two_factor(request.user):
        return redirect("identity:two_factor")
    device = two_factor.pending_authenticator(request.user)
    form = CodeForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        error = two_factor.confirm_authenticator(request, device, form.cleaned_data["code"])
        if error is None:
            messages.success(request, _("Two-factor sign-in is on. Keep your recovery codes somewhere safe."))
            return redirect(_with_next("identity:two_factor_recovery_codes", next_url))
        form.add_error("code", error)
    uri = two_factor.setup_uri(device)
    context = {
        "form": form,
        "next": next_url,
        "required": two_factor.must_use_two_factor(request.user),
        "qr_code": two_factor.qr_code_svg(uri),
        "secret": two_factor.secret_text(device),
    }
    return render(request, "identity/two_factor_setup.html", context)


@login_required
def recovery_codes(request):
    """The recovery codes just made, shown this once (with a text file to download); never shown again."""
    codes = request.session.pop(two_factor.NEW_CODES_SESSION_KEY, None)
    heading = _("SLM Portal recovery codes for %(user)s") % {"user": login_name(request.user)}
    text = "\r\n".join([heading, "", *(codes or [])])
    return render(
        request,
        "identity/two_factor_recovery_codes.html",
        {"codes": codes, "download": text, "next": _next_url(request)},
    )


@login_required
def manage(request):
    """The person's two-factor page: on or off, recovery codes left, regenerate, turn off."""
    user = request.user
    enabled = two_factor.has_two_factor(user)
    recovery = RecoveryCodeDevice.objects.filter(user=user).first()
    context = {
        "enabled": enabled,
        "required": two_factor.must_use_two_factor(user),
        "codes_left": recovery.unused_count() if recovery else 0,
        "off_form": CodeForm(recovery=False, auto_id="off_%s"),
    }
    return render(request, "identity/two_factor.html", context)


@login_required
@require_POST
def regenerate(request):
    if not two_factor.has_two_factor(request.user):
        raise PermissionDenied(_("Turn two-factor sign-in on first."))
    two_factor.issue_recovery_codes(request, request.user)
    messages.success(request, _("New recovery codes are ready; the old ones no longer work."))
    return redirect("identity:two_factor_recovery_codes")


@login_required
@require_POST
def turn_off(request):
    """Turn two-factor sign-in off: asks for a current code. Admins and service managers may not."""
    user = request.user
    if two_factor.must_use_two_factor(user):
        raise PermissionDenied(_("Admins and service managers must use two-factor sign-in; it cannot be turned off."))
    if not two_factor.has_two_factor(user):
        return redirect("identity:two_factor")
    form = CodeForm(request.POST, recovery=False, auto_id="off_%s")
    if form.is_valid():
        typed = "".join(form.cleaned_data["code"].split())
        # Only the app's code turns it off (a recovery code is for signing in without the phone).
        device, error = None, _("Enter the 6-digit code your authenticator app shows.")
        if two_factor.TOTP_CODE.match(typed):
            device, error = two_factor.check_code(user, typed)
        if device is not None:
            two_factor.turn_off(user)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("identity:two_factor")
        form.add_error("code", error)
    recovery = RecoveryCodeDevice.objects.filter(user=user).first()
    context = {
        "enabled": True,
        "required": False,
        "codes_left": recovery.unused_count() if recovery else 0,
        "off_form": form,
    }
    return render(request, "identity/two_factor.html", context, status=400)
