from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import encryption
from core.formatting import login_name
from monitoring.models import PrometheusSource
from slm_portal.identity.models import AuthenticatorDevice

MOST_NAMED = 10


def refusal(unreadable):
    """The message of a refusal: how many secrets no key in use reads, the first ``MOST_NAMED`` of them, and what
    to do."""
    named = "; ".join(unreadable[:MOST_NAMED])
    if len(unreadable) > MOST_NAMED:
        named += f"; and {len(unreadable) - MOST_NAMED} more"
    return (
        f"{len(unreadable)} stored secret(s) cannot be decrypted with {encryption.KEYS_TRIED}: {named}. Set back the "
        "key they were encrypted with, or list it in SLM_FIELD_ENCRYPTION_OLD_KEYS; a Prometheus source's secret may "
        "instead be saved again on the source's page. Nothing was changed."
    )


class Command(BaseCommand):
    help = (
        "Encrypt every secret kept encrypted (authenticator apps' keys, Prometheus sources' tokens and passwords) "
        "again with the current key (SLM_FIELD_ENCRYPTION_KEY, or SECRET_KEY when it is empty), reading them with "
        "it or with an old key (SLM_FIELD_ENCRYPTION_OLD_KEYS). Afterwards the old keys may be removed. All or "
        "nothing."
    )

    def handle(self, *args, **options):
        unreadable, changed = [], {"devices": 0, "sources": 0}
        with transaction.atomic():
            for device in AuthenticatorDevice.objects.select_for_update().order_by("pk"):
                try:
                    device.encrypted_key = encryption.reencrypt(device.encrypted_key)
                except encryption.UnreadableSecret:
                    unreadable.append(f"the key of authenticator app {device.pk} ({login_name(device.user)})")
                    continue
                device.save(update_fields=["encrypted_key"])
                changed["devices"] += 1
            for source in PrometheusSource.objects.select_for_update().exclude(secret_encrypted="").order_by("pk"):
                try:
                    source.secret_encrypted = encryption.reencrypt(source.secret_encrypted)
                except encryption.UnreadableSecret:
                    unreadable.append(f"the secret of Prometheus source {source.code}")
                    continue
                source.save(update_fields=["secret_encrypted"])
                changed["sources"] += 1
            if unreadable:  # raised inside the transaction: nothing is changed
                raise CommandError(refusal(unreadable))
        self.stdout.write(
            self.style.SUCCESS(
                f"{changed['devices']} authenticator app key(s) and {changed['sources']} Prometheus source secret(s) "
                "encrypted with the current key."
            )
        )
