from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import encryption
from core.formatting import login_name
from monitoring.models import PrometheusSource
from slm_portal.identity.models import AuthenticatorDevice


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
                named = "; ".join(unreadable)
                raise CommandError(f"{encryption.UnreadableSecret(named[0].upper() + named[1:])} Nothing was changed.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{changed['devices']} authenticator app key(s) and {changed['sources']} Prometheus source secret(s) "
                "encrypted with the current key."
            )
        )
