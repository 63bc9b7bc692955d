"""Secrets kept encrypted at rest in the database (authenticator apps' keys, Prometheus sources' tokens and
passwords): Fernet (AES-128-CBC with HMAC-SHA256) from the ``cryptography`` package.

The key is derived with HKDF-SHA256 from the setting ``SLM_FIELD_ENCRYPTION_KEY``, or, when it is empty, from
``SECRET_KEY``. Rotation: a new key encrypts, and the old ones still decrypt when listed in
``SLM_FIELD_ENCRYPTION_OLD_KEYS`` (with the ``SECRET_KEY`` fallback, Django's own ``SECRET_KEY_FALLBACKS`` count as
old keys too); ``manage.py reencrypt_secrets`` then encrypts every stored secret with the new key, after which the
old ones may go. A secret none of these keys decrypts raises ``UnreadableSecret``, whose message says which settings
to look at: it never passes for a wrong code or an empty key.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

HKDF_INFO = b"slm-portal field encryption v1"


# What a secret that cannot be read was tried with, as messages say it.
KEYS_TRIED = (
    "SLM_FIELD_ENCRYPTION_KEY (or SECRET_KEY when it is empty) nor with any key of SLM_FIELD_ENCRYPTION_OLD_KEYS"
)


class UnreadableSecret(Exception):
    """A stored secret that none of the configured keys decrypts."""

    def __init__(self, what="a secret stored encrypted"):
        super().__init__(
            f"{what} cannot be decrypted with {KEYS_TRIED}: it was encrypted with another key. Set that key back, or "
            "list it in SLM_FIELD_ENCRYPTION_OLD_KEYS."
        )


def derive_key(secret):
    """The Fernet key derived from ``secret`` (any text: a passphrase, a Fernet key, ``SECRET_KEY``)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


def secrets_in_use():
    """The texts keys are derived from: the one that encrypts first, then those that still decrypt."""
    current = getattr(settings, "SLM_FIELD_ENCRYPTION_KEY", "") or ""
    old = list(getattr(settings, "SLM_FIELD_ENCRYPTION_OLD_KEYS", ()) or ())
    if not current:
        current = settings.SECRET_KEY
        old += list(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ())
    return (current, *[secret for secret in old if secret and secret != current])


@functools.lru_cache(maxsize=8)
def _fernet(secrets):
    return MultiFernet([Fernet(derive_key(secret)) for secret in secrets])


def fernet():
    """The MultiFernet of the keys in use (built once per set of settings)."""
    return _fernet(secrets_in_use())


def encrypt(data):
    """``data`` (bytes) encrypted with the current key, as text for a database column."""
    return fernet().encrypt(data).decode("ascii")


def decrypt(token, what=None):
    """The bytes ``token`` holds; ``UnreadableSecret`` when no key in use decrypts it (``what`` names it)."""
    try:
        return fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise UnreadableSecret(*([what] if what else [])) from None


def reencrypt(token, what=None):
    """``token`` encrypted again with the current key (its content unchanged)."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise UnreadableSecret(*([what] if what else [])) from None
