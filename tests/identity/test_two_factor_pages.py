"""The two-factor pages: enrolment end to end, recovery codes shown once, a customer turning it on and off, new
recovery codes, an admin resetting a person's authenticator in Django admin, and the permission ladder."""

import base64
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from slm_portal.identity.models import AuthenticatorDevice, RecoveryCode, RecoveryCodeDevice
from slm_portal.identity.two_factor import secret_text
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import code_at, fresh_code, give_authenticator

pytestmark = pytest.mark.two_factor

SETUP = reverse("identity:two_factor_setup")
CODES = reverse("identity:two_factor_recovery_codes")
MANAGE = reverse("identity:two_factor")
CODE_PAGE = reverse("identity:two_factor_code")


def sign_in(client, user):
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def shown_codes(response):
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.text)


def test_a_manager_enrols_at_first_sign_in_and_sees_the_recovery_codes_once(client, manager, agreement_a):
    sign_in(client, manager)
    response = client.get(reverse("agreements:agreement_list"))
    assert response["Location"] == f"{SETUP}?next=%2Fagreements%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "<path" in page.text
    device = AuthenticatorDevice.objects.get(user=manager, confirmed=False)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page.text).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # Reloading shows the same secret: the app scanned already stays right.
    assert secret in client.get(SETUP).text

    refused = client.post(SETUP, {"code": "12345", "next": "/agreements/"})
    assert "Enter the 6-digit code" in refused.text
    assert client.get("/").status_code == 302

    response = client.post(SETUP, {"code": code_at(device), "next": "/agreements/"})
    assert response.status_code == 302
    assert response["Location"] == f"{CODES}?next=%2Fagreements%2F"
    device.refresh_from_db()
    assert device.confirmed

    page = client.get(response["Location"])
    codes = shown_codes(page)
    assert len(codes) == 10
    download = re.search(
        r'id="download-recovery-codes" download="[^"]+" href="data:text/plain;charset=utf-8,([^"]+)"', page.text
    )
    assert all(code in unquote(download.group(1)) for code in codes)
    assert 'href="/agreements/"' in page.text
    assert RecoveryCode.objects.filter(device__user=manager, used_at__isnull=True).count() == 10

    again = client.get(CODES)
    assert shown_codes(again) == []
    assert "shown only once" in again.text
    assert client.get("/agreements/").status_code == 200


def test_enrolment_refuses_a_wrong_first_code_and_stays_off(client, alice):
    sign_in(client, alice)
    client.get(SETUP)
    device = AuthenticatorDevice.objects.get(user=alice)
    wrong = "000000" if code_at(device) != "000000" else "111111"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 200
    assert "That code is wrong" in response.text
    assert not AuthenticatorDevice.objects.filter(user=alice, confirmed=True).exists()


def test_a_customer_turns_it_on_and_is_then_asked_at_every_sign_in(client, alice):
    sign_in(client, alice)
    assert "Off" in client.get(MANAGE).text
    client.get(SETUP)
    device = AuthenticatorDevice.objects.get(user=alice)
    client.post(SETUP, {"code": code_at(device)})
    assert "10 recovery codes left" in client.get(MANAGE).text

    client.post(reverse("logout"))
    sign_in(client, alice)
    assert client.get("/")["Location"].startswith(CODE_PAGE)


def test_turning_it_off_asks_for_a_current_code(client, alice, clock):
    device = give_authenticator(alice, tolerance=3)
    sign_in(client, alice)
    client.post(CODE_PAGE, {"code": fresh_code(device)})

    wrong = "000000" if code_at(device) != "000000" else "111111"
    response = client.post(reverse("identity:two_factor_off"), {"code": wrong})
    assert response.status_code == 400
    assert "That code is wrong" in response.text
    assert AuthenticatorDevice.objects.filter(user=alice).exists()

    clock.shift(2)  # past the pause after a wrong code
    response = client.post(reverse("identity:two_factor_off"), {"code": fresh_code(device)})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=alice).exists()
    assert not RecoveryCodeDevice.objects.filter(user=alice).exists()
    client.post(reverse("logout"))
    sign_in(client, alice)
    assert client.get("/").status_code == 200


def test_a_manager_cannot_turn_it_off(client, manager):
    device = give_authenticator(manager)
    client.force_login(manager)
    client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert "cannot be turned off" in client.get(MANAGE).text
    response = client.post(reverse("identity:two_factor_off"), {"code": fresh_code(device)})
    assert response.status_code == 403
    assert AuthenticatorDevice.objects.filter(user=manager, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(client, manager, clock):
    device = give_authenticator(manager, tolerance=3)
    client.force_login(manager)
    client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert shown_codes(client.get(CODES)) == []  # none made yet: nothing to show

    client.post(reverse("identity:two_factor_regenerate"))
    old = shown_codes(client.get(CODES))
    response = client.post(reverse("identity:two_factor_regenerate"))
    assert response["Location"] == CODES
    new = shown_codes(client.get(CODES))
    assert len(new) == 10
    assert not set(old) & set(new)

    client.post(reverse("logout"))
    client.force_login(manager)
    assert "not one of yours" in client.post(CODE_PAGE, {"code": old[0]}).text
    clock.shift(2)  # past the pause after a wrong code
    assert client.post(CODE_PAGE, {"code": new[0]}).status_code == 302


def test_an_admin_resets_a_persons_authenticator_in_django_admin(client, manager):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = give_authenticator(manager)
    RecoveryCodeDevice.objects.create(user=manager, name="Recovery codes").set_new_codes()
    client.force_login(admin)
    admin_device = give_authenticator(admin)
    client.post(CODE_PAGE, {"code": fresh_code(admin_device)})

    listing = client.get(reverse("admin:identity_authenticatordevice_changelist"))
    assert listing.status_code == 200
    assert "manager" in listing.text
    change = client.get(reverse("admin:identity_authenticatordevice_change", args=[device.pk]))
    assert change.status_code == 200
    for key in (device.encrypted_key, device.bin_key.hex(), secret_text(device).replace(" ", "")):
        assert key not in change.text  # the key is never shown, in clear or encrypted
    response = client.post(reverse("admin:identity_authenticatordevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=manager).exists()
    assert not RecoveryCodeDevice.objects.filter(user=manager).exists()
    assert not RecoveryCode.objects.filter(device__user=manager).exists()

    client.post(reverse("logout"))
    sign_in(client, manager)
    assert client.get("/")["Location"].startswith(SETUP)


def test_code_page_ladder(client, alice, manager):
    client.logout()
    response = client.get(CODE_PAGE)
    assert response["Location"].startswith(reverse("login"))
    client.force_login(alice)  # no authenticator: sent to enrol one
    assert client.get(CODE_PAGE)["Location"].startswith(SETUP)
    give_authenticator(manager)
    client.force_login(manager)
    assert client.get(CODE_PAGE).status_code == 200


@pytest.mark.parametrize("name", ["identity:two_factor_regenerate", "identity:two_factor_off"])
def test_the_two_factor_writes_take_post_only_and_a_signed_in_person(client, name, alice):
    url = reverse(name)
    assert client.post(url)["Location"].startswith(reverse("login"))
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code in (302, 403)
