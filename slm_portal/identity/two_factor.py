"""Two-factor sign-in: who must use it, whether a session has passed it, and checking a code.

A session has passed when it holds ``VERIFIED_SESSION_KEY`` with the signed-in person's id. Every sign-in, by any
path that ends in ``django.contrib.auth.login`` (the password form, single sign-on, a directory), clears it, so the
second factor is asked after each one. Reading it costs no query; deciding whether an unverified person must pass
costs one or two (their groups, their authenticator), which the middleware asks only of unverified sessions.

Codes are checked by django-otp devices: the authenticator app's ``AuthenticatorDevice`` (django-otp's TOTP check:
it refuses a code of a time step it has already accepted, so a code cannot be replayed, and throttles wrong guesses;
its key is kept encrypted) and the person's ``RecoveryCodeDevice``. A refused code is explained: wrong, already used,
expired, or too many attempts. An authenticator whose key the portal cannot decrypt (the encryption key was changed
without listing the old one) is reported to the person and logged, and never passes.
"""

import base64
import logging
import re
import time
from urllib.parse import quote

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import hotp

from core.encryption import UnreadableSecret
from core.formatting import login_name
from core.tenancy import is_service_manager
from slm_portal.identity.models import AuthenticatorDevice, RecoveryCodeDevice

logger = logging.getLogger(__name__)

VERIFIED_SESSION_KEY = "identity_two_factor_verified"
# The recovery codes just made, kept in the session only until the page that shows them once has been rendered.
NEW_CODES_SESSION_KEY = "identity_two_factor_new_codes"
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# An expired code is told apart from a wrong one within this many steps (ten minutes of 30-second steps).
EXPIRED_LOOKBACK_STEPS = 20

TOTP_CODE = re.compile(r"^\d{6}$")


def must_use_two_factor(user):
    """Admins (staff, superusers) and service managers: they may not sign in without a second factor."""
    return bool(user.is_staff or user.is_superuser or is_service_manager(user))


def authenticator_of(user, confirmed=True):
    return AuthenticatorDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_two_factor(user):
    """True once the person has confirmed an authenticator app (customers turn it on for themselves)."""
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(user):
    return must_use_two_factor(user) or has_two_factor(user)


def session_is_verified(request):
    return request.session.get(VERIFIED_SESSION_KEY) == request.user.pk


def mark_verified(request, device):
    """The session has passed the second factor, with ``device``."""
    request.session[VERIFIED_SESSION_KEY] = request.user.pk
    django_otp.login(request, device)


def forget_verification(sender, request, user, **kwargs):
    """user_logged_in receiver: a new sign-in asks for the second factor again, even in a session that had passed."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(VERIFIED_SESSION_KEY, None)
        request.session.pop(NEW_CODES_SESSION_KEY, None)


def drop_recovery_codes_with_last_authenticator(sender, instance, **kwargs):
    """post_delete receiver of AuthenticatorDevice: an admin who deletes a person's authenticator app in Django admin
    (a lost phone) turns two-factor sign-in off for them, recovery codes included; a manager then enrols again."""
    if not AuthenticatorDevice.objects.filter(user_id=instance.user_id, confirmed=True).exists():
        RecoveryCodeDevice.objects.filter(user_id=instance.user_id).delete()


# --- enrolment --------------------------------------------------------------------------------------------------------


def pending_authenticator(user):
    """The authenticator app being enrolled: one unconfirmed device per person, kept while the QR code is shown so
    that reloading the page does not change the secret."""
    device = authenticator_of(user, confirmed=False)
    if device is not None and not readable(device):
        device.delete()  # never confirmed: a new key is shown instead
        device = None
    if device is None:
        device = AuthenticatorDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def readable(device):
    """True when the portal can decrypt the device's key; logs why not otherwise."""
    try:
        device.bin_key  # noqa: B018 - decrypted to know whether it can be
    except UnreadableSecret as error:
        logger.error("Two-factor sign-in: %s", error)
        return False
    return True


def verify(device, code):
    """``device.verify_token(code)``; None (logged, not counted as a wrong guess) when its key cannot be decrypted."""
    try:
        return device.verify_token(code)
    except UnreadableSecret as error:
        logger.error("Two-factor sign-in: %s", error)
        return None


def unreadable_message():
    return _(
        "Your authenticator app cannot be checked now: the portal cannot read its key. Tell the portal's "
        "administrator; a recovery code still signs you in."
    )


def secret_text(device):
    """The key as an authenticator app takes it typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def setup_uri(device):
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    issuer = settings.SLM_PORTAL_NAME.replace(":", "")
    label = f"{issuer}:{login_name(device.user)}"
    return f"otpauth://totp/{quote(label)}?secret={key}&issuer={quote(issuer)}&algorithm=SHA1&digits=6&period=30"


def qr_code_svg(text):
    """The QR code of ``text`` as an inline SVG element (no script, no style attribute: it passes the CSP)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def confirm_authenticator(request, device, code):
    """Confirm the pending authenticator with its first code. Returns an error message, or None when confirmed; then
    the person has two-factor sign-in, this session has passed it, and new recovery codes wait in the session."""
    code = "".join(code.split())
    if not TOTP_CODE.match(code):
        return _("Enter the 6-digit code your authenticator app shows.")
    with transaction.atomic():
        device = AuthenticatorDevice.objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        if not allowed:
            return throttled_message(details)
        verified = verify(device, code)
        if verified is None:
            return unreadable_message()
        if not verified:
            return totp_refusal(device, code)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        AuthenticatorDevice.objects.filter(user=device.user, confirmed=False).delete()
        AuthenticatorDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    mark_verified(request, device)
    issue_recovery_codes(request, device.user)
    return None


def issue_recovery_codes(request, user):
    """A new set of recovery codes for ``user`` (the old ones stop working), put aside to be shown once."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_NAME, "confirmed": True}
    )
    request.session[NEW_CODES_SESSION_KEY] = device.set_new_codes()


def turn_off(user):
    AuthenticatorDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()


# --- checking a code --------------------------------------------------------------------------------------------------


def check_code(user, code):
    """(device, None) when ``code`` is a valid code of the person's authenticator app or one of their unused recovery
    codes (which is then used up); (None, message) otherwise, the message saying why."""
    code = code.strip()
    compact = "".join(code.split())
    with transaction.atomic():
        if TOTP_CODE.match(compact):
            device = (
                AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
            )
            if device is None:
                return None, _("You have no authenticator app yet.")
            allowed, details = device.verify_is_allowed()
            if not allowed:
                return None, throttled_message(details)
            verified = verify(device, compact)
            if verified is None:
                return None, unreadable_message()
            if verified:
                return device, None
            return None, totp_refusal(device, compact)
        device = RecoveryCodeDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None or not compact:
            return None, _("That is not a code: enter the 6 digits your app shows, or a recovery code.")
        allowed, details = device.verify_is_allowed()
        if not allowed:
            return None, throttled_message(details)
        if device.verify_token(compact):
            return device, None
        stored = device.find(compact)
        if stored is not None and stored.used_at is not None:
            return None, _("That recovery code has already been used; each one works once. Use another.")
        return None, _("That recovery code is not one of yours. Check it, or enter the code your app shows.")


def totp_refusal(device, code):
    """Why a 6-digit code the device refused is wrong: used already (a replay), expired, or simply wrong."""
    token = int(code)
    key = device.bin_key  # decrypted once
    now_t = (int(time.time()) - device.t0) // device.step + device.drift
    for t in range(now_t - device.tolerance, now_t + device.tolerance + 1):
        if t <= device.last_t and hotp(key, t, device.digits) == token:
            return _("That code has already been used. Wait for your app to show the next one, then enter it.")
    for t in range(now_t - EXPIRED_LOOKBACK_STEPS, now_t - device.tolerance):
        if hotp(key, t, device.digits) == token:
            return _(
                "That code has expired. Enter the code your app shows now (check that your phone's clock is right)."
            )
    return _("That code is wrong. Enter the 6 digits your authenticator app shows now.")


def throttled_message(details):
    seconds = 1
    if details and details.get("locked_until"):
        seconds = max(1, int((details["locked_until"] - timezone.now()).total_seconds() + 0.999))
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second before you try again.",
        "Too many wrong codes. Wait %(seconds)d seconds before you try again.",
        seconds,
    ) % {"seconds": seconds}
