"""Burn-rate alerts over the API (/api/v1/alerts): read by the ladder's rules (a customer user reads their own
targets' alerts), filtered by state, severity and agreement; acknowledged and silenced as on the alert page, by those
who may (``acknowledge_alert``), through the page's forms and code."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.choices import AlertState
from monitoring.models import Alert, BurnRateRule
from tests.api_ladder import Call, climb

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def now(time_machine):
    instant = timezone.now().replace(microsecond=0)
    time_machine.move_to(instant, tick=False)
    return instant


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_login(manager)
    return client


def alert(target, rule, started, state=AlertState.FIRING):
    return Alert.objects.create(
        target=target,
        rule=BurnRateRule.objects.get(name=rule),
        state=state,
        started_at=started,
        resolved_at=started + HOUR if state == AlertState.RESOLVED else None,
        long_burn=Decimal("20.5"),
        short_burn=Decimal("30"),
    )


@pytest.fixture
def alerts(agreement_a, agreement_b, now):
    a, b = agreement_a.targets.get(), agreement_b.targets.get()
    return {
        "a-page": alert(a, "page-1h", now - HOUR),
        "a-ticket": alert(a, "ticket-3d", now - 5 * HOUR, AlertState.RESOLVED),
        "b-page": alert(b, "page-6h", now - 2 * HOUR),
    }


def ids(response):
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


def test_alerts_climb_the_ladder_and_a_customer_reads_their_own(alerts, alice, bob, manager):
    climb(Call("get", "/api/v1/alerts", scoped=False), owner=alice, outsider=bob, manager=manager)
    read = climb(Call("get", f"/api/v1/alerts/{alerts['a-page'].pk}"), owner=alice, outsider=bob, manager=manager)

    assert (read.data["agreement"], read.data["target"], read.data["rule"], read.data["severity"]) == (
        "acme-sla",
        "availability",
        "page-1h",
        "page",
    )
    assert (read.data["state"], read.data["long_burn"], read.data["silenced"]) == ("firing", "20.500000", False)
    client = APIClient()
    client.force_login(alice)
    assert ids(client.get("/api/v1/alerts")) == [alerts["a-page"].pk, alerts["a-ticket"].pk]


@pytest.mark.parametrize(("step", "body"), [("acknowledge", {"note": "On it"}), ("silence", {"hours": 4})])
def test_acknowledging_and_silencing_climb_the_ladder(alerts, alice, bob, manager, step, body):
    climb(
        Call("post", f"/api/v1/alerts/{alerts['a-page'].pk}/{step}", body),
        owner=alice,
        outsider=bob,
        manager=manager,
        allowed_status=200,
    )


def test_a_manager_acknowledges_with_a_note_as_on_the_page(api, alerts, manager, now):
    response = api.post(f"/api/v1/alerts/{alerts['a-page'].pk}/acknowledge", {"note": "Rolling back"}, format="json")

    assert response.status_code == 200
    assert (response.data["acknowledged_by"], response.data["acknowledgement"]) == ("manager", "Rolling back")
    stored = Alert.objects.get(pk=alerts["a-page"].pk)
    assert (stored.acknowledged_by, stored.acknowledged_at, stored.acknowledgement) == (manager, now, "Rolling back")


def test_a_silence_lasts_the_hours_chosen_and_zero_lifts_it(api, alerts, now):
    url = f"/api/v1/alerts/{alerts['a-page'].pk}/silence"

    silenced = api.post(url, {"hours": 4}, format="json")
    assert silenced.status_code == 200
    assert silenced.data["silenced"] is True
    assert Alert.objects.get(pk=alerts["a-page"].pk).silenced_until == now + 4 * HOUR

    lifted = api.post(url, {"hours": 0}, format="json")
    assert lifted.data["silenced"] is False
    assert Alert.objects.get(pk=alerts["a-page"].pk).silenced_until is None


@pytest.mark.parametrize(
    ("step", "body", "errors"),
    [
        ("silence", {"hours": 5}, {"hours": ["Select a valid choice. 5 is not one of the available choices."]}),
        ("silence", {}, {"hours": ["This field is required."]}),
        ("acknowledge", {"note": "x" * 501}, {"note": ["Ensure this value has at most 500 characters (it has 501)."]}),
        ("acknowledge", {"notes": "typo"}, {"notes": ["There is no such field."]}),
    ],
)
def test_what_the_pages_forms_refuse_is_refused_and_nothing_changes(api, alerts, step, body, errors):
    response = api.post(f"/api/v1/alerts/{alerts['a-page'].pk}/{step}", body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    stored = Alert.objects.get(pk=alerts["a-page"].pk)
    assert (stored.acknowledged_at, stored.silenced_until) == (None, None)


def test_a_step_on_an_alert_read_before_it_changed_is_refused(api, alerts):
    url = f"/api/v1/alerts/{alerts['a-page'].pk}"
    tag = api.get(url)["ETag"]
    api.post(url + "/acknowledge", {"note": "First"}, format="json", HTTP_IF_MATCH=tag)

    late = api.post(url + "/acknowledge", {"note": "Second"}, format="json", HTTP_IF_MATCH=tag)

    assert late.status_code == 412
    assert Alert.objects.get(pk=alerts["a-page"].pk).acknowledgement == "First"


def test_alerts_filter_by_state_severity_and_agreement_sort_and_page(api, alerts):
    a = {key: row.pk for key, row in alerts.items()}

    assert ids(api.get("/api/v1/alerts?state=firing")) == [a["a-page"], a["b-page"]]
    assert ids(api.get("/api/v1/alerts?severity=ticket")) == [a["a-ticket"]]
    assert ids(api.get("/api/v1/alerts?agreement=globex-sla")) == [a["b-page"]]
    assert ids(api.get("/api/v1/alerts?ordering=started_at")) == [a["a-ticket"], a["b-page"], a["a-page"]]
    first = api.get("/api/v1/alerts?page_size=2")
    assert ids(first) == [a["a-page"], a["b-page"]]
    assert ids(api.get(first.data["next"])) == [a["a-ticket"]]


def test_the_schema_lists_the_alert_endpoints_and_their_steps(api):
    schema = api.get("/api/schema/?format=json").json()

    assert "get" in schema["paths"]["/api/v1/alerts"]
    for step in ("acknowledge", "silence"):
        operation = schema["paths"][f"/api/v1/alerts/{{id}}/{step}"]["post"]
        assert {"200", "400", "403", "404", "412"} <= set(operation["responses"])
    assert set(schema["components"]["schemas"]["Silence"]["properties"]) == {"hours"}
