from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import encryption
from core.formatting import login_name
from slm_portal.identity.models import AuthenticatorDevice


class Command(BaseCommand):
    help = (
        "Encrypt every secret kept encrypted (authenticator apps' keys) again with the current key "
        "(SLM_FIELD_ENCRYPTION_KEY, or SECRET_KEY when it is empty), reading them with it or with an old key "
        "(SLM_FIELD_ENCRYPTION_OLD_KEYS). Afterwards the old keys may be removed. All or nothing."
    )

    def handle(self, *args, **options):
        unreadable, changed = [], 0
        with transaction.atomic():
            for device in AuthenticatorDevice.objects.select_for_update().order_by("pk"):
                try:
                    device.encrypted_key = encryption.reencrypt(device.encrypted_key)
                except encryption.UnreadableSecret:
                    unreadable.append(f"{device.pk} ({login_name(device.user)})")
                    continue
                device.save(update_fields=["encrypted_key"])
                changed += 1
            if unreadable:  # raised inside the transaction: nothing is changed
                raise CommandError(
                    f"{encryption.UnreadableSecret('The key of authenticator app(s) ' + ', '.join(unreadable))} "
                    "Nothing was changed."
                )
        self.stdout.write(self.style.SUCCESS(f"{changed} authenticator app key(s) encrypted with the current key."))
