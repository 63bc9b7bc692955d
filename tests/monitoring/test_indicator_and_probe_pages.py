"""Indicator and probe pages as a service manager: what each form refuses (field by field, nothing saved), what an
edit may not change, and what the detail and list pages show to whom."""

import datetime as dt
import re
from html import unescape

import pytest

from monitoring.intake.ingest import record_samples
from monitoring.models import HttpProbe, Indicator
from tests.factories import ServiceFactory
from tests.monitoring.factories import TargetIndicatorFactory, at, make_values, table_rows


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def indicator_form(service, **fields):
    return {"service": service.pk, "code": "acme-errors", "name": "Acme errors", "kind": "threshold", **fields}


# Indicators.


def test_a_threshold_indicator_is_created_through_the_page(as_manager, acme_service):
    data = indicator_form(acme_service, unit="ms", operator="lte", threshold="250")

    response = as_manager.post("/indicators/new/", data)

    assert response.status_code == 302
    assert response["Location"] == "/indicators/acme-errors/"
    indicator = Indicator.objects.get(code="acme-errors")
    assert (indicator.service, indicator.kind, indicator.operator, indicator.threshold) == (
        acme_service,
        "threshold",
        "lte",
        250.0,
    )


def test_a_threshold_indicator_without_operator_and_threshold_is_refused_field_by_field(as_manager, acme_service):
    response = as_manager.post("/indicators/new/", indicator_form(acme_service))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "operator": ["A threshold indicator needs an operator."],
        "threshold": ["A threshold indicator needs a threshold."],
    }
    assert "A threshold indicator needs an operator." in response.text
    assert not Indicator.objects.exists()


def test_a_ratio_indicator_keeps_no_operator_or_threshold(as_manager, acme_service):
    data = indicator_form(acme_service, kind="ratio", unit="requests", operator="gte", threshold="1")

    response = as_manager.post("/indicators/new/", data)

    assert response.status_code == 302
    indicator = Indicator.objects.get(code="acme-errors")
    assert (indicator.kind, indicator.operator, indicator.threshold) == ("ratio", "", None)


@pytest.mark.parametrize(
    ("code", "message"), [("acme-latency", "already exists"), ("new", "is reserved")], ids=["taken", "reserved"]
)
def test_an_indicator_with_a_taken_or_reserved_code_is_refused(as_manager, acme_indicator, acme_service, code, message):
    response = as_manager.post("/indicators/new/", indicator_form(acme_service, code=code, operator="lt", threshold=1))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["code"])
    assert list(Indicator.objects.values_list("code", flat=True)) == ["acme-latency"]


def test_code_and_kind_are_read_only_on_edit(as_manager, acme_indicator, acme_service):
    # Stored samples were judged by the kind in force when they arrived; the code is what data sources send.
    data = indicator_form(acme_service, code="renamed", name="Acme p95 latency", kind="ratio", operator="lt")
    data["threshold"] = "500"

    response = as_manager.post("/indicators/acme-latency/edit/", data)

    assert response.status_code == 302
    assert response["Location"] == "/indicators/acme-latency/"
    acme_indicator.refresh_from_db()
    assert (acme_indicator.code, acme_indicator.kind, acme_indicator.name) == (
        "acme-latency",
        "threshold",
        "Acme p95 latency",
    )
    assert (acme_indicator.operator, acme_indicator.threshold) == ("lt", 500.0)
    form = as_manager.get("/indicators/acme-latency/edit/").context["form"]
    assert form.fields["code"].disabled
    assert form.fields["kind"].disabled


def test_an_edit_cannot_drop_a_threshold_indicators_threshold(as_manager, acme_indicator, acme_service):
    response = as_manager.post("/indicators/acme-latency/edit/", indicator_form(acme_service, operator="lte"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"threshold": ["A threshold indicator needs a threshold."]}
    acme_indicator.refresh_from_db()
    assert acme_indicator.threshold == 300.0


def test_the_indicator_page_lists_the_latest_samples_newest_first(client, acme_indicator, alice):
    record_samples(acme_indicator, make_values(at("2026-03-02 09:00:00"), range(25)))
    client.force_login(alice)

    response = client.get("/indicators/acme-latency/")

    rows = table_rows(response.text, "latest-samples")
    assert [row[1] for row in rows] == [f"{value}.0" for value in range(24, 4, -1)]
    assert rows[0][2] == "1 / 1"


def test_an_indicator_without_samples_says_so(client, acme_indicator, alice):
    client.force_login(alice)

    response = client.get("/indicators/acme-latency/")

    assert table_rows(response.text, "latest-samples") == [["No samples yet."]]


@pytest.fixture
def shared_indicator(agreement_a, agreement_b):
    """An indicator of a service both customers use, measured by a target of each."""
    service = ServiceFactory(code="shared-dns", name="DNS")
    agreement_a.services.add(service)
    agreement_b.services.add(service)
    indicator = TargetIndicatorFactory(
        target=agreement_a.targets.get(code="availability"), indicator__code="dns-up", indicator__service=service
    ).indicator
    TargetIndicatorFactory(target=agreement_b.targets.get(code="availability"), indicator=indicator)
    return indicator


def targets_shown(client, user):
    client.force_login(user)
    text = client.get("/indicators/dns-up/").text
    return sorted(set(re.findall(r'href="/agreements/([\w-]+)/#target-availability"', text)))


def test_the_indicator_page_lists_only_the_targets_the_viewer_may_see(client, shared_indicator, alice, bob, manager):
    assert targets_shown(client, alice) == ["acme-sla"]
    assert targets_shown(client, bob) == ["globex-sla"]
    assert targets_shown(client, manager) == ["acme-sla", "globex-sla"]


# Probes.


def probe_form(*, availability=None, latency=None, **fields):
    data = {
        "name": "Acme home",
        "code": "acme-home",
        "url": "status.acme.example/health",
        "interval_seconds": 60,
        "timeout_seconds": 5,
        "expected_status": 200,
        "is_active": "on",
        **fields,
    }
    if availability:
        data["availability_indicator"] = availability.pk
    if latency:
        data["latency_indicator"] = latency.pk
    return data


def test_a_probe_is_created_through_the_page(as_manager, acme_indicator, probe_indicator):
    response = as_manager.post("/probes/new/", probe_form(availability=probe_indicator, latency=acme_indicator))

    assert response.status_code == 302
    assert response["Location"] == "/probes/#probe-acme-home"
    probe = HttpProbe.objects.get(code="acme-home")
    assert probe.url == "https://status.acme.example/health"
    assert (probe.availability_indicator, probe.latency_indicator, probe.is_active) == (
        probe_indicator,
        acme_indicator,
        True,
    )


def test_a_probe_without_an_indicator_is_refused(as_manager, acme_indicator):
    response = as_manager.post("/probes/new/", probe_form())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A probe records into an availability indicator, a latency one, or both."
    ]
    assert not HttpProbe.objects.exists()


@pytest.mark.parametrize("timeout", [60, 90])
def test_a_probe_whose_timeout_is_not_shorter_than_its_interval_is_refused(as_manager, acme_indicator, timeout):
    response = as_manager.post("/probes/new/", probe_form(latency=acme_indicator, timeout_seconds=timeout))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["timeout_seconds"][-1] == "The timeout must be shorter than the interval."
    assert not HttpProbe.objects.exists()


def test_a_probe_form_names_every_problem_at_once(as_manager, acme_indicator):
    response = as_manager.post("/probes/new/", probe_form(timeout_seconds=60, interval_seconds=30))

    form = response.context["form"]
    assert form.non_field_errors() == ["A probe records into an availability indicator, a latency one, or both."]
    assert form.errors["timeout_seconds"] == ["The timeout must be shorter than the interval."]
    assert not HttpProbe.objects.exists()


def test_a_probe_records_into_threshold_indicators_only(as_manager, acme_requests):
    response = as_manager.post("/probes/new/", probe_form(availability=acme_requests))

    assert "availability_indicator" in response.context["form"].errors
    assert not HttpProbe.objects.exists()


def test_a_probes_code_is_read_only_on_edit(as_manager, acme_indicator):
    HttpProbe.objects.create(
        name="Acme home", code="acme-home", url="https://acme.example/", latency_indicator=acme_indicator
    )

    response = as_manager.post(
        "/probes/acme-home/edit/", probe_form(latency=acme_indicator, code="renamed", interval_seconds=300)
    )

    assert response.status_code == 302
    probe = HttpProbe.objects.get()
    assert (probe.code, probe.interval_seconds) == ("acme-home", 300)


def probe_row(html, code):
    row = re.search(rf'<tr id="probe-{code}">(.*?)</tr>', html, re.S)
    assert row, f"no row for probe {code}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]


def test_the_probe_list_shows_each_probes_last_result(as_manager, acme_indicator, probe_indicator):
    ran = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    common = {"url": "https://acme.example/", "availability_indicator": probe_indicator}
    HttpProbe.objects.create(name="Up", code="up", last_run_at=ran, last_up=True, last_latency_ms=123.4, **common)
    HttpProbe.objects.create(
        name="Down", code="down", last_run_at=ran, last_up=False, last_error="status 500, expected 200", **common
    )
    HttpProbe.objects.create(name="New", code="never", **common)
    HttpProbe.objects.create(name="Paused", code="paused", is_active=False, latency_indicator=acme_indicator, **common)

    html = as_manager.get("/probes/").text

    assert probe_row(html, "up")[5] == "up 123 ms"
    assert probe_row(html, "down")[5] == "down status 500, expected 200"
    assert probe_row(html, "never")[4:6] == ["—", "—"]
    assert probe_row(html, "paused")[3] == "checkout-up acme-latency"
    assert probe_row(html, "paused")[5] == "— paused"
    assert probe_row(html, "up")[4] != "—"


def test_a_probe_cannot_record_availability_and_latency_into_one_indicator(client, manager):
    from monitoring.models import HttpProbe
    from tests.monitoring.factories import ThresholdIndicatorFactory

    indicator = ThresholdIndicatorFactory(code="shop-up")
    client.force_login(manager)
    response = client.post(
        "/probes/new/",
        {
            "name": "Shop",
            "code": "shop",
            "url": "https://shop.example/health",
            "interval_seconds": "60",
            "timeout_seconds": "5",
            "expected_status": "200",
            "availability_indicator": str(indicator.pk),
            "latency_indicator": str(indicator.pk),
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Availability and latency need two different indicators." in response.text
    assert not HttpProbe.objects.exists()
