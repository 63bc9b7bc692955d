"""Authenticator keys are kept encrypted at rest (core.encryption, AuthenticatorDevice): the row never holds the key
in clear, codes still sign in, keys rotate (old keys still decrypt, `reencrypt_secrets` moves everything to the new
one), a wrong key fails with a message that names the settings, and migration identity 0006 encrypts the clear keys
django-otp's TOTPDevice held and its reverse decrypts them back."""

import base64
import importlib
import logging
import re

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import encryption
from slm_portal.env import env_encryption_key
from slm_portal.identity.models import AuthenticatorDevice, RecoveryCodeDevice
from slm_portal.identity.two_factor import VERIFIED_SESSION_KEY
from tests.factories import PASSWORD
from tests.two_factor import TEST_KEY, code_at, give_authenticator

pytestmark = pytest.mark.two_factor
migration = importlib.import_module("slm_portal.identity.migrations.0006_authenticator_keys_encrypted")

SETUP = reverse("identity:two_factor_setup")
CODE_PAGE = reverse("identity:two_factor_code")
KEY_A = "first-field-key-0123456789-abcdefghijklmnop"
KEY_B = "second-field-key-9876543210-zyxwvutsrqponml"
UNREADABLE = (
    "Your authenticator app cannot be checked now: the portal cannot read its key. Tell the portal's administrator; "
    "a recovery code still signs you in."
)


def stored_key(device):
    """The key column as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted_key FROM identity_authenticatordevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def forms_of_the_key(raw):
    """The key as bytes, hex, base32 (as the app is given it) and base64."""
    return [raw.hex(), raw.hex().upper(), base64.b32encode(raw).decode().rstrip("="), base64.b64encode(raw).decode()]


def sign_in(client, user):
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def passed(client, user):
    return client.session.get(VERIFIED_SESSION_KEY) == user.pk


def test_an_enrolled_key_is_stored_encrypted_and_its_codes_sign_in(client, manager, clock):
    sign_in(client, manager)
    page = client.get(SETUP)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
    device = AuthenticatorDevice.objects.get(user=manager)
    row = stored_key(device)
    for form in forms_of_the_key(raw):
        assert form not in row
    assert encryption.decrypt(row) == raw
    assert not TOTPDevice.objects.exists()  # nothing in django-otp's table, whose key is in clear

    assert client.post(SETUP, {"code": code_at(device)}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, manager)
    clock.shift(30)  # the next step: the enrolment's code is not accepted twice
    assert client.post(CODE_PAGE, {"code": code_at(device), "next": "/"}).status_code == 302
    assert passed(client, manager)


def test_two_devices_with_one_key_store_different_texts(manager, admin_user):
    first, second = give_authenticator(manager), give_authenticator(admin_user)
    assert first.bin_key == second.bin_key == bytes.fromhex(TEST_KEY)
    assert stored_key(first) != stored_key(second)  # a fresh IV each time: equal keys are not seen as equal


def test_the_key_is_derived_from_the_setting_or_else_from_secret_key(settings, manager):
    settings.SLM_FIELD_ENCRYPTION_KEY = ""
    from_secret_key = give_authenticator(manager)
    assert Fernet(encryption.derive_key(settings.SECRET_KEY)).decrypt(stored_key(from_secret_key).encode()).hex() == (
        TEST_KEY
    )
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    from_setting = encryption.encrypt(b"k")
    assert Fernet(encryption.derive_key(KEY_A)).decrypt(from_setting.encode()) == b"k"
    with pytest.raises(encryption.UnreadableSecret):
        encryption.decrypt(stored_key(from_secret_key))  # SECRET_KEY is no key once the setting is given


def test_django_s_secret_key_fallbacks_still_decrypt_after_secret_key_changes(settings, manager):
    settings.SLM_FIELD_ENCRYPTION_KEY = ""
    device = give_authenticator(manager)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-django-0123456789-abcdefghijklmnopqrstuvw"
    assert AuthenticatorDevice.objects.get(pk=device.pk).bin_key == bytes.fromhex(TEST_KEY)


def test_a_wrong_key_fails_clearly_and_a_recovery_code_still_signs_in(client, settings, manager, clock, caplog):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    device = give_authenticator(manager)
    codes = RecoveryCodeDevice.objects.create(user=manager, name="Recovery codes").set_new_codes()
    code = code_at(device)
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_B  # changed without listing the old one

    with pytest.raises(encryption.UnreadableSecret) as raised:
        AuthenticatorDevice.objects.get(pk=device.pk).bin_key  # noqa: B018
    message = str(raised.value)
    assert message.startswith(f"The key of authenticator app {device.pk} cannot be decrypted with")
    assert "SLM_FIELD_ENCRYPTION_KEY" in message
    assert "list it in SLM_FIELD_ENCRYPTION_OLD_KEYS" in message

    sign_in(client, manager)
    with caplog.at_level(logging.ERROR, logger="slm_portal.identity.two_factor"):
        response = client.post(CODE_PAGE, {"code": code})
    assert response.status_code == 200
    assert UNREADABLE in response.text.replace("&#x27;", "'")
    assert not passed(client, manager)
    assert any(message in record.getMessage() for record in caplog.records)
    device.refresh_from_db()
    assert (device.throttling_failure_count, device.last_t) == (0, -1)  # not counted as a wrong guess
    assert client.post(CODE_PAGE, {"code": codes[0], "next": "/"}).status_code == 302
    assert passed(client, manager)


def test_the_code_page_says_so_in_korean(client, settings, manager, clock):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    code = code_at(give_authenticator(manager))
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_B
    sign_in(client, manager)
    response = client.post(CODE_PAGE, {"code": code}, HTTP_ACCEPT_LANGUAGE="ko")
    assert "인증 앱을 지금 확인할 수 없습니다" in response.text


def test_an_unconfirmed_key_that_cannot_be_read_is_replaced_by_a_new_one(client, settings, manager):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    sign_in(client, manager)
    client.get(SETUP)
    old = AuthenticatorDevice.objects.get(user=manager)
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_B
    assert client.get(SETUP).status_code == 200
    (new,) = AuthenticatorDevice.objects.filter(user=manager)
    assert new.pk != old.pk
    assert len(new.bin_key) == 20


def test_keys_rotate_old_keys_decrypt_and_reencrypt_secrets_moves_them_to_the_new_one(client, settings, manager, clock):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    device = give_authenticator(manager)
    under_a = stored_key(device)
    settings.SLM_FIELD_ENCRYPTION_KEY, settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = KEY_B, [KEY_A]
    sign_in(client, manager)
    assert client.post(CODE_PAGE, {"code": code_at(device), "next": "/"}).status_code == 302  # read with the old key

    call_command("reencrypt_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    under_b = stored_key(device)
    assert under_b != under_a
    settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = []  # the old key is gone: the new one reads everything
    assert AuthenticatorDevice.objects.get(pk=device.pk).bin_key == bytes.fromhex(TEST_KEY)
    assert Fernet(encryption.derive_key(KEY_B)).decrypt(under_b.encode()).hex() == TEST_KEY


def test_reencrypt_secrets_refuses_with_a_key_it_cannot_read_and_changes_nothing(settings, manager, admin_user):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    readable = give_authenticator(manager)
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_B
    lost = give_authenticator(admin_user)
    before = {device.pk: stored_key(device) for device in (readable, lost)}
    settings.SLM_FIELD_ENCRYPTION_OLD_KEYS = []
    settings.SLM_FIELD_ENCRYPTION_KEY = "a-third-field-key-0123456789-abcdefghij"
    refusal = "cannot be decrypted with SLM_FIELD_ENCRYPTION_KEY.*Nothing was changed"
    with pytest.raises(CommandError, match=refusal) as refused:
        call_command("reencrypt_secrets")
    assert f"{lost.pk} ({admin_user.username})" in str(refused.value)
    assert {device.pk: stored_key(device) for device in (readable, lost)} == before


@pytest.mark.parametrize(
    ("value", "problem"),
    [("short-key", "has 9 characters, too few for a key"), ("change-me-" * 4, "still holds the placeholder")],
)
def test_a_weak_encryption_key_stops_start_up_with_debug_off(monkeypatch, value, problem):
    monkeypatch.setenv("SLM_FIELD_ENCRYPTION_KEY", value)
    with pytest.raises(ImproperlyConfigured, match=problem):
        env_encryption_key("SLM_FIELD_ENCRYPTION_KEY", debug=False)
    assert env_encryption_key("SLM_FIELD_ENCRYPTION_KEY", debug=True) == value
    monkeypatch.setenv("SLM_FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
    assert env_encryption_key("SLM_FIELD_ENCRYPTION_KEY", debug=False)
    monkeypatch.delenv("SLM_FIELD_ENCRYPTION_KEY")
    assert env_encryption_key("SLM_FIELD_ENCRYPTION_KEY", debug=False) is None


# --- migration identity 0006 ------------------------------------------------------------------------------------------


def clear_device(user, key=TEST_KEY, **fields):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, **fields)


def test_the_migration_encrypts_the_clear_keys_and_its_reverse_decrypts_them(settings, manager, admin_user, clock):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    other_key = "00112233445566778899aabbccddeeff00112233"
    clear_device(manager, last_t=41, drift=1, confirmed=True)
    clear_device(admin_user, key=other_key, confirmed=False)

    migration.encrypt_keys(apps, None)

    assert not TOTPDevice.objects.exists()
    sealed = {device.user: device for device in AuthenticatorDevice.objects.all()}
    assert (sealed[manager].last_t, sealed[manager].drift, sealed[manager].confirmed) == (41, 1, True)
    assert sealed[admin_user].confirmed is False
    for user, key in ((manager, TEST_KEY), (admin_user, other_key)):
        row = stored_key(sealed[user])
        assert all(form not in row for form in forms_of_the_key(bytes.fromhex(key)))
        assert sealed[user].bin_key.hex() == key
    assert sealed[manager].verify_token(code_at(sealed[manager]))  # codes still pass after the move

    migration.decrypt_keys(apps, None)

    assert not AuthenticatorDevice.objects.exists()
    assert sorted(TOTPDevice.objects.values_list("key", flat=True)) == sorted([TEST_KEY, other_key])


def test_the_reverse_with_a_wrong_key_stops_with_the_reason_and_changes_nothing(settings, manager):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    device = give_authenticator(manager)
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_B
    with (
        pytest.raises(encryption.UnreadableSecret, match=f"The key of authenticator app {device.pk} "),
        transaction.atomic(),
    ):
        migration.decrypt_keys(apps, None)
    assert list(AuthenticatorDevice.objects.values_list("pk", flat=True)) == [device.pk]
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_keeps_each_key(settings, django_user_model):
    settings.SLM_FIELD_ENCRYPTION_KEY = KEY_A
    person = django_user_model.objects.create(username="kim")
    give_authenticator(person)
    executor = MigrationExecutor(connection)
    executor.migrate([("identity", "0005_sign_in_record")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE user_id = %s", [person.pk])
        assert cursor.fetchall() == [(TEST_KEY,)]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("identity", "0006_authenticator_keys_encrypted")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone() == (0,)
    (device,) = AuthenticatorDevice.objects.filter(user=person)
    assert TEST_KEY not in stored_key(device)
    assert device.bin_key.hex() == TEST_KEY
