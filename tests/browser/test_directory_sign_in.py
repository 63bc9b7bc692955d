"""Directory sign-in in the browser: the login page against a real slapd (tests/identity/directory_server.py)."""

import pytest
from django.contrib.auth import get_user_model

from core.tenancy import is_service_manager
from tests.browser.conftest import overflow, screenshot
from tests.identity.directory_server import (
    PASSWORD,
    configure_directory,
    directory_rules,
    directory_server,
    require_python_ldap,
)
from tests.smtp import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSED_NO_ROLE = {
    "en-US": "Your directory account has no role in this portal",
    "ko-KR": "디렉터리 계정에 이 포털의 역할이 없습니다",
}
UNREACHABLE = {
    "en-US": "The directory server (LDAP) could not be reached",
    "ko-KR": "디렉터리 서버(LDAP)에 연결할 수 없어",
}


@pytest.fixture
def directory(tmp_path, settings):
    require_python_ldap()
    with directory_server(tmp_path / "slapd") as server:
        configure_directory(settings, server.uri)
        directory_rules()
        yield server


def submit(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_directory_manager_signs_in_on_the_login_page_and_enrols_a_second_factor(new_page, directory):
    page = new_page()
    submit(page, "minsu")

    # Signed in as a service manager, who uses two factors whatever the way in: first an authenticator app to enrol.
    assert page.url.endswith("/accounts/two-factor/setup/?next=%2F")
    assert is_service_manager(get_user_model().objects.get(username="minsu"))


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
@pytest.mark.parametrize("width", [1366, 390])
def test_a_directory_person_with_no_role_reads_why_on_the_login_page(new_page, directory, locale, width):
    page = new_page(locale=locale, viewport={"width": width, "height": 900})

    submit(page, "yuna")

    assert page.url.endswith("/accounts/login/")
    assert REFUSED_NO_ROLE[locale] in page.locator("form:has(#id_username)").inner_text()
    assert overflow(page) == {"scroll": 0, "over": []}
    assert not get_user_model().objects.filter(username="yuna").exists()
    screenshot(page, f"directory-refused-{locale}-{width}")


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_login_page_says_when_the_directory_cannot_be_reached(new_page, settings, db, locale):
    require_python_ldap()
    configure_directory(settings, f"ldap://127.0.0.1:{free_port()}", timeout=2)
    page = new_page(locale=locale)

    submit(page, "minsu")

    assert UNREACHABLE[locale] in page.locator("form:has(#id_username)").inner_text()
    screenshot(page, f"directory-unreachable-{locale}")
