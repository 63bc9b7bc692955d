"""Indicators over the API (/api/v1/indicators): the permission ladder, the page's form and its rules (a ticket
indicator's goals per priority as versions, fields fixed once made), the clocks rebuilt after a save as on the page,
filters, ordering, cursor paging, ETags and the schema."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.models import Indicator, TicketGoal
from monitoring.tasks import rebuild_ticket_indicator
from tests.api_ladder import Call, climb
from tests.factories import BusinessCalendarFactory, CustomerFactory, ServiceFactory
from tests.monitoring.evaluation_helpers import active_agreement
from tests.monitoring.factories import IndicatorFactory, ThresholdIndicatorFactory
from tests.monitoring.ticket_helpers import ticket_indicator

pytestmark = pytest.mark.django_db

URL = "/api/v1/indicators"


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_login(manager)
    return client


@pytest.fixture
def desk_service(agreement_a):
    """A service of customer A's agreement, with office hours to count ticket clocks in."""
    service = ServiceFactory(code="service-desk", name="Service desk")
    agreement_a.services.add(service)
    BusinessCalendarFactory(code="office-hours")
    return service


def ticket_body(**fields):
    return {
        "service": "service-desk",
        "code": "acme-resolution",
        "name": "Acme tickets resolved",
        "kind": "ticket",
        "customer": "acme",
        "ticket_metric": "resolution",
        "business_hours": "office-hours",
        "pause_categories": ["waiting_customer"],
        "warning_points": [50, 75],
        "goals": [{"priority": "P1", "goal": "4:00"}, {"priority": "P2", "goal": "8:00"}],
        **fields,
    }


def stored_goals(indicator):
    return [
        (goal.priority, goal.minutes, goal.effective_from)
        for goal in TicketGoal.objects.filter(indicator=indicator).order_by("priority", "effective_from")
    ]


# --- the ladder ----------------------------------------------------------------------------------------------------


def test_reading_climbs_the_ladder_and_a_customer_reads_only_their_services_indicators(
    acme_indicator, alice, bob, manager
):
    other = IndicatorFactory(code="globex-requests")
    climb(Call("get", URL, scoped=False), owner=alice, outsider=bob, manager=manager)
    response = climb(Call("get", f"{URL}/acme-latency"), owner=alice, outsider=bob, manager=manager)

    assert response.data["service"] == "acme-only"
    assert (response.data["kind"], response.data["operator"], response.data["threshold"]) == ("threshold", "lte", 300)
    client = APIClient()
    client.force_login(alice)
    assert [row["code"] for row in client.get(URL).data["results"]] == ["acme-latency"]
    client.force_login(manager)
    assert {row["code"] for row in client.get(URL).data["results"]} == {"acme-latency", other.code}


def test_creating_climbs_the_ladder_and_stores_one_indicator(acme_service, alice, bob, manager):
    body = {"service": "acme-only", "code": "acme-errors", "name": "Acme errors", "kind": "ratio", "unit": "requests"}

    response = climb(Call("post", URL, body, scoped=False), owner=alice, outsider=bob, manager=manager)

    assert response.data["code"] == "acme-errors"
    indicator = Indicator.objects.get(code="acme-errors")
    assert (indicator.service, indicator.kind, indicator.unit) == (acme_service, "ratio", "requests")


def test_changing_climbs_the_ladder_and_nothing_the_refused_sent_is_kept(acme_indicator, alice, bob, manager):
    for method in ("patch", "put"):
        body = {"name": f"Latency ({method})", "threshold": 250}
        if method == "put":
            body |= {"service": "acme-only", "code": "acme-latency", "kind": "threshold", "operator": "lte"}
        climb(Call(method, f"{URL}/acme-latency", body), owner=alice, outsider=bob, manager=manager)
        acme_indicator.refresh_from_db()
        assert (acme_indicator.name, acme_indicator.threshold) == (f"Latency ({method})", 250)


def test_indicators_are_not_deleted_over_the_api_as_on_the_pages(api, acme_indicator):
    assert api.delete(f"{URL}/acme-latency").status_code == 405
    assert Indicator.objects.filter(code="acme-latency").exists()


# --- the page's rules ---------------------------------------------------------------------------------------------


def test_a_ticket_indicator_is_made_with_its_goals_and_its_clocks_are_rebuilt_after_the_save(
    api, desk_service, customer_a, django_capture_on_commit_callbacks, time_machine
):
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=False)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(URL, ticket_body(), format="json")

    assert response.status_code == 201, response.data
    indicator = Indicator.objects.get(code="acme-resolution")
    assert (indicator.customer, indicator.ticket_metric, indicator.business_hours.code) == (
        customer_a,
        "resolution",
        "office-hours",
    )
    assert (indicator.pause_categories, indicator.warning_points) == (["waiting_customer"], [50, 75])
    assert stored_goals(indicator) == [("P1", 240, now), ("P2", 480, now)]
    assert response.data["goals"] == [
        {
            "priority": "P1",
            "goal": "4:00",
            "minutes": 240,
            "effective_from": response.data["goals"][0]["effective_from"],
        },
        {
            "priority": "P2",
            "goal": "8:00",
            "minutes": 480,
            "effective_from": response.data["goals"][1]["effective_from"],
        },
    ]
    assert response.data["warning_points"] == [50, 75]
    assert [(callback.func, callback.args) for callback in callbacks] == [
        (rebuild_ticket_indicator.delay, (indicator.pk,))
    ]


def test_a_goal_changed_is_a_new_version_and_a_priority_left_out_keeps_its_goal(
    api, desk_service, customer_a, time_machine
):
    before = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    indicator = ticket_indicator(customer_a, desk_service, "resolution", {"P1": 240, "P2": 480}, since=before)
    now = before + dt.timedelta(days=3)
    time_machine.move_to(now, tick=False)

    response = api.patch(f"{URL}/{indicator.code}", {"goals": [{"priority": "P1", "goal": "2:00"}]}, format="json")

    assert response.status_code == 200, response.data
    assert stored_goals(indicator) == [("P1", 240, before), ("P1", 120, now), ("P2", 480, before)]
    assert [(row["priority"], row["goal"]) for row in response.data["goals"]] == [("P1", "2:00"), ("P2", "8:00")]


def test_sending_the_goals_as_they_read_changes_nothing(api, desk_service, customer_a):
    indicator = ticket_indicator(customer_a, desk_service, "resolution", {"P1": 240})
    Indicator.objects.filter(pk=indicator.pk).update(unit="")  # as the form saves a ticket indicator
    read = api.get(f"{URL}/{indicator.code}").data
    body = {key: value for key, value in read.items() if key != "goals"}
    body["goals"] = [{"priority": row["priority"], "goal": row["goal"]} for row in read["goals"]]

    response = api.put(f"{URL}/{indicator.code}", body, format="json")

    assert response.status_code == 200, response.data
    assert len(stored_goals(indicator)) == 1
    assert response.data == read


@pytest.mark.parametrize(
    ("goals", "errors"),
    [
        ([{"priority": "P1", "goal": ""}], {0: {"goal": ["Give the goal of priority P1."]}}),
        (
            [{"priority": "P3", "goal": "4h"}],
            {
                0: {
                    "goal": [
                        "“4h” is not a goal: write hours and minutes of business time, such as 4:00, 0:30 or 27:00."
                    ]
                }
            },
        ),
        (
            [{"priority": "P3", "goal": "1:00"}, {"priority": "P3", "goal": "2:00"}],
            {1: {"priority": ["Priority P3 is given twice."]}},
        ),
        ([{"priority": "P3", "minutes": 60}], {0: {"minutes": ["There is no such field."]}}),
        ("P1 4:00", ["A list of objects is expected."]),
    ],
)
def test_goals_the_page_refuses_are_refused_by_the_bodys_row_and_nothing_is_stored(
    api, desk_service, customer_a, goals, errors
):
    indicator = ticket_indicator(customer_a, desk_service, "resolution", {"P1": 240})

    response = api.patch(f"{URL}/{indicator.code}", {"goals": goals, "name": "Renamed"}, format="json")

    assert response.status_code == 400
    expected = {str(key): value for key, value in errors.items()} if isinstance(errors, dict) else errors
    assert response.json()["goals"] == expected
    indicator.refresh_from_db()
    assert indicator.name != "Renamed"
    assert len(stored_goals(indicator)) == 1


def test_a_new_ticket_indicator_needs_a_goal_as_on_the_page(api, desk_service):
    response = api.post(URL, ticket_body(goals=[]), format="json")

    assert response.status_code == 400
    assert response.json()["goals"] == {
        "non_field_errors": ["A ticket indicator needs the goal of at least one priority."]
    }
    assert not Indicator.objects.exists()


def test_the_forms_own_rule_is_refused_with_the_pages_message_and_nothing_is_stored(api, desk_service):
    other = ServiceFactory(code="warehouse", name="Warehouse")
    active_agreement(customer=CustomerFactory(code="globex", name="Globex Logistics"), services=[other])

    response = api.post(URL, ticket_body(service="warehouse"), format="json")

    assert response.status_code == 400
    assert response.json()["customer"] == ["Acme Bank has no agreement on Warehouse: choose a customer of the service."]
    assert not Indicator.objects.exists()
    assert not TicketGoal.objects.exists()


def test_a_ticket_indicators_service_stays_and_sending_it_unchanged_is_no_change(api, desk_service, customer_a):
    indicator = ticket_indicator(customer_a, desk_service, "resolution", {"P1": 240})
    ServiceFactory(code="warehouse")

    kept = api.patch(f"{URL}/{indicator.code}", {"service": "service-desk", "name": "Kept"}, format="json")
    moved = api.patch(f"{URL}/{indicator.code}", {"service": "warehouse", "name": "Moved"}, format="json")

    assert kept.status_code == 200, kept.data
    assert moved.status_code == 400
    assert moved.json() == {"service": ["This field cannot change."]}
    indicator.refresh_from_db()
    assert (indicator.service, indicator.name) == (desk_service, "Kept")


def test_a_key_the_form_does_not_have_is_refused(api, acme_indicator):
    response = api.patch(f"{URL}/acme-latency", {"treshold": 10}, format="json")

    assert response.status_code == 400
    assert response.json() == {"treshold": ["There is no such field."]}


# --- lists, ETags, schema ------------------------------------------------------------------------------------------


def test_the_list_filters_by_kind_and_service_and_sorts(api, acme_indicator, acme_requests):
    ThresholdIndicatorFactory(code="elsewhere-up")

    def codes(query):
        response = api.get(URL + query)
        assert response.status_code == 200
        return [row["code"] for row in response.data["results"]]

    assert codes("?kind=threshold&ordering=code") == ["acme-latency", "elsewhere-up"]
    assert codes("?service=acme-only&ordering=code") == ["acme-latency", "acme-requests"]
    assert codes("?ordering=-code") == ["elsewhere-up", "acme-requests", "acme-latency"]
    assert api.get(URL + "?kind=nonsense").status_code == 400


def test_the_list_pages_by_cursor(api, acme_indicator, acme_requests):
    first = api.get(URL + "?page_size=1&ordering=code")
    assert [row["code"] for row in first.data["results"]] == ["acme-latency"]

    second = api.get(first.data["next"])
    assert [row["code"] for row in second.data["results"]] == ["acme-requests"]


def test_reads_carry_an_etag_and_a_write_with_an_old_one_is_refused(api, acme_indicator):
    read = api.get(f"{URL}/acme-latency")
    assert api.get(f"{URL}/acme-latency", HTTP_IF_NONE_MATCH=read["ETag"]).status_code == 304
    assert (
        api.patch(f"{URL}/acme-latency", {"name": "New"}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 200
    )

    stale = api.patch(f"{URL}/acme-latency", {"name": "Newer"}, format="json", HTTP_IF_MATCH=read["ETag"])

    assert stale.status_code == 412
    assert Indicator.objects.get(code="acme-latency").name == "New"


def test_the_schema_describes_the_indicator_endpoints_and_the_body_of_their_writes(api):
    schema = api.get("/api/schema/?format=json").json()

    assert {"get", "post"} <= set(schema["paths"]["/api/v1/indicators"])
    assert {"get", "put", "patch"} <= set(schema["paths"]["/api/v1/indicators/{code}"])
    assert "delete" not in schema["paths"]["/api/v1/indicators/{code}"]
    body = schema["components"]["schemas"]["IndicatorWrite"]["properties"]
    assert {"service", "code", "kind", "operator", "threshold", "customer", "goals", "warning_points"} <= set(body)
