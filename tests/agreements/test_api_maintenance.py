"""``/api/v1/maintenance-windows`` (with their steps) and ``/api/v1/agreements/<code>/exclusions``, through the
pages' forms and saved as the pages save them. Times are built from today, never a fixed date."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.choices import MaintenanceStatus
from agreements.models import Exclusion, MaintenanceWindow
from tests.agreements.api_checks import every_page, results, schema_paths, signed_in
from tests.agreements.maintenance_helpers import approve, close_period, local, make_exclusion, make_window
from tests.api_ladder import Call, climb
from tests.factories import ServiceFactory
from tests.monitoring.factories import api_token_for

URL = "/api/v1/maintenance-windows"


@pytest.fixture
def cast(alice, bob, manager):
    return {"owner": alice, "outsider": bob, "manager": manager}


@pytest.fixture
def service(agreement_a):
    return agreement_a.services.get()


@pytest.fixture
def window(service):
    return make_window(service, local(10, 22), title="Database patch")


def new_window(service, days=20, **fields):
    start = local(days, 23)
    return {
        "service": service.code,
        "title": "Kernel update",
        "description": "Reboots both nodes.",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "recurrence": "none",
        "customer_visible": True,
        **fields,
    }


def ids(response):
    return results(response, key="id")


def test_the_ladder_for_list_and_detail(window, service, cast):
    hidden = make_window(service, local(30, 22), title="Quiet fix", customer_visible=False)
    assert ids(climb(Call("get", URL, scoped=False), **cast)) == [hidden.pk, window.pk]
    assert ids(signed_in(cast["owner"]).get(URL)) == [window.pk]  # customers never see a hidden window
    assert ids(signed_in(cast["outsider"]).get(URL)) == []
    detail = climb(Call("get", f"{URL}/{window.pk}"), **cast).json()
    assert (detail["service"], detail["status"], detail["created_by"]) == (service.code, "planned", None)
    assert "created_by" not in signed_in(cast["owner"]).get(f"{URL}/{window.pk}").json()  # as on the page
    assert signed_in(cast["owner"]).get(f"{URL}/{hidden.pk}").status_code == 404


def test_a_window_is_planned_and_changed_through_its_form(window, service, cast):
    created = climb(Call("post", URL, new_window(service), scoped=False), **cast).json()
    stored = MaintenanceWindow.objects.get(pk=created["id"])
    assert (stored.title, stored.created_by, stored.status) == ("Kernel update", cast["manager"], "planned")
    assert stored.starts_at == local(20, 23)
    assert MaintenanceWindow.objects.count() == 2

    patched = climb(Call("patch", f"{URL}/{window.pk}", {"title": "Database patch 2"}), **cast).json()
    assert (patched["title"], patched["customer_visible"]) == ("Database patch 2", True)
    put = climb(Call("put", f"{URL}/{window.pk}", new_window(service, days=40, customer_visible=False)), **cast)
    assert (put.json()["title"], put.json()["customer_visible"]) == ("Kernel update", False)
    assert window.history.first().history_user == cast["manager"]


def test_windows_are_not_deleted_over_the_api(window, manager):
    assert signed_in(manager).delete(f"{URL}/{window.pk}").status_code == 405
    assert MaintenanceWindow.objects.filter(pk=window.pk).exists()


def test_the_models_rules_refuse_with_the_pages_messages_and_nothing_is_stored(window, service, manager):
    client = signed_in(manager)
    backwards = new_window(service, ends_at=local(19, 23).isoformat())
    response = client.post(URL, backwards, format="json")
    assert response.status_code == 400
    assert response.json() == {"ends_at": ["The window must end after it starts."]}
    overlapping = client.post(URL, new_window(service, days=10), format="json")
    assert overlapping.status_code == 400
    message = overlapping.json()["starts_at"][0]
    assert message.startswith("It overlaps “Database patch” of the same service (")
    unknown = client.post(URL, {**new_window(service), "service": "no-such-service", "colour": "red"}, format="json")
    assert unknown.json() == {
        "colour": ["There is no such field."],
        "service": ["Select a valid choice. That choice is not one of the available choices."],
    }
    assert list(MaintenanceWindow.objects.values_list("pk", flat=True)) == [window.pk]


def test_approving_records_who_and_a_retimed_approved_window_is_planned_again(window, cast):
    step = Call("post", f"{URL}/{window.pk}/transition", {"status": "approved"})
    approved = climb(step, **cast, allowed_status=200).json()
    assert (approved["status"], approved["approved_by"]) == ("approved", "manager")
    window.refresh_from_db()
    assert window.approved_at is not None
    assert window.history.first().history_user == cast["manager"]

    _, token = api_token_for(cast["manager"])
    scripted = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    later = {"starts_at": local(11, 22).isoformat(), "ends_at": local(11, 23).isoformat()}
    moved = scripted.patch(f"{URL}/{window.pk}", later, format="json").json()
    assert (moved["status"], moved["approved_by"], moved["approved_at"]) == ("planned", None, None)
    assert window.history.first().history_user == cast["manager"]


def test_a_step_the_workflow_refuses_is_a_conflict(service, manager):
    begun = make_window(service, timezone.now() - dt.timedelta(minutes=30), title="Running now")
    client = signed_in(manager)
    cancel = client.post(f"{URL}/{begun.pk}/transition", {"status": "cancelled"}, format="json")
    assert cancel.status_code == 409
    assert cancel.json() == {
        "detail": [
            "A window that has begun cannot be cancelled. To stop a repeating window, set its last date (repeats "
            "until) on its edit page."
        ]
    }
    skipped = client.post(f"{URL}/{begun.pk}/transition", {"status": "completed"}, format="json")
    assert skipped.json() == {"detail": ["A maintenance window cannot go from Planned to Completed."]}
    assert MaintenanceWindow.objects.get().status == MaintenanceStatus.PLANNED


def test_a_cancelled_window_no_longer_changes(window, manager):
    client = signed_in(manager)
    assert client.post(f"{URL}/{window.pk}/transition", {"status": "cancelled"}, format="json").status_code == 200
    response = client.patch(f"{URL}/{window.pk}", {"title": "Back on"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": ["A completed or cancelled maintenance window cannot be edited."]}


def test_filters_ordering_and_pages(window, service, manager):
    other = ServiceFactory(code="mail", name="Mail")
    mail = make_window(other, local(5, 22), title="Mail relay swap")
    approve(mail, manager, timezone.now())
    client = signed_in(manager)
    assert ids(client.get(f"{URL}?service=mail")) == [mail.pk]
    assert ids(client.get(f"{URL}?status=approved")) == [mail.pk]
    assert ids(client.get(f"{URL}?q=database")) == [window.pk]
    assert ids(client.get(f"{URL}?ordering=starts_at")) == [mail.pk, window.pk]
    assert every_page(client, URL, key="id") == [[window.pk], [mail.pk]]


# Exclusions


def exclusions_url(code="acme-sla"):
    return f"/api/v1/agreements/{code}/exclusions"


def new_exclusion(service, **fields):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    return {
        "service": service.code,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(minutes=40)).isoformat(),
        "reason": "customer_caused",
        "description": "The customer's firewall change blocked the probes.",
        "customer_agreement": "J. Kim, e-mail of the same day",
        **fields,
    }


def test_exclusions_the_ladder(agreement_a, service, cast):
    recorded = make_exclusion(agreement_a, timezone.now() - dt.timedelta(days=2))
    assert ids(climb(Call("get", exclusions_url()), **cast)) == [recorded.pk]
    assert climb(Call("get", f"{exclusions_url()}/{recorded.pk}"), **cast).json()["reason"] == "customer_caused"

    created = climb(Call("post", exclusions_url(), new_exclusion(service)), **cast).json()
    assert (created["agreement"], created["recorded_by"], created["service"]) == ("acme-sla", "manager", service.code)
    climb(Call("delete", f"{exclusions_url()}/{recorded.pk}"), **cast)
    assert list(Exclusion.objects.values_list("pk", flat=True)) == [created["id"]]
    assert Exclusion.history.filter(id=recorded.pk).first().history_user == cast["manager"]


def test_an_exclusion_is_refused_as_on_the_page(agreement_a, service, manager):
    client = signed_in(manager)
    ahead = new_exclusion(service, ends_at=(timezone.now() + dt.timedelta(hours=1)).isoformat())
    response = client.post(exclusions_url(), ahead, format="json")
    assert response.status_code == 400
    assert response.json() == {"ends_at": ["An exclusion records what has happened: it cannot end later than now."]}
    elsewhere = client.post(exclusions_url(), new_exclusion(ServiceFactory(code="mail")), format="json")
    assert elsewhere.json() == {"service": ["Select a valid choice. That choice is not one of the available choices."]}
    assert client.patch(exclusions_url() + "/1", {"reason": "other"}, format="json").status_code == 405
    assert not Exclusion.objects.exists()


def test_an_exclusion_in_a_closed_period_is_not_taken_back(agreement_a, manager):
    start = timezone.now() - dt.timedelta(days=40)
    close_period(agreement_a, start - dt.timedelta(days=1), start + dt.timedelta(days=1))
    recorded = make_exclusion(agreement_a, start)
    response = signed_in(manager).delete(f"{exclusions_url()}/{recorded.pk}")
    assert response.status_code == 409
    assert response.json()["detail"][0].startswith("It reaches into a closed period (")
    assert Exclusion.objects.filter(pk=recorded.pk).exists()


def test_exclusions_filter_and_order(agreement_a, manager):
    first = make_exclusion(agreement_a, timezone.now() - dt.timedelta(days=3), reason="force_majeure")
    second = make_exclusion(agreement_a, timezone.now() - dt.timedelta(days=2))
    client = signed_in(manager)
    assert ids(client.get(exclusions_url() + "?reason=force_majeure")) == [first.pk]
    assert ids(client.get(exclusions_url())) == [second.pk, first.pk]
    assert ids(client.get(exclusions_url() + "?ordering=starts_at")) == [first.pk, second.pk]
    assert every_page(client, exclusions_url(), key="id") == [[second.pk], [first.pk]]


def test_the_schema_lists_windows_and_exclusions(manager):
    paths = schema_paths(manager)
    assert {
        URL,
        URL + "/{id}",
        URL + "/{id}/transition",
        "/api/v1/agreements/{agreement}/exclusions",
        "/api/v1/agreements/{agreement}/exclusions/{id}",
    } <= set(paths)
