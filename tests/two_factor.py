"""Authenticator apps for tests: a device with a known key, and the code it shows at the test's clock.

The code is computed from the stored key with django-otp's own TOTP, at ``time.time()`` (which ``time_machine``
moves), so tests move the clock instead of sleeping.
"""

import time

from django_otp.oath import TOTP

from slm_portal.identity.models import AuthenticatorDevice
from slm_portal.identity.two_factor import must_use_two_factor

# 20 bytes, in hex; base32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ". Stored encrypted, like any key.
TEST_KEY = "3132333435363738393031323334353637383930"


def give_authenticator(user, key=TEST_KEY, tolerance=1):
    """A confirmed authenticator app for ``user`` (their existing one if they have it)."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AuthenticatorDevice(user=user, name="Authenticator app", tolerance=tolerance)
        device.set_key(bytes.fromhex(key))
        device.save()
    return device


def code_at(device, at=None, steps=0):
    """The 6 digits ``device``'s app shows at ``at`` (default: now), ``steps`` time steps later (or earlier)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (time.time() if at is None else at) + steps * device.step
    return f"{totp.token():06d}"


def fresh_code(device):
    """A code the device has not accepted yet: now's, or the next step's when now's was just used (within the
    device's tolerance, so two sign-ins in one 30-second step both work)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    steps = max(0, device.last_t + 1 - totp.t())
    if steps > device.tolerance:
        raise AssertionError(f"{device} accepted codes {steps} steps ahead; widen its tolerance for this test")
    return code_at(device, steps=steps)


def needs_code(user):
    return must_use_two_factor(user) or AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()
