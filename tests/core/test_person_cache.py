"""What every page asks of the signed-in person is kept in the cache between their requests, and read afresh after
any change to it: a permission or a group given or taken, a membership ended, the person's own row changed."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import edits, person_cache
from core.tenancy import SERVICE_MANAGERS_GROUP, is_service_manager
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


def test_what_is_kept_is_what_django_and_the_portal_would_read(manager, alice):
    empty_group = Group.objects.create(name="Auditors")  # a group with no permission at all
    analyst = UserFactory(username="analyst")
    analyst.user_permissions.add(permission("view_compliancesnapshot"))
    analyst.groups.add(empty_group)
    people = [
        manager,
        alice,
        analyst,
        UserFactory(username="root", is_superuser=True, is_staff=True),
        UserFactory(username="gone", is_active=False),
    ]
    manager.groups.add(empty_group)
    for person in people:
        kept = person_cache.read(person)
        fresh = type(person).objects.get(pk=person.pk)
        assert kept["user_perms"] == ModelBackend().get_user_permissions(fresh), person.username
        assert kept["group_perms"] == ModelBackend().get_group_permissions(fresh), person.username
        assert kept["manager"] == is_service_manager(type(person).objects.get(pk=person.pk)), person.username
    assert person_cache.read(alice)["membership"].customer.code == "acme"
    assert person_cache.read(manager)["membership"] is None
