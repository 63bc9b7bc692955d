"""Customer administrators in the browser: Acme's administrator invites a person from the People page, the person
opens the e-mailed link on a phone, chooses a username and password and is signed in; the administrator then reads
the sign-in in the organisation's record. The pages fit a phone, in English and Korean."""

import re

import pytest
from django.core import mail

from agreements.models import Membership
from slm_portal.identity.choices import EventKind
from slm_portal.identity.models import SignInEvent
from tests.browser.conftest import log_in, overflow, screenshot
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def carol(customer_a):
    customer_a.email_domains = "acme.example"
    customer_a.save()
    user = UserFactory(username="carol", first_name="Carol", last_name="Han")
    MembershipFactory(user=user, customer=customer_a, is_admin=True)
    return user


def test_customer_admin_invites_and_the_person_accepts(new_page, carol, alice, bob):
    page = log_in(new_page(**DESKTOP), "carol")
    page.click("#user-menu")
    page.click("#menu-people")
    page.wait_for_url("**/customers/acme/people/")
    assert page.locator("#people li.person").count() == 2  # alice and carol; never bob of Globex
    assert "bob" not in page.inner_text("main")
    page.fill("#id_email", "nari@acme.example")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "nari@acme.example" in page.inner_text("#invitations")
    screenshot(page, "people-1366-en")

    [message] = mail.outbox
    link = re.search(r"http://\S+/accounts/invitations/\S+/", message.body).group(0)
    newcomer = new_page(locale="ko-KR", **PHONE)
    newcomer.goto(link)
    assert "nari@acme.example" in newcomer.inner_text("main")
    assert overflow(newcomer) == {"scroll": 0, "over": []}
    screenshot(newcomer, "invitation-accept-390-ko")
    newcomer.fill("#id_username", "nari")
    newcomer.fill("#id_first_name", "Nari")
    newcomer.fill("#id_last_name", "Yoon")
    newcomer.fill("#id_password1", "a-long-new-passphrase-7")
    newcomer.fill("#id_password2", "a-long-new-passphrase-7")
    newcomer.click("#accept-invitation button[type=submit]")
    newcomer.wait_for_url(lambda url: "/invitations/" not in url)
    assert "Nari Yoon" in newcomer.inner_text("#user-menu")
    assert Membership.objects.get(user__username="nari").customer.code == "acme"

    # The link works once.
    again = new_page(locale="ko-KR", **PHONE)
    again.goto(link)
    assert again.inner_text("#invitation-problem").startswith("이미 사용된 초대입니다.")

    page.reload()
    assert "Nari Yoon" in page.inner_text("#people")
    page.click("#user-menu")
    page.click("#menu-sign-ins")
    page.wait_for_url("**/accounts/sign-ins/")
    assert page.locator("#sign-in-record tr.event-signed_in", has_text="Nari Yoon").count() == 1
    assert SignInEvent.objects.filter(kind=EventKind.SIGNED_IN, user__username="nari").count() == 1
    screenshot(page, "sign-in-record-1366-en")


@pytest.mark.parametrize(("locale", "size"), [("en-US", PHONE), ("ko-KR", PHONE), ("ko-KR", DESKTOP)])
def test_people_and_record_pages_fit(new_page, carol, alice, locale, size):
    page = log_in(new_page(locale=locale, **size), "carol")
    width = size["viewport"]["width"]
    for url, name in [("/customers/acme/people/", "people"), ("/accounts/sign-ins/", "sign-in-record")]:
        page.goto(url)
        screenshot(page, f"{name}-{width}-{locale[:2]}")
        assert overflow(page) == {"scroll": 0, "over": []}, url


def test_locked_out_login_page(new_page, alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for locale in ("en-US", "ko-KR"):
        page = new_page(locale=locale, **PHONE)
        for _ in range(3):
            page.goto("/accounts/login/")
            page.fill("#id_username", "alice")
            page.fill("#id_password", "wrong")
            page.click("button[type=submit]")
        assert page.locator("#locked-out").is_visible()
        assert overflow(page) == {"scroll": 0, "over": []}
        screenshot(page, f"locked-out-390-{locale[:2]}")
