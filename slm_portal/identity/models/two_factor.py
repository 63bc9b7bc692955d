"""The devices of two-factor sign-in: the authenticator app, its key encrypted at rest, and recovery codes, kept as
hashes.

django-otp's ``TOTPDevice`` (otp_totp) keeps its key in clear; ``AuthenticatorDevice`` is a django-otp device of the
portal's own (django-otp's documented way to extend it: a model derived from ``Device``) with the same fields and
django-otp's own code check, but its key stored encrypted (``core.encryption``) and decrypted only to compute a code.
django-otp's static device (otp_static) stores its codes as typed; here each recovery code is stored as its SHA-256
and compared by hash, like the portal's API tokens. See docs/decisions/0009-two-factor.md.
"""

import hashlib
import os
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import encryption

KEY_BYTES = 20  # as django-otp's TOTPDevice makes them (RFC 4226 recommends 160 bits)


def new_encrypted_key():
    """A new random key, encrypted: what a new authenticator starts with."""
    return encryption.encrypt(os.urandom(KEY_BYTES))


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A person's authenticator app (TOTP, RFC 6238). Its fields and code check are django-otp's ``TOTPDevice``'s
    (a tolerance of one step, no code accepted twice, drift, throttling of wrong guesses); its key is kept encrypted
    in ``encrypted_key`` and ``bin_key`` decrypts it (``core.encryption.UnreadableSecret`` when no key in use can)."""

    encrypted_key = models.TextField(editable=False, default=new_encrypted_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    # django-otp's own TOTP check and throttle, reading ``bin_key`` and the fields above.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self):
        return encryption.decrypt(self.encrypted_key, what=f"The key of authenticator app {self.pk}")

    def set_key(self, key):
        """Keep ``key`` (bytes) encrypted with the current key."""
        self.encrypted_key = encryption.encrypt(bytes(key))


RECOVERY_CODE_COUNT = 10
# Twelve characters of 31 that cannot be mistaken for one another (no i, l, o, 0, 1): 59 random bits per code, too
# many to try against a stolen hash, so one SHA-256 is enough (a slow password hash would make every sign-in with a
# code hash ten times slowly).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 12


def normalise_recovery_code(code):
    """What a person types, as it was hashed: lower case, without the dashes and spaces that group it."""
    return "".join(code.split()).replace("-", "").lower()


def hash_recovery_code(code):
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def new_recovery_code():
    letters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(letters[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A person's set of one-time recovery codes: for signing in when the authenticator app is out of reach."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta(Device.Meta):
        verbose_name = _("recovery code set")
        verbose_name_plural = _("recovery code sets")

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def set_new_codes(self):
        """Replace every code of the set by fresh ones and return them in plain text: shown once, never kept."""
        codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        with transaction.atomic():
            self.codes.all().delete()
            RecoveryCode.objects.bulk_create(RecoveryCode(device=self, digest=hash_recovery_code(c)) for c in codes)
        return codes

    def find(self, code):
        """The stored code that ``code`` is (used or not), or None."""
        return self.codes.filter(digest=hash_recovery_code(code)).first()

    def unused_count(self):
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token):
        """True, and the code is used up, when ``token`` is one of the set's unused codes."""
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        used = RecoveryCode.objects.filter(device=self, digest=hash_recovery_code(token), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    """One recovery code: its SHA-256 only, and when it was used (a used code never works again)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("recovery code")
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="identity_recovery_code_once")]

    def __str__(self):
        return f"{self.digest[:8]}…"
