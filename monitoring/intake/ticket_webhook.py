"""Signed webhook deliveries of ticket events: who sent them, when, and that they are not sent twice.

A service desk signs each delivery with its signing key (``TicketSource.signing_key``, shown once beside its token):

    X-SLM-Timestamp: 1796169600                      (Unix seconds when the delivery was signed)
    X-SLM-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the signing key>

The key is the ASCII text of the hex string, used as it is. A delivery is refused when the signature does not match
(compared in constant time), when its timestamp is more than ``TOLERANCE`` away from the portal's clock either way,
and when the same signature was stored before (a replay). Stored deliveries are remembered for ``REMEMBERED``; any
replay after that carries a timestamp long refused as stale.
"""

import datetime as dt
import hashlib
import hmac
import re

from django.db import IntegrityError, transaction

from monitoring.models import TicketWebhookDelivery

TOLERANCE = dt.timedelta(minutes=5)
REMEMBERED = dt.timedelta(days=1)
TIMESTAMP_HEADER = "X-SLM-Timestamp"
SIGNATURE_HEADER = "X-SLM-Signature"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


class DeliveryRefused(Exception):
    """A delivery the portal does not take; ``replay`` tells a repeated delivery from a forged or stale one."""

    def __init__(self, message, *, replay=False):
        super().__init__(message)
        self.replay = replay


def signature(key, timestamp, body):
    """The ``X-SLM-Signature`` value of ``body`` (bytes) sent at ``timestamp`` (Unix seconds) under ``key``."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def verify(key, timestamp_header, signature_header, body, now):
    """Check a delivery's headers against its raw ``body``; returns the signature's hex digest (lower case), or
    raises DeliveryRefused saying what is wrong. ``now`` is an aware datetime."""
    if not timestamp_header:
        raise DeliveryRefused(f"{TIMESTAMP_HEADER} is missing: Unix seconds when the delivery was signed")
    if not _TIMESTAMP.fullmatch(timestamp_header):
        raise DeliveryRefused(f"{TIMESTAMP_HEADER} must be Unix seconds, such as 1796169600")
    if not signature_header:
        raise DeliveryRefused(f'{SIGNATURE_HEADER} is missing: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">')
    given = _SIGNATURE.fullmatch(signature_header)
    if given is None:
        raise DeliveryRefused(f"{SIGNATURE_HEADER} must be sha256= and 64 hexadecimal digits")
    expected = signature(key, timestamp_header, body).removeprefix("sha256=")
    digest = given.group(1).lower()
    if not hmac.compare_digest(expected, digest):
        raise DeliveryRefused("the signature does not match the body and timestamp under this desk's signing key")
    signed_at = dt.datetime.fromtimestamp(int(timestamp_header), dt.UTC)
    if abs(now - signed_at) > TOLERANCE:
        raise DeliveryRefused(
            f"the timestamp is {_minutes(now - signed_at)} away from the portal's clock; at most "
            f"{int(TOLERANCE.total_seconds() // 60)} minutes are taken"
        )
    if TicketWebhookDelivery.objects.filter(signature_hash=_hash(digest)).exists():
        raise DeliveryRefused("this delivery was received before; a replay is refused", replay=True)
    return digest


def remember(source, digest, now):
    """Record a stored delivery (call it in the transaction that stores its events, so that of two copies sent at
    once only one is stored), and forget deliveries older than ``REMEMBERED``."""
    TicketWebhookDelivery.objects.filter(received_at__lt=now - REMEMBERED).delete()
    try:
        with transaction.atomic():
            TicketWebhookDelivery.objects.create(source=source, signature_hash=_hash(digest), received_at=now)
    except IntegrityError:
        raise DeliveryRefused("this delivery was received before; a replay is refused", replay=True) from None


def _hash(digest):
    return hashlib.sha256(digest.encode()).hexdigest()


def _minutes(offset):
    seconds = abs(int(offset.total_seconds()))
    return f"{seconds // 60} min {seconds % 60} s"
