"""The 403 page says why: a page for service managers (the overview, priorities, data sources, probes), a change that
a read-only account may not make, or anything else refused. In English and Korean."""

import re

import pytest
from django.conf import settings

from tests.agreements.page_checks import page_text

pytestmark = pytest.mark.django_db

MANAGERS_ONLY = [
    ("get", "/overview/"),
    ("get", "/priorities/"),
    ("get", "/data-sources/"),
    ("get", "/data-sources/new/"),
    ("post", "/data-sources/new/"),
    ("get", "/probes/"),
    ("get", "/probes/new/"),
    ("post", "/probes/new/"),
]
READ_ONLY = [
    ("get", "/agreements/new/"),
    ("get", "/agreements/acme-sla/edit/"),
    ("post", "/agreements/acme-sla/edit/"),
    ("get", "/indicators/new/"),
    ("get", "/plans/new/"),
    ("get", "/customers/new/"),
]
MANAGERS_PAGE = "This page is for service managers, so your account cannot open it."
START_PAGE = "Your organisation's agreements, compliance and reports are on your start page."
READ_NOT_CHANGE = "Your account can read this, but not change it. Ask a service manager if you need a change."


def refusal(client, user, method, url, **headers):
    client.force_login(user)
    response = getattr(client, method)(url, headers=headers)
    assert response.status_code == 403, url
    return response


def title(response):
    return re.search(r"<title>(.*?) · ", response.text).group(1)


@pytest.mark.parametrize(("method", "url"), MANAGERS_ONLY, ids=[f"{m.upper()} {u}" for m, u in MANAGERS_ONLY])
def test_a_manager_only_page_tells_a_customer_it_is_for_service_managers(client, alice, method, url):
    response = refusal(client, alice, method, url)

    text = page_text(response)
    assert title(response) == "For service managers"
    assert '<h1 class="h3">For service managers</h1>' in response.text
    assert MANAGERS_PAGE in text
    assert START_PAGE in text
    assert "can read this" not in text


def test_a_person_of_no_organisation_is_not_sent_to_an_organisations_pages(client, nobody):
    text = page_text(refusal(client, nobody, "get", "/overview/"))

    assert MANAGERS_PAGE in text
    assert START_PAGE not in text


@pytest.mark.parametrize(("method", "url"), READ_ONLY, ids=[f"{m.upper()} {u}" for m, u in READ_ONLY])
def test_a_change_a_reader_may_not_make_says_read_but_not_change(client, agreement_a, alice, method, url):
    response = refusal(client, alice, method, url)

    text = page_text(response)
    assert title(response) == "Not allowed"
    assert READ_NOT_CHANGE in text
    assert "service managers, so" not in text


def test_any_other_refusal_says_not_allowed_without_a_reason_it_cannot_know(client, nobody):
    # Filing a requirement takes an organisation (or the manager's role): refused without saying "read".
    text = page_text(refusal(client, nobody, "get", "/requirements/new/"))

    assert "Your account may not do this. Ask a service manager if you need it." in text
    assert "can read this" not in text
    assert MANAGERS_PAGE not in text


def test_the_reasons_are_said_in_korean(client, agreement_a, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    managers = refusal(client, alice, "get", "/priorities/")
    assert title(managers) == "서비스 관리자 전용"
    assert "이 페이지는 서비스 관리자 전용이므로 이 계정으로는 열 수 없습니다." in page_text(managers)
    assert "소속 조직의 계약, 준수 현황, 보고서는 시작 페이지에서 볼 수 있습니다." in page_text(managers)

    read_only = refusal(client, alice, "get", "/agreements/acme-sla/edit/")
    assert "이 계정은 조회만 할 수 있고 변경할 수는 없습니다." in page_text(read_only)


def test_the_manager_opens_every_manager_only_page(client, manager):
    client.force_login(manager)
    for method, url in MANAGERS_ONLY:
        if method == "get":
            assert client.get(url).status_code == 200, url
