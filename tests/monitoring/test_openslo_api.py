"""``/api/v1/agreements/<code>/openslo``: export (GET) and import (POST, ``?dry_run=true``), as the pages do."""

import json
from decimal import Decimal

import pytest
from django.utils import translation

from agreements.models import ServiceLevelTarget
from monitoring.openslo.exporting import export_text
from tests.factories import ServiceFactory
from tests.monitoring.factories import IndicatorFactory, TargetIndicatorFactory, api_token_for
from tests.monitoring.openslo_files import SPEC_EXAMPLE


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def measured(agreement_a):
    service = ServiceFactory(code="checkout", name="Checkout")
    agreement_a.services.add(service)
    TargetIndicatorFactory(
        target=agreement_a.targets.get(code="availability"),
        indicator=IndicatorFactory(code="checkout-requests", name="Checkout requests", service=service),
    )
    return agreement_a


URL = "/api/v1/agreements/acme-sla/openslo"


def post(client, text, query="", **headers):
    return client.post(URL + query, data=text.encode(), content_type="application/yaml", **headers)


def test_the_ladder(client, measured, alice, bob, manager):
    assert client.get(URL).status_code == 401
    assert post(client, "x").status_code == 401
    client.force_login(bob)
    assert client.get(URL).status_code == 404
    assert post(client, export_text(measured)).status_code == 404
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response.content.decode() == export_text(measured)
    assert post(client, export_text(measured)).status_code == 403
    _, token = api_token_for(manager)
    client.logout()
    answer = post(client, export_text(measured), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    assert (answer.json()["stored"], answer.json()["changes"]) == (True, 0)


def test_a_dry_run_previews_and_stores_nothing_then_the_import_stores(client, measured, manager):
    client.force_login(manager)
    text = export_text(measured).replace("target: 0.999\n", "target: 0.9995\n")
    answer = post(client, text, "?dry_run=true").json()
    assert answer["stored"] is False
    assert answer["changes"] == 1
    assert [line for line in answer["lines"] if line["changed"]] == [
        {
            "path": "#4 spec.objectives[0].target",
            "field": "service level target: objective (%)",
            "old": "99.9",
            "new": "99.95",
            "changed": True,
        }
    ]
    assert ServiceLevelTarget.objects.get(code="availability").objective == Decimal("99.9")
    assert post(client, text).json()["stored"] is True
    assert ServiceLevelTarget.objects.get(code="availability").objective == Decimal("99.95")


def test_what_cannot_map_is_a_400_with_the_paths_and_nothing_stored(client, measured, manager):
    client.force_login(manager)
    before = ServiceLevelTarget.objects.count()
    response = post(client, SPEC_EXAMPLE.replace("duration: 1M", "duration: 2w"))
    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == ["#3 spec.timeWindow[0].duration"]
    unreadable = post(client, "apiVersion: openslo/v1\nkind: [unclosed\n")
    assert unreadable.status_code == 400
    assert "not valid YAML" in json.dumps(unreadable.json())
    assert ServiceLevelTarget.objects.count() == before


def test_the_schema_lists_the_endpoint(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    assert set(schema["paths"]["/api/v1/agreements/{code}/openslo"]) >= {"get", "post"}
