"""What every page asks of the signed-in person is kept in the cache between their requests, and read afresh after
any change to it: a permission or a group given or taken, a membership ended, the person's own row changed."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import edits
from core.tenancy import SERVICE_MANAGERS_GROUP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
OVERVIEW = "/overview/"  # for service managers and anyone holding the permission to read compliance


def permission(codename):
    return Permission.objects.get(codename=codename)


def queried(client, path):
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, " ".join(query["sql"] for query in queries)


def test_the_person_is_read_once_then_kept(client, alice):
    client.force_login(alice)
    _status, first = queried(client, "/agreements/")
    assert "auth_permission" in first
    assert "agreements_membership" in first

    _status, again = queried(client, "/agreements/")

    assert "auth_permission" not in again
    assert "agreements_membership" not in again
    assert "auth_group" not in again


def test_a_permission_given_then_taken_shows_on_the_next_request(client):
    person = UserFactory(username="analyst")
    client.force_login(person)
    assert client.get(OVERVIEW).status_code == 403

    person.user_permissions.add(permission("view_compliancesnapshot"))
    assert client.get(OVERVIEW).status_code == 200

    person.user_permissions.remove(permission("view_compliancesnapshot"))
    assert client.get(OVERVIEW).status_code == 403


def test_joining_and_leaving_the_managers_shows_on_the_next_request(client):
    person = UserFactory(username="new-manager")
    client.force_login(person)
    managers = Group.objects.get(name=SERVICE_MANAGERS_GROUP)
    assert client.get(OVERVIEW).status_code == 403

    person.groups.add(managers)
    assert client.get(OVERVIEW).status_code == 200

    person.groups.remove(managers)
    assert client.get(OVERVIEW).status_code == 403


def test_the_persons_own_row_is_always_read_afresh(client, monkeypatch):
    person = UserFactory(username="analyst")
    client.force_login(person)
    assert client.get(OVERVIEW).status_code == 403

    # As if another process, with a cache of its own, made the change: the counter here does not move.
    monkeypatch.setattr(edits, "bump", lambda: None)
    type(person).objects.filter(pk=person.pk).update(is_superuser=True)

    assert client.get(OVERVIEW).status_code == 200  # a superuser holds every permission
