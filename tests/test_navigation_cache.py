"""The navigation bar is kept rendered in each process (CACHES "process"), by language, role and what the person's
menu shows: a change of any of these shows at once, and the sign-out form's CSRF token stays the request's own."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from core.tenancy import SERVICE_MANAGERS_GROUP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav(client):
    response = client.get("/agreements/")
    assert response.status_code == 200
    html = response.text
    return html.split('id="portal-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_bar_follows_the_role_the_language_and_the_name_at_once(client):
    person = UserFactory(username="jin", first_name="Jin", last_name="Seo")
    client.force_login(person)
    first = nav(client)
    assert "Jin Seo" in first
    assert 'href="/calendars/"' not in first  # not a manager: no calendars, no indicators
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # each request masks its token anew
    assert unmasked.sub("", nav(client)) == unmasked.sub("", first)

    person.groups.add(Group.objects.get(name=SERVICE_MANAGERS_GROUP))
    manager = nav(client)
    assert 'href="/indicators/"' in manager

    person.first_name = "Jinwoo"
    person.save()
    assert "Jinwoo Seo" in nav(client)
    assert "계약" in client.get("/agreements/", HTTP_ACCEPT_LANGUAGE="ko").text.split("</nav>", 1)[0]

    person.user_permissions.add(Permission.objects.get(codename="view_signinevent"))
    assert 'id="menu-sign-ins"' in nav(client)


def test_the_sign_out_forms_csrf_token_is_each_browsers_own():
    person = UserFactory(username="jin")
    tokens = []
    for _browser in range(2):
        client = Client()
        client.force_login(person)
        bar = nav(client)
        form = bar.split('action="/accounts/logout/"', 1)[1].split("</form>", 1)[0]
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1))
        assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[-1]}).status_code == 302
    assert tokens[0] != tokens[1]
