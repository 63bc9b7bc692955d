"""Two-factor sign-in in the browser: a service manager signs in, is sent to enrol an authenticator app (QR code and
the key as text), confirms it with a first code, sees the recovery codes once, and later signs in again with a code.
The codes are computed from the key the page shows, at the test's clock."""

import base64

import pytest
from django_otp.oath import TOTP

from slm_portal.identity.models import AuthenticatorDevice
from tests.browser.conftest import overflow, screenshot
from tests.factories import PASSWORD
from tests.two_factor import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def submit_password(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def code_for_key(base32_key):
    return f"{TOTP(base64.b32decode(base32_key)).token():06d}"


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_a_manager_enrols_then_signs_in_again_with_a_code(new_page, manager, locale):
    page = new_page(locale=locale, viewport=DESKTOP)
    submit_password(page, manager.username)
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator(".two-factor-qr svg path").count() == 1
    box = page.locator(".two-factor-qr svg").bounding_box()
    assert box["width"] >= 200
    screenshot(page, f"two-factor-setup-1366-{locale}")

    key = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    page.fill("#id_code", code_for_key(key))
    page.click("#two-factor-setup button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/two-factor/recovery-codes/" in url)
    assert page.locator("#recovery-codes li").count() == 10
    with page.expect_download() as download:
        page.click("#download-recovery-codes")
    codes_file = download.value.path().read_text()
    assert page.locator("#recovery-codes li").first.inner_text() in codes_file
    screenshot(page, f"two-factor-recovery-codes-1366-{locale}")
    page.click("a.btn-primary")
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
    assert page.locator("#user-menu").is_visible()

    page.click("#user-menu")
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url(lambda url: "/accounts/login/" in url)

    submit_password(page, manager.username)
    page.goto("/agreements/")
    page.wait_for_url(lambda url: "/accounts/two-factor/code/" in url)
    screenshot(page, f"two-factor-code-1366-{locale}")
    page.fill("#id_code", "000000" if code_for_key(key) != "000000" else "111111")
    page.click("#two-factor-code button[type=submit]")
    assert page.locator("#id_code.is-invalid").is_visible()
    screenshot(page, f"two-factor-code-refused-1366-{locale}")

    page.wait_for_timeout(1100)  # the pause the portal asks for after a wrong code
    page.fill("#id_code", fresh_code(AuthenticatorDevice.objects.get(user=manager)))
    page.click("#two-factor-code button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/agreements/"))


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_two_factor_pages_fit_a_phone(new_page, manager, locale):
    page = new_page(locale=locale, viewport=PHONE)
    submit_password(page, manager.username)
    assert "/accounts/two-factor/setup/" in page.url
    assert overflow(page) == {"scroll": 0, "over": []}
    screenshot(page, f"two-factor-setup-390-{locale}")

    AuthenticatorDevice.objects.filter(user=manager).update(confirmed=True)
    page.goto("/")
    page.wait_for_url(lambda url: "/accounts/two-factor/code/" in url)
    assert overflow(page) == {"scroll": 0, "over": []}
    screenshot(page, f"two-factor-code-390-{locale}")

    page.fill("#id_code", fresh_code(AuthenticatorDevice.objects.get(user=manager)))
    page.click("#two-factor-code button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
    page.goto("/accounts/two-factor/")
    assert page.locator("#two-factor-status").is_visible()
    assert overflow(page) == {"scroll": 0, "over": []}
    screenshot(page, f"two-factor-manage-390-{locale}")
