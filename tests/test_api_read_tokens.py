"""A read-only token reads everything its person may read and changes nothing, on every endpoint people write to:
each write answers 403 before any row is looked up, and nothing is stored."""

import re

import pytest
from rest_framework.test import APIClient

from agreements.models import Customer
from monitoring.api.views import IsPerson
from monitoring.choices import TokenScope
from monitoring.models import ApiToken
from tests.api_ladder import api_patterns, methods_of

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def concrete(regex):
    """A URL of a pattern, each argument filled with a value of the right shape (no row needs to exist)."""
    path = PARAMETER.sub("1", regex).replace("\\Z", "")
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def token_for(user, scope):
    token = ApiToken(user=user, name=f"{scope} script", scope=scope)
    secret = token.issue_token()
    token.save()
    return secret


def person_endpoints():
    """(URL, methods) of every endpoint that answers people (every one but the machine ways in)."""
    for regex, view in api_patterns():
        permissions = getattr(view.cls, "permission_classes", ())
        if any(issubclass(permission, IsPerson.__mro__[1]) for permission in permissions):
            yield concrete(regex), methods_of(view)


def test_a_read_token_changes_nothing_anywhere(manager):
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_for(manager, TokenScope.READ)}")
    endpoints = list(person_endpoints())
    assert len(endpoints) >= 20
    writes = 0
    for url, methods in endpoints:
        for method in sorted(methods - {"get"}):
            response = getattr(client, method)(url, {"name": "x", "code": "read-token-write"}, format="json")
            assert response.status_code == 403, f"{method.upper()} {url}: {response.status_code}"
            assert "read-only" in response.json()["detail"]
            writes += 1
    assert writes >= 20
    assert not Customer.objects.filter(code="read-token-write").exists()


def test_a_read_token_reads_what_its_person_reads(manager, agreement_a):
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_for(manager, TokenScope.READ)}")

    assert [row["code"] for row in client.get("/api/v1/customers").json()["results"]] == ["acme"]
    assert client.get("/api/v1/agreements/acme-sla").status_code == 200


def test_a_write_token_writes_what_its_person_may_and_no_more(manager, alice, customer_a):
    body = {"name": "Initech", "code": "initech"}
    as_manager = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_for(manager, TokenScope.WRITE)}")
    as_customer = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_for(alice, TokenScope.WRITE)}")

    assert as_customer.post("/api/v1/customers", body, format="json").status_code == 403
    assert as_customer.patch("/api/v1/customers/acme", {"notes": "x"}, format="json").status_code == 403
    assert as_manager.post("/api/v1/customers", body, format="json").status_code == 201
    assert Customer.objects.get(code="initech").name == "Initech"
