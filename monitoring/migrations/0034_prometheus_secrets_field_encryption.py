"""Prometheus sources' stored secrets move to the portal's field encryption (``core.encryption``: a key derived with
HKDF-SHA256 from SLM_FIELD_ENCRYPTION_KEY, or else from SECRET_KEY, changed with SLM_FIELD_ENCRYPTION_OLD_KEYS and
``manage.py reencrypt_secrets``). They were encrypted with a Fernet key of their own, the SHA-256 of a label and
SECRET_KEY, which nothing could rotate. A secret that neither SECRET_KEY nor one of SECRET_KEY_FALLBACKS reads was
unreadable before as well: it is left as it is, and the source's pulls go on saying it must be saved again. Reversed,
the secrets go back to the earlier key; one the keys in use do not read is left as it is too."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import migrations

from core import encryption

EARLIER_LABEL = b"slm-portal prometheus secret\x00"


def earlier_fernet(secret_key):
    """The Fernet the secrets were encrypted with before, under ``secret_key``."""
    digest = hashlib.sha256(EARLIER_LABEL + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _stored(apps):
    source = apps.get_model("monitoring", "PrometheusSource")
    return source, source.objects.exclude(secret_encrypted="").order_by("pk")


def to_field_encryption(apps, schema_editor):
    source, stored = _stored(apps)
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    earlier = MultiFernet([earlier_fernet(secret_key) for secret_key in secret_keys])
    for row in stored:
        try:
            clear = earlier.decrypt(row.secret_encrypted.encode())
        except InvalidToken:
            continue
        source.objects.filter(pk=row.pk).update(secret_encrypted=encryption.encrypt(clear))


def to_earlier_key(apps, schema_editor):
    source, stored = _stored(apps)
    earlier = earlier_fernet(settings.SECRET_KEY)
    for row in stored:
        try:
            clear = encryption.decrypt(row.secret_encrypted)
        except encryption.UnreadableSecret:
            continue
        source.objects.filter(pk=row.pk).update(secret_encrypted=earlier.encrypt(clear).decode())


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0033_ticket_rank_redundant_indexes_dropped")]

    operations = [migrations.RunPython(to_field_encryption, to_earlier_key)]
