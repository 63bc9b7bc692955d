"""Service level targets on the agreement page: objective, window, codes, and the active agreement's last target."""

from decimal import Decimal

import pytest

from agreements.models import Agreement, ServiceLevelTarget
from tests.agreements.forms_data import agreement_post, edit_post, target, targets_of
from tests.agreements.page_checks import field_error, saves_nothing
from tests.factories import AgreementFactory, BusinessCalendarFactory, TargetFactory

CREATE_URL = "/agreements/new/"
EDIT_URL = "/agreements/acme-sla/edit/"
LAST_TARGET = "An active agreement needs at least one service level target."


def post_targets(client, customer, service, *targets):
    return client.post(CREATE_URL, agreement_post(customer, [service], list(targets)))


@pytest.mark.parametrize(
    ("objective", "error"),
    [
        ("0", "Ensure this value is greater than or equal to 0.001."),
        ("-1", "Ensure this value is greater than or equal to 0.001."),
        ("100", "Ensure this value is less than or equal to 99.999."),
        ("100.5", "Ensure this value is less than or equal to 99.999."),
        ("99.9999", "Ensure that there are no more than 3 decimal places."),
        ("ninety", "Enter a number."),
    ],
)
def test_objective_outside_0_to_100_or_finer_than_3_decimals_is_refused(
    manager_client, customer_a, service, objective, error
):
    with saves_nothing():
        response = post_targets(manager_client, customer_a, service, target(objective=objective))

    assert response.status_code == 200
    assert error in field_error(response, "id_targets-0-objective")


@pytest.mark.parametrize("objective", ["99.999", "0.001", "50"])
def test_objective_just_inside_the_bounds_is_accepted(manager_client, customer_a, service, objective):
    response = post_targets(manager_client, customer_a, service, target(objective=objective))

    assert response.status_code == 302
    assert ServiceLevelTarget.objects.get().objective == Decimal(objective)


def test_rolling_window_needs_its_days(manager_client, customer_a, service):
    with saves_nothing():
        response = post_targets(manager_client, customer_a, service, target(window_kind="rolling", rolling_days=""))

    assert response.status_code == 200
    assert field_error(response, "id_targets-0-rolling_days") == "A rolling window needs its number of days."


def test_calendar_window_needs_its_period(manager_client, customer_a, service):
    with saves_nothing():
        response = post_targets(manager_client, customer_a, service, target(window_kind="calendar", calendar_period=""))

    assert response.status_code == 200
    assert field_error(response, "id_targets-0-calendar_period") == "A calendar window needs its period."


@pytest.mark.parametrize("days", ["0", "367"])
def test_rolling_days_outside_one_to_366_are_refused(manager_client, customer_a, service, days):
    with saves_nothing():
        response = post_targets(manager_client, customer_a, service, target(window_kind="rolling", rolling_days=days))

    assert response.status_code == 200
    assert "Ensure this value is" in field_error(response, "id_targets-0-rolling_days")


def test_saved_window_keeps_only_the_half_it_uses(manager_client, customer_a, service):
    rolling = target("rolling", window_kind="rolling", rolling_days="7", calendar_period="quarter")
    calendar = target("calendar", window_kind="calendar", rolling_days="7", calendar_period="quarter")

    assert post_targets(manager_client, customer_a, service, rolling, calendar).status_code == 302

    saved = {row.code: (row.calendar_period, row.rolling_days) for row in ServiceLevelTarget.objects.all()}
    assert saved == {"rolling": ("", 7), "calendar": ("quarter", None)}


def test_target_with_service_hours_is_saved(manager_client, customer_a, service):
    office = BusinessCalendarFactory(code="seoul-office", name="Seoul office")

    response = post_targets(manager_client, customer_a, service, target(service_hours=str(office.pk)))

    assert response.status_code == 302
    assert ServiceLevelTarget.objects.get().service_hours == office


def test_two_targets_with_one_code_in_one_post_are_refused(manager_client, customer_a, service):
    with saves_nothing():
        response = post_targets(
            manager_client, customer_a, service, target("uptime", name="Uptime"), target("uptime", name="Also uptime")
        )

    assert response.status_code == 200
    assert response.context["targets"].non_form_errors() == ["Please correct the duplicate data for code."]
    assert "Please correct the duplicate data for code." in response.text


def test_new_target_cannot_take_the_code_of_a_saved_one(manager_client, agreement_a):
    targets = [*targets_of(agreement_a), target("availability", name="Second availability")]

    with saves_nothing():
        response = manager_client.post(EDIT_URL, edit_post(agreement_a, targets))

    assert response.status_code == 200
    assert "Please correct the duplicate data for code." in response.text


def test_same_target_code_in_two_agreements_is_fine(manager_client, agreement_a, customer_a, service):
    response = post_targets(manager_client, customer_a, service, target("availability"))

    assert response.status_code == 302
    assert ServiceLevelTarget.objects.filter(code="availability").count() == 2


def test_active_agreement_cannot_delete_its_last_target(manager_client, agreement_a):
    targets = targets_of(agreement_a)
    targets[0]["DELETE"] = "on"

    with saves_nothing():
        response = manager_client.post(EDIT_URL, edit_post(agreement_a, targets))

    assert response.status_code == 200
    assert response.context["targets"].non_form_errors() == [LAST_TARGET]
    assert f'<div class="alert alert-danger" id="target-errors"><ul class="errorlist nonform"><li>{LAST_TARGET}' in (
        response.text
    )
    assert agreement_a.targets.count() == 1


def test_active_agreement_may_replace_its_last_target(manager_client, agreement_a):
    targets = targets_of(agreement_a)
    targets[0]["DELETE"] = "on"
    targets.append(target("uptime", name="Uptime"))

    response = manager_client.post(EDIT_URL, edit_post(agreement_a, targets))

    assert response.status_code == 302
    assert list(agreement_a.targets.values_list("code", flat=True)) == ["uptime"]


def test_active_agreement_may_delete_one_of_two_targets(manager_client, agreement_a):
    TargetFactory(agreement=agreement_a, code="latency")
    targets = targets_of(agreement_a)
    targets[1]["DELETE"] = "on"

    assert manager_client.post(EDIT_URL, edit_post(agreement_a, targets)).status_code == 302
    assert list(agreement_a.targets.values_list("code", flat=True)) == ["availability"]


def test_draft_agreement_may_delete_its_only_target(manager_client, customer_a):
    draft = AgreementFactory(code="acme-draft", customer=customer_a)
    TargetFactory(agreement=draft, code="availability")
    targets = targets_of(draft)
    targets[0]["DELETE"] = "on"

    response = manager_client.post("/agreements/acme-draft/edit/", edit_post(draft, targets))

    assert response.status_code == 302
    assert not Agreement.objects.get(code="acme-draft").targets.exists()


def test_saved_target_keeps_its_code(manager_client, agreement_a):
    targets = targets_of(agreement_a)
    targets[0].update(code="renamed", name="Renamed availability")

    assert manager_client.post(EDIT_URL, edit_post(agreement_a, targets)).status_code == 302
    assert list(agreement_a.targets.values_list("code", "name")) == [("availability", "Renamed availability")]
