"""Compliance snapshots (/api/v1/snapshots) and breaches (/api/v1/breaches) over the API, to read: the ladder (a
customer user reads their own organisation's rows, another's answer 404), the filters (agreement, target, period,
from/to, status; open or closed, since), ordering and cursor paging. Rows are built relative to now."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.choices import BudgetingMethod
from monitoring.choices import BreachKind, BudgetUnit, SnapshotStatus
from monitoring.models import Breach, ComplianceSnapshot
from tests.api_ladder import Call, climb

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


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


def as_person(person):
    client = APIClient()
    client.force_login(person)
    return client


def snapshot(target, start, label, status, *, closed=True, attainment="0.999"):
    return ComplianceSnapshot.objects.create(
        target=target,
        period_start=start,
        period_end=start + 30 * DAY,
        period_label=label,
        is_closed=closed,
        is_current=not closed,
        objective=Decimal("99.900"),
        method=BudgetingMethod.OCCURRENCES,
        good=int(Decimal(attainment) * 1000),
        total=1000,
        attainment=Decimal(attainment),
        budget_unit=BudgetUnit.EVENTS,
        budget_total=Decimal(1),
        budget_consumed=1000 - int(Decimal(attainment) * 1000),
        status=status,
        computed_at=min(start + 30 * DAY, timezone.now()),
    )


@pytest.fixture
def snapshots(agreement_a, agreement_b, now):
    """A's availability: two closed periods (met, then breached) and the one running; B's: one closed period."""
    a, b = agreement_a.targets.get(), agreement_b.targets.get()
    return {
        "a-old": snapshot(a, now - 70 * DAY, "P-2", SnapshotStatus.MET, attainment="0.9995"),
        "a-last": snapshot(a, now - 40 * DAY, "P-1", SnapshotStatus.BREACHED, attainment="0.995"),
        "a-now": snapshot(a, now - 10 * DAY, "P-0", SnapshotStatus.ON_TRACK, closed=False, attainment="0.9992"),
        "b-last": snapshot(b, now - 40 * DAY, "P-1", SnapshotStatus.MET),
    }


def ids(response):
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


# --- snapshots -------------------------------------------------------------------------------------------------------


def test_snapshots_climb_the_ladder_and_a_customer_reads_their_own(snapshots, alice, bob, manager):
    climb(Call("get", "/api/v1/snapshots", scoped=False), owner=alice, outsider=bob, manager=manager)
    read = climb(Call("get", f"/api/v1/snapshots/{snapshots['a-last'].pk}"), owner=alice, outsider=bob, manager=manager)

    assert (read.data["agreement"], read.data["target"], read.data["period"]) == ("acme-sla", "availability", "P-1")
    assert (read.data["status"], read.data["attainment"], read.data["attainment_percent"]) == (
        "breached",
        "0.995000000000",
        "99.5000000000",
    )
    assert read.data["closed"] is True
    mine = {snapshots[key].pk for key in ("a-old", "a-last", "a-now")}
    assert set(ids(as_person(alice).get("/api/v1/snapshots"))) == mine
    assert set(ids(as_person(bob).get("/api/v1/snapshots"))) == {snapshots["b-last"].pk}


def test_snapshots_are_read_only(api, snapshots):
    url = f"/api/v1/snapshots/{snapshots['a-last'].pk}"

    assert api.post("/api/v1/snapshots", {}, format="json").status_code == 405
    assert api.patch(url, {"status": "met"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert APIClient().get(url).status_code == 401
    assert ComplianceSnapshot.objects.get(pk=snapshots["a-last"].pk).status == SnapshotStatus.BREACHED


def test_snapshots_filter_by_agreement_target_period_status_and_time(api, snapshots, now):
    s = {key: row.pk for key, row in snapshots.items()}

    assert ids(api.get("/api/v1/snapshots?agreement=acme-sla")) == [s["a-now"], s["a-last"], s["a-old"]]
    assert ids(api.get("/api/v1/snapshots?target=availability&period=P-1")) == [s["b-last"], s["a-last"]]
    assert ids(api.get("/api/v1/snapshots?status=breached")) == [s["a-last"]]
    assert ids(api.get("/api/v1/snapshots?closed=false")) == [s["a-now"]]
    since = (now - 35 * DAY).isoformat()
    assert ids(api.get("/api/v1/snapshots", {"from": since, "agreement": "acme-sla"})) == [s["a-now"], s["a-last"]]
    assert ids(api.get("/api/v1/snapshots", {"to": since, "agreement": "acme-sla"})) == [s["a-last"], s["a-old"]]
    assert api.get("/api/v1/snapshots?status=nonsense").status_code == 400


def test_a_customer_cannot_filter_by_another_customers_agreement(snapshots, alice):
    response = as_person(alice).get("/api/v1/snapshots?agreement=globex-sla")

    assert response.status_code == 400
    assert "globex" not in str(response.data).replace("globex-sla", "")


def test_snapshots_sort_and_page_by_cursor(api, snapshots):
    s = {key: row.pk for key, row in snapshots.items()}

    newest = [s["a-now"], s["a-last"], s["a-old"]]
    assert ids(api.get("/api/v1/snapshots?agreement=acme-sla&ordering=-period_start")) == newest
    # Attainment may be empty (no data yet): a cursor cannot place a row by it, so it sorts as the list does.
    assert ids(api.get("/api/v1/snapshots?agreement=acme-sla&ordering=attainment")) == ids(
        api.get("/api/v1/snapshots?agreement=acme-sla")
    )
    first = api.get("/api/v1/snapshots?agreement=acme-sla&ordering=period_start&page_size=2")
    assert ids(first) == [s["a-old"], s["a-last"]]
    assert ids(api.get(first.data["next"])) == [s["a-now"]]


# --- breaches --------------------------------------------------------------------------------------------------------


def breach(target, start, kind, *, ended=None, days=30):
    return Breach.objects.create(
        target=target,
        period_start=start,
        period_end=start + days * DAY,
        period_label=f"{kind} {start:%m-%d}",
        kind=kind,
        detected_at=start + DAY,
        attainment=Decimal("0.99"),
        objective=Decimal("99.900"),
        ended_at=ended,
    )


@pytest.fixture
def breaches(agreement_a, agreement_b, now):
    """A: a missed period (over), a budget spent in the period running now (open), a rolling episode that ended;
    B: a rolling episode going on."""
    a, b = agreement_a.targets.get(), agreement_b.targets.get()
    return {
        "a-missed": breach(a, now - 60 * DAY, BreachKind.PERIOD_MISSED),
        "a-spent": breach(a, now - 10 * DAY, BreachKind.BUDGET_EXHAUSTED),
        "a-episode": breach(a, now - 20 * DAY, BreachKind.WINDOW_EXHAUSTED, ended=now - 15 * DAY),
        "b-episode": breach(b, now - 5 * DAY, BreachKind.WINDOW_EXHAUSTED),
    }


def test_breaches_climb_the_ladder_and_say_whether_they_go_on(breaches, alice, bob, manager):
    climb(Call("get", "/api/v1/breaches", scoped=False), owner=alice, outsider=bob, manager=manager)
    read = climb(Call("get", f"/api/v1/breaches/{breaches['a-spent'].pk}"), owner=alice, outsider=bob, manager=manager)

    assert (read.data["agreement"], read.data["kind"], read.data["open"]) == ("acme-sla", "budget_exhausted", True)
    assert set(ids(as_person(alice).get("/api/v1/breaches"))) == {
        breaches[key].pk for key in ("a-missed", "a-spent", "a-episode")
    }


def test_breaches_filter_by_open_or_closed_since_and_agreement(api, breaches, alice, now):
    b = {key: row.pk for key, row in breaches.items()}

    assert ids(api.get("/api/v1/breaches?open=true")) == [b["b-episode"], b["a-spent"]]
    assert ids(api.get("/api/v1/breaches?open=false")) == [b["a-episode"], b["a-missed"]]
    assert ids(as_person(alice).get("/api/v1/breaches?open=true")) == [b["a-spent"]]
    since = (now - 25 * DAY).isoformat()
    assert ids(api.get("/api/v1/breaches", {"since": since, "agreement": "acme-sla"})) == [b["a-spent"], b["a-episode"]]
    assert ids(api.get("/api/v1/breaches?target=availability&kind=window_exhausted")) == [
        b["b-episode"],
        b["a-episode"],
    ]
    assert [row["open"] for row in api.get("/api/v1/breaches?ordering=detected_at").data["results"]] == [
        False,
        False,
        True,
        True,
    ]


def test_breaches_page_by_cursor(api, breaches):
    first = api.get("/api/v1/breaches?page_size=3")
    assert len(first.data["results"]) == 3
    assert ids(api.get(first.data["next"])) == [breaches["a-missed"].pk]


def test_the_schema_lists_the_snapshot_and_breach_endpoints(api):
    schema = api.get("/api/schema/?format=json").json()

    for path in ("/api/v1/snapshots", "/api/v1/breaches"):
        assert set(schema["paths"][path]) == {"get"}
        assert not {"post", "put", "patch", "delete"} & set(schema["paths"][path + "/{id}"])
        assert "get" in schema["paths"][path + "/{id}"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/snapshots"]["get"]["parameters"]}
    assert {"agreement", "target", "period", "from", "to", "status", "ordering", "cursor"} <= parameters
    parameters = {p["name"] for p in schema["paths"]["/api/v1/breaches"]["get"]["parameters"]}
    assert {"agreement", "target", "open", "since"} <= parameters
