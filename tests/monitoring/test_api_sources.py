"""The sources of measurements and tickets over the API: data sources (/api/v1/data-sources), Prometheus sources
(/api/v1/prometheus-sources) and service desks (/api/v1/service-desks). Service managers' rows: the ladder's read-only
rung is a person who may view them, the outsider a customer user (who finds none). No token, hash or secret is ever
read back; a creation answers the new token once, as the page shows it once."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.models import DataSource, PrometheusQuery, PrometheusSource, TicketSource
from tests.api_ladder import Call, climb
from tests.factories import ServiceFactory, UserFactory
from tests.monitoring.factories import data_source_with_token
from tests.monitoring.ticket_helpers import desk

pytestmark = pytest.mark.django_db

SECRET = "prom-s3cret-value"  # noqa: S105 - a test secret


@pytest.fixture
def auditor(db):
    """May read every source, change none."""
    person = UserFactory(username="auditor")
    codenames = ["view_datasource", "view_prometheussource", "view_ticketsource", "view_indicator"]
    person.user_permissions.set(Permission.objects.filter(content_type__app_label="monitoring", codename__in=codenames))
    return person


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_login(manager)
    return client


def body_text(response):
    return json.dumps(response.json())


def ladder(path, body, item, *, auditor, alice, manager):
    """Every rung of the list, a creation, a read and the changes of one row."""
    climb(Call("get", path, scoped=False), owner=auditor, outsider=alice, manager=manager)
    created = climb(Call("post", path, body, scoped=False), owner=auditor, outsider=alice, manager=manager)
    climb(Call("get", f"{path}/{item}"), owner=auditor, outsider=alice, manager=manager)
    climb(Call("patch", f"{path}/{item}", {"name": "Renamed"}), owner=auditor, outsider=alice, manager=manager)
    return created


# --- data sources ----------------------------------------------------------------------------------------------------


def test_data_sources_climb_the_ladder_and_a_customer_finds_none(acme_indicator, auditor, alice, manager):
    data_source_with_token(indicators=[acme_indicator], code="nagios", name="Nagios")
    body = {"code": "zabbix", "name": "Zabbix", "indicators": ["acme-latency"]}

    ladder("/api/v1/data-sources", body, "nagios", auditor=auditor, alice=alice, manager=manager)

    assert DataSource.objects.get(code="nagios").name == "Renamed"
    assert list(DataSource.objects.order_by("code").values_list("code", flat=True)) == ["nagios", "zabbix"]
    client = APIClient()
    client.force_login(alice)
    assert client.get("/api/v1/data-sources").data["results"] == []


def test_a_new_data_source_answers_its_token_once_and_never_again(api, manager, acme_indicator):
    response = api.post(
        "/api/v1/data-sources", {"code": "zabbix", "name": "Zabbix", "indicators": ["acme-latency"]}, format="json"
    )

    assert response.status_code == 201, response.data
    token = response.data["token"]
    source = DataSource.objects.get(code="zabbix")
    assert DataSource.objects.authenticate(token) == source
    assert (source.created_by, list(source.indicators.all())) == (manager, [acme_indicator])
    assert response.data["token_hint"] == token[:12]
    for read in (api.get("/api/v1/data-sources"), api.get("/api/v1/data-sources/zabbix")):
        assert read.status_code == 200
        assert token not in body_text(read)
        assert source.token_hash not in body_text(read)
        assert "token" not in (read.data.get("results") or [read.data])[0]
    changed = api.patch("/api/v1/data-sources/zabbix", {"name": "Zabbix 7"}, format="json")
    assert "token" not in changed.data
    assert source.token_hash not in body_text(changed)
    assert DataSource.objects.authenticate(token).name == "Zabbix 7"  # a change keeps the token


def test_a_data_source_code_stays_and_a_taken_code_is_refused_with_the_pages_message(api, acme_indicator):
    data_source_with_token(code="nagios", name="Nagios")

    taken = api.post("/api/v1/data-sources", {"code": "nagios", "name": "Second"}, format="json")
    renamed = api.patch("/api/v1/data-sources/nagios", {"code": "icinga"}, format="json")

    assert taken.status_code == 400
    assert taken.json() == {"code": ["Data source with this Code already exists."]}
    assert renamed.status_code == 400
    assert list(DataSource.objects.values_list("code", "name")) == [("nagios", "Nagios")]


def test_data_sources_filter_sort_and_page(api, acme_indicator, acme_requests):
    data_source_with_token(indicators=[acme_indicator], code="a-probe")
    data_source_with_token(indicators=[acme_requests], code="b-logs")
    revoked, _token = data_source_with_token(code="c-old")
    revoked.revoke()

    def codes(query):
        return [row["code"] for row in api.get("/api/v1/data-sources" + query).data["results"]]

    assert codes("?indicator=acme-latency") == ["a-probe"]
    assert codes("?active=false") == ["c-old"]
    assert codes("?ordering=-code") == ["c-old", "b-logs", "a-probe"]
    first = api.get("/api/v1/data-sources?ordering=code&page_size=1")
    assert [row["code"] for row in api.get(first.data["next"]).data["results"]] == ["b-logs"]


# --- Prometheus sources ----------------------------------------------------------------------------------------------


def prometheus_body(**fields):
    return {
        "code": "prom-main",
        "name": "Main Prometheus",
        "base_url": "https://prometheus.example.com",
        "auth": "bearer",
        "secret": SECRET,
        "timeout_seconds": 10,
        "is_active": True,
        **fields,
    }


def test_prometheus_sources_climb_the_ladder(auditor, alice, manager):
    PrometheusSource.objects.create(code="prom-old", name="Old", base_url="https://old.example.com")

    ladder("/api/v1/prometheus-sources", prometheus_body(), "prom-old", auditor=auditor, alice=alice, manager=manager)

    assert PrometheusSource.objects.get(code="prom-old").name == "Renamed"
    assert PrometheusSource.objects.filter(code="prom-main").count() == 1


def test_a_prometheus_secret_is_written_kept_encrypted_and_never_read_back(api):
    created = api.post("/api/v1/prometheus-sources", prometheus_body(), format="json")
    kept = api.patch("/api/v1/prometheus-sources/prom-main", {"timeout_seconds": 20}, format="json")

    assert (created.status_code, kept.status_code) == (201, 200)
    source = PrometheusSource.objects.get(code="prom-main")
    assert source.secret() == SECRET
    assert source.timeout_seconds == 20
    for response in (
        created,
        kept,
        api.get("/api/v1/prometheus-sources/prom-main"),
        api.get("/api/v1/prometheus-sources"),
    ):
        assert SECRET not in body_text(response)
        assert source.secret_encrypted not in body_text(response)
    assert "secret" not in kept.data
    assert kept.data["has_secret"] is True


def test_authentication_without_a_secret_is_refused_with_the_pages_message(api):
    response = api.post("/api/v1/prometheus-sources", prometheus_body(secret=""), format="json")

    assert response.status_code == 400
    assert response.json() == {"secret": ["This authentication needs a token or password, or an environment variable."]}
    assert not PrometheusSource.objects.exists()


def test_a_prometheus_source_reads_its_state(api, acme_indicator, acme_requests, time_machine):
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    source = PrometheusSource.objects.create(
        code="prom-main",
        name="Main",
        base_url="https://prometheus.example.com",
        last_pull_at=now - dt.timedelta(minutes=1),
        last_error="connection refused",
        last_error_at=now - dt.timedelta(minutes=1),
    )
    PrometheusQuery.objects.create(
        source=source,
        indicator=acme_requests,
        good_query="good",
        total_query="all",
        pulled_until=now - dt.timedelta(minutes=7),
    )
    PrometheusQuery.objects.create(
        source=source, indicator=acme_indicator, value_query="latency", pulled_until=now - dt.timedelta(minutes=3)
    )

    state = api.get("/api/v1/prometheus-sources/prom-main").data

    assert state["minutes_behind"] == 7
    assert state["last_error"] == "connection refused"
    assert state["queries"] == ["acme-latency", "acme-requests"]
    assert dt.datetime.fromisoformat(state["pulled_until"]) == now - dt.timedelta(minutes=7)
    assert api.get("/api/v1/prometheus-sources?active=false").data["results"] == []


# --- service desks ---------------------------------------------------------------------------------------------------


def test_service_desks_climb_the_ladder(agreement_a, auditor, alice, manager):
    service = agreement_a.services.first()
    desk([agreement_a.customer], [service], code="zammad")
    body = {"code": "jira", "name": "Jira", "customers": ["acme"], "services": [service.code]}

    ladder("/api/v1/service-desks", body, "zammad", auditor=auditor, alice=alice, manager=manager)

    assert TicketSource.objects.get(code="zammad").name == "Renamed"
    jira = TicketSource.objects.get(code="jira")
    assert (list(jira.customers.all()), list(jira.services.all())) == ([agreement_a.customer], [service])


def test_a_new_desk_answers_its_token_and_signing_key_once(api, manager, agreement_a):
    service = agreement_a.services.first()

    created = api.post(
        "/api/v1/service-desks",
        {"code": "jira", "name": "Jira", "customers": ["acme"], "services": [service.code]},
        format="json",
    )

    assert created.status_code == 201, created.data
    desk_row = TicketSource.objects.get(code="jira")
    assert TicketSource.objects.authenticate(created.data["token"]) == desk_row
    assert created.data["signing_key"] == desk_row.signing_key
    assert created.data["webhook_url"] == "http://testserver/api/v1/ticket-events/webhook/jira"
    assert desk_row.created_by == manager
    for read in (api.get("/api/v1/service-desks/jira"), api.get("/api/v1/service-desks")):
        for secret in (created.data["token"], desk_row.signing_key, desk_row.token_hash, desk_row.signing_nonce):
            assert secret not in body_text(read)
    assert api.patch("/api/v1/service-desks/jira", {"name": "Jira Cloud"}, format="json").status_code == 200
    assert TicketSource.objects.authenticate(created.data["token"]).signing_key == created.data["signing_key"]


def test_a_desks_state_names_are_read_only_over_the_api(api, agreement_a):
    desk(
        [agreement_a.customer], [agreement_a.services.first()], code="zammad", state_map={"Pending": "waiting_customer"}
    )

    read = api.get("/api/v1/service-desks/zammad")
    refused = api.patch("/api/v1/service-desks/zammad", {"state_names": {"Open": "open"}}, format="json")
    renamed = api.patch("/api/v1/service-desks/zammad", {"name": "Zammad"}, format="json")

    assert read.data["state_names"] == {"Pending": "waiting_customer"}
    assert refused.status_code == 400
    assert refused.json() == {"state_names": ["There is no such field."]}
    assert renamed.status_code == 200
    assert TicketSource.objects.get(code="zammad").state_map == {"Pending": "waiting_customer"}


def test_service_desks_filter_by_customer_and_sort(api, agreement_a, agreement_b):
    desk([agreement_a.customer], [agreement_a.services.first()], code="acme-desk")
    desk([agreement_b.customer], [ServiceFactory()], code="globex-desk")

    def codes(query):
        return [row["code"] for row in api.get("/api/v1/service-desks" + query).data["results"]]

    assert codes("?customer=acme") == ["acme-desk"]
    assert codes("?ordering=-code") == ["globex-desk", "acme-desk"]


def test_the_schema_lists_the_source_endpoints_and_the_write_only_secret(api):
    schema = api.get("/api/schema/?format=json").json()

    for path in ("/api/v1/data-sources", "/api/v1/prometheus-sources", "/api/v1/service-desks"):
        assert {"get", "post"} <= set(schema["paths"][path])
        assert {"get", "put", "patch"} <= set(schema["paths"][path + "/{code}"])
    components = schema["components"]["schemas"]
    assert "secret" in components["PrometheusSourceWrite"]["properties"]
    assert "secret" not in components["PrometheusSource"]["properties"]
    assert "token" in components["NewDataSource"]["properties"]
    assert "token" not in components["DataSource"]["properties"]
    assert {"token", "signing_key"} <= set(components["NewServiceDesk"]["properties"])
    assert set(components["ServiceDeskWrite"]["required"]) == {"code", "name", "customers", "services"}
    assert components["ServiceDeskWrite"]["properties"]["customers"]["items"] == {"type": "string"}
