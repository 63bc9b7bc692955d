"""Admins and service managers are held at the code page after every sign-in, for every kind of URL, until the
session has passed the second factor; customer users are held only once they turned it on."""

import pytest
from django.urls import reverse

from monitoring.models import ApiToken
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import fresh_code, give_authenticator

pytestmark = pytest.mark.two_factor

CODE_PAGE = reverse("identity:two_factor_code")
SETUP_PAGE = reverse("identity:two_factor_setup")


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return response


def pages(agreement):
    return ["/", reverse("agreements:agreement_list"), reverse("agreements:agreement_detail", args=[agreement.code])]


@pytest.fixture
def compliance_api(agreement_a):
    return f"/api/v1/agreements/{agreement_a.code}/compliance"


def test_manager_is_held_at_the_code_page_for_pages_admin_and_session_api_until_the_code(
    client, manager, agreement_a, compliance_api
):
    manager.is_staff = True  # so that Django admin would otherwise open for them
    manager.save()
    device = give_authenticator(manager)
    sign_in(client, manager)

    for url in [*pages(agreement_a), "/admin/", "/admin/agreements/agreement/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{CODE_PAGE}?next="), url
    response = client.get(compliance_api)
    assert response.status_code == 403
    assert "Two-factor sign-in is required" in response.json()["detail"]
    response = client.post(compliance_api, {}, content_type="application/json")
    assert response.status_code == 403

    response = client.post(CODE_PAGE, {"code": fresh_code(device), "next": "/agreements/"})
    assert response.status_code == 302
    assert response["Location"] == "/agreements/"

    for url in [*pages(agreement_a), "/admin/", "/admin/agreements/agreement/"]:
        assert client.get(url).status_code == 200, url
    assert client.get(compliance_api).status_code == 200


def test_the_code_page_sends_back_to_the_page_first_asked_for(client, manager, agreement_a):
    device = give_authenticator(manager)
    sign_in(client, manager)
    detail = reverse("agreements:agreement_detail", args=[agreement_a.code])
    response = client.get(detail)
    code_page = client.get(response["Location"])
    assert code_page.status_code == 200
    assert f'name="next" value="{detail}"' in code_page.text
    response = client.post(response["Location"], {"code": fresh_code(device), "next": detail})
    assert response["Location"] == detail


def test_an_admin_without_an_authenticator_is_sent_to_enrol(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    sign_in(client, admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SETUP_PAGE}?next=")
    assert client.get(response["Location"]).status_code == 200


def test_a_customer_user_without_two_factor_is_not_held(client, alice, agreement_a, compliance_api):
    sign_in(client, alice)
    for url in pages(agreement_a):
        assert client.get(url).status_code == 200, url
    assert client.get(compliance_api).status_code == 200


def test_a_customer_user_who_turned_it_on_is_held_too(client, alice, agreement_a, compliance_api):
    device = give_authenticator(alice)
    sign_in(client, alice)
    assert client.get("/").status_code == 302
    assert client.get(compliance_api).status_code == 403
    client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert client.get("/").status_code == 200
    assert client.get(compliance_api).status_code == 200


def test_signing_in_again_in_a_session_that_had_passed_asks_for_the_code_again(client, manager):
    device = give_authenticator(manager)
    sign_in(client, manager)
    client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert client.get("/").status_code == 200
    # A single sign-on callback signs the same person in again without a logout: django.contrib.auth.login keeps the
    # session's data for the same person, but the second factor is asked again.
    client.force_login(manager)
    assert client.get("/").status_code == 302


def test_a_forced_login_is_held_like_any_other_sign_in(client, manager):
    # Single sign-on and directory sign-ins end in django.contrib.auth.login, as force_login does.
    give_authenticator(manager)
    client.force_login(manager)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_PAGE)


def test_while_held_the_health_check_static_files_language_switch_and_logout_stay_open(client, manager):
    give_authenticator(manager)
    sign_in(client, manager)
    assert client.get("/health").status_code in (200, 503)
    # Served or not (a fresh checkout has no collected files), a static file is never held at the code page.
    assert client.get("/static/css/portal.css").status_code in (200, 404)
    response = client.post("/i18n/setlang/", {"language": "ko", "next": CODE_PAGE})
    assert response.status_code == 302
    assert response["Location"] == CODE_PAGE
    assert "코드" in client.get(CODE_PAGE).text
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"].startswith(reverse("login"))


def test_personal_api_tokens_keep_working_for_a_held_manager(client, manager, compliance_api):
    give_authenticator(manager)
    token = ApiToken(user=manager, name="reporting")
    secret = token.issue_token()
    token.save()

    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(compliance_api, **bearer).status_code == 200
    sign_in(client, manager)  # a held session in the same client changes nothing for the token
    assert client.get(compliance_api).status_code == 403
    assert client.get(compliance_api, **bearer).status_code == 200
    assert client.get(compliance_api, HTTP_AUTHORIZATION="Bearer slmpt_wrong").status_code == 401
