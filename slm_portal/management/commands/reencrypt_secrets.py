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
        stored = [
            # (rows holding a secret, its field, how a refusal names a row's)
            (AuthenticatorDevice.objects.select_related("user"), "encrypted_key",
             lambda device: f"the key of authenticator app {device.pk} ({login_name(device.user)})"),
            (PrometheusSource.objects.exclude(secret_encrypted=""), "secret_encrypted",
             lambda source: f"the secret of Prometheus source {source.code}"),
        ]  # fmt: skip
        unreadable, changed = [], []
        with transaction.atomic():
            for rows, field, name in stored:
                count = 0
                for row in rows.select_for_update(of=("self",)).order_by("pk"):
                    try:
                        setattr(row, field, encryption.reencrypt(getattr(row, field)))
                    except encryption.UnreadableSecret:
                        unreadable.append(name(row))
                        continue
                    row.save(update_fields=[field])
                    count += 1
                changed.append(count)
            if unreadable:  # raised inside the transaction: nothing is changed
                raise CommandError(refusal(unreadable))
        devices, sources = changed
        self.stdout.write(
            self.style.SUCCESS(
                f"{devices} authenticator app key(s) and {sources} Prometheus source secret(s) encrypted with the "
                "current key."
            )
        )
