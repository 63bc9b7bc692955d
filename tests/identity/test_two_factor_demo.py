"""The demo admin and manager can sign in after `make run`: their authenticator has the public demo key that the
README and `seed_demo` give, and a code computed from that key passes."""

import base64

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from slm_portal.demo import CUSTOMERS, DEMO_TOTP_BASE32, DEMO_TOTP_KEY, seed_people
from slm_portal.identity.models import AuthenticatorDevice
from tests.factories import CustomerFactory

pytestmark = pytest.mark.two_factor


def test_the_demo_manager_signs_in_with_a_code_of_the_documented_key(client, db):
    for code, name, *_rest in CUSTOMERS:
        CustomerFactory(code=code, name=name)
    seed_people("slm-demo")
    assert base64.b32decode(DEMO_TOTP_BASE32).hex() == DEMO_TOTP_KEY
    (device,) = AuthenticatorDevice.objects.filter(user__username="admin", confirmed=True)
    assert device.bin_key.hex() == DEMO_TOTP_KEY
    assert DEMO_TOTP_KEY not in device.encrypted_key  # kept encrypted, like any key
    assert not AuthenticatorDevice.objects.filter(user__username="hanbit").exists()

    client.post(reverse("login"), {"username": "manager", "password": "slm-demo"})
    assert client.get("/")["Location"].startswith(reverse("identity:two_factor_code"))
    code = f"{TOTP(base64.b32decode(DEMO_TOTP_BASE32)).token():06d}"
    assert client.post(reverse("identity:two_factor_code"), {"code": code}).status_code == 302
    assert client.get("/").status_code == 200

    seed_people("slm-demo")  # seeding again keeps the device the manager has
    assert AuthenticatorDevice.objects.filter(user__username="manager").count() == 1
