"""Prometheus sources' tokens and passwords are kept as every stored secret is (core.encryption): under
SLM_FIELD_ENCRYPTION_KEY (or SECRET_KEY), readable with an old key listed in SLM_FIELD_ENCRYPTION_OLD_KEYS,
moved to the new key by `reencrypt_secrets`, and migration monitoring 0034 moves those kept under their former key of
their own (and back)."""

import importlib
import io

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core import encryption
from monitoring.models import PrometheusSource
from monitoring.models.prometheus import SecretUnavailable
from tests.two_factor import TEST_KEY, give_authenticator

migration = importlib.import_module("monitoring.migrations.0034_prometheus_secrets_field_encryption")

KEY_A = "first-field-key-0123456789-abcdefghijklmnop"
KEY_B = "second-field-key-9876543210-zyxwvutsrqponml"


def source_with(secret="", code="prom", **fields):
    source = PrometheusSource(name=code.title(), code=code, base_url="http://127.0.0.1:1", auth="bearer", **fields)
    source.set_secret(secret)
    source.save()
    return source


def stored(source):
    return PrometheusSource.objects.values_list("secret_encrypted", flat=True).get(pk=source.pk)


def test_a_secret_is_stored_under_the_field_encryption_key_and_never_in_clear(settings, db):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    source = source_with("s3cret-token")
    assert "s3cret-token" not in stored(source)
    assert Fernet(encryption.derive_key(KEY_A)).decrypt(stored(source).encode()) == b"s3cret-token"
    assert PrometheusSource.objects.get(pk=source.pk).secret() == "s3cret-token"


def test_an_old_key_listed_still_reads_and_without_it_the_message_names_the_settings(settings, db):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    source = source_with("s3cret-token")
    settings.SLM_FIELD_ENCRYPTION_KEY, settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = KEY_B, [KEY_A]
    assert source.secret() == "s3cret-token"
    settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = []
    with pytest.raises(SecretUnavailable) as unreadable:
        source.secret()
    message = str(unreadable.value)
    assert message.startswith("The secret of Prometheus source prom cannot be decrypted with SLM_FIELD_ENCRYPTION_KEY")
    assert "list it in SLM_FIELD_ENCRYPTION_OLD_KEYS" in message
    assert message.endswith("Or save the secret again.")


def test_reencrypt_secrets_moves_the_sources_secrets_to_the_new_key(settings, db):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    source = source_with("s3cret-token")
    source_with(code="env", secret_env="SLM_TEST_PROM_SECRET")  # nothing stored: not counted
    under_a = stored(source)
    settings.SLM_FIELD_ENCRYPTION_KEY, settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = KEY_B, [KEY_A]
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert (
        "0 authenticator app key(s) and 1 Prometheus source secret(s) encrypted with the current key." in out.getvalue()
    )
    assert stored(source) != under_a
    assert Fernet(encryption.derive_key(KEY_B)).decrypt(stored(source).encode()) == b"s3cret-token"
    settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = []
    assert PrometheusSource.objects.get(pk=source.pk).secret() == "s3cret-token"


def test_reencrypt_secrets_names_an_unreadable_source_secret_and_changes_nothing(settings, db, django_user_model):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    device = give_authenticator(django_user_model.objects.create(username="kim"))
    readable = source_with("s3cret-token", code="readable")
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_B
    lost = source_with("other-token", code="lost")
    settings.SLM_FIELD_ENCRYPTION_KEY, settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = KEY_A, []
    before = (stored(readable), stored(lost), type(device).objects.get(pk=device.pk).encrypted_key)
    with pytest.raises(CommandError) as refused:
        call_command("reencrypt_secrets")
    assert str(refused.value) == (
        "1 stored secret(s) cannot be decrypted with SLM_FIELD_ENCRYPTION_KEY (or SECRET_KEY when it is empty) nor "
        "with any key of SLM_FIELD_ENCRYPTION_OLD_KEYS: the secret of Prometheus source lost. Set back the key they "
        "were encrypted with, or list it in SLM_FIELD_ENCRYPTION_OLD_KEYS; a Prometheus source's secret may instead "
        "be saved again on the source's page. Nothing was changed."
    )
    assert (stored(readable), stored(lost), type(device).objects.get(pk=device.pk).encrypted_key) == before
    assert type(device).objects.get(pk=device.pk).bin_key.hex() == TEST_KEY


def test_reencrypt_secrets_counts_every_unreadable_secret_and_names_the_first_ten(settings, db):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_B
    for number in range(12):
        source_with(f"token-{number}", code=f"lost-{number:02}")
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    with pytest.raises(CommandError) as refused:
        call_command("reencrypt_secrets")
    message = str(refused.value)
    assert message.startswith("12 stored secret(s) cannot be decrypted")
    assert "the secret of Prometheus source lost-09; and 2 more. Set back" in message
    assert "lost-10" not in message


# --- migration monitoring 0034 ----------------------------------------------------------------------------------------


def test_the_migration_moves_secrets_from_their_former_key_and_its_reverse_moves_them_back(settings, db):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    settings.SECRET_KEY = "the-portal-secret-key-" + "s" * 40
    settings.SECRET_KEY_FALLBACKS = ["an-earlier-secret-key-" + "e" * 40]
    current = source_with(code="current")
    fallback = source_with(code="fallback")
    lost = source_with(code="lost")
    former = {
        current: migration.earlier_fernet(settings.SECRET_KEY).encrypt(b"token-1").decode(),
        fallback: migration.earlier_fernet(settings.SECRET_KEY_FALLBACKS[0]).encrypt(b"token-2").decode(),
        lost: migration.earlier_fernet("a-key-no-one-has-" + "x" * 40).encrypt(b"token-3").decode(),
    }
    for source, token in former.items():
        PrometheusSource.objects.filter(pk=source.pk).update(secret_encrypted=token)

    migration.to_field_encryption(apps, None)

    assert PrometheusSource.objects.get(code="current").secret() == "token-1"
    assert PrometheusSource.objects.get(code="fallback").secret() == "token-2"
    assert stored(lost) == former[lost]  # unreadable before as after: left for the manager to save again
    with pytest.raises(SecretUnavailable):
        PrometheusSource.objects.get(code="lost").secret()
    moved = {source.code: stored(source) for source in (current, fallback, lost)}
    migration.to_field_encryption(apps, None)  # run again: what it moved stays as it is
    assert {source.code: stored(source) for source in (current, fallback, lost)} == moved

    migration.to_earlier_key(apps, None)

    earlier = migration.earlier_fernet(settings.SECRET_KEY)
    assert earlier.decrypt(stored(current).encode()) == b"token-1"
    assert earlier.decrypt(stored(fallback).encode()) == b"token-2"
    assert stored(lost) == former[lost]


@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_keeps_each_secret_under_secret_key_alone(settings):
    settings.SLM_FIELD_ENCRYPTION_KEY = ""  # the default: the field key is derived from SECRET_KEY
    saved = source_with("s3cret-token", code="saved")  # saved with this code: under the field encryption
    former = source_with(code="former")
    earlier = migration.earlier_fernet(settings.SECRET_KEY)
    PrometheusSource.objects.filter(pk=former.pk).update(secret_encrypted=earlier.encrypt(b"token-2").decode())

    executor = MigrationExecutor(connection)
    executor.migrate([("monitoring", "0033_ticket_rank_redundant_indexes_dropped")])
    assert earlier.decrypt(stored(saved).encode()) == b"s3cret-token"
    assert earlier.decrypt(stored(former).encode()) == b"token-2"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("monitoring", "0034_prometheus_secrets_field_encryption")])

    assert PrometheusSource.objects.get(code="saved").secret() == "s3cret-token"
    assert PrometheusSource.objects.get(code="former").secret() == "token-2"
    assert Fernet(encryption.derive_key(settings.SECRET_KEY)).decrypt(stored(former).encode()) == b"token-2"
