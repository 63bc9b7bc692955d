"""Service level requirements: customers submit and follow their own; the service manager analyses them, moves them
through the workflow, and turns an agreed one into a draft target of the customer's agreement."""

from decimal import Decimal

import pytest

from monitoring.models import TargetIndicator
from requirements_analysis.choices import RequirementStatus
from requirements_analysis.drafts import objective_from
from requirements_analysis.models import ServiceLevelRequirement
from tests.agreements.page_checks import field_error, page_text
from tests.factories import ServiceFactory, TargetFactory
from tests.requirements_analysis.factories import RequirementFactory

pytestmark = pytest.mark.django_db

PROPOSED, ANALYSED, AGREED = RequirementStatus.PROPOSED, RequirementStatus.ANALYSED, RequirementStatus.AGREED
REJECTED, DEFERRED = RequirementStatus.REJECTED, RequirementStatus.DEFERRED


@pytest.fixture
def banking(agreement_a):
    """A service of customer A's agreement."""
    service = ServiceFactory(code="online-banking", name="Online banking")
    agreement_a.services.add(service)
    return service


@pytest.fixture
def warehouse(agreement_b):
    """A service of customer B's agreement only."""
    service = ServiceFactory(code="warehouse", name="Warehouse management")
    agreement_b.services.add(service)
    return service


@pytest.fixture
def requirement(customer_a, banking, alice):
    return RequirementFactory(
        customer=customer_a,
        service=banking,
        submitted_by=alice,
        statement="Online banking must stay up on salary days.",
        desired_level="99.95 % availability",
    )


def form_data(service, **fields):
    return {
        "service": service.pk,
        "statement": "Transfers must go through within a minute.",
        "category": "performance",
        "importance": 5,
        "performance": 2,
        "source": "complaint",
        "desired_level": "95 % of transfers within 60 s",
        **fields,
    }


def decide(client, requirement, status, **data):
    return client.post(f"/requirements/{requirement.code}/status/{status}/", data)


def status_of(requirement):
    requirement.refresh_from_db()
    return requirement.status


# --- submitting ------------------------------------------------------------------------------------------------------


def test_customer_user_submits_a_requirement_for_their_own_organisation(client, alice, customer_a, customer_b, banking):
    client.force_login(alice)

    # A customer posted alongside is not a field of the customer's form: it is ignored.
    response = client.post("/requirements/new/", form_data(banking, customer=customer_b.pk))

    requirement = ServiceLevelRequirement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requirements/{requirement.code}/"
    assert (requirement.customer, requirement.service, requirement.submitted_by) == (customer_a, banking, alice)
    assert (requirement.importance, requirement.performance, requirement.status) == (5, 2, PROPOSED)


def test_customer_form_offers_only_the_customers_own_services_and_no_customer_choice(client, alice, banking, warehouse):
    client.force_login(alice)

    form = client.get("/requirements/new/").context["form"]

    assert "customer" not in form.fields
    assert set(form.fields["service"].queryset) == set(banking.agreements.get().services.all())
    assert warehouse not in form.fields["service"].queryset


def test_service_outside_the_customers_agreements_is_refused_and_nothing_saved(client, alice, banking, warehouse):
    client.force_login(alice)

    response = client.post("/requirements/new/", form_data(warehouse))

    assert response.status_code == 200
    assert "Select a valid choice" in field_error(response, "id_service")
    assert not ServiceLevelRequirement.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("importance", 0), ("importance", 6), ("performance", 9)])
def test_ratings_outside_one_to_five_are_refused(client, alice, banking, field, value):
    client.force_login(alice)

    response = client.post("/requirements/new/", form_data(banking, **{field: value}))

    assert response.status_code == 200
    assert field_error(response, f"id_{field}")
    assert not ServiceLevelRequirement.objects.exists()


def test_manager_submits_a_requirement_for_a_chosen_customer(client, manager, customer_b, warehouse):
    client.force_login(manager)

    response = client.post("/requirements/new/", form_data(warehouse, customer=customer_b.pk))

    requirement = ServiceLevelRequirement.objects.get()
    assert response.status_code == 302
    assert (requirement.customer, requirement.submitted_by) == (customer_b, manager)


def test_manager_must_choose_the_customer(client, manager, warehouse):
    client.force_login(manager)

    response = client.post("/requirements/new/", form_data(warehouse))

    assert field_error(response, "id_customer") == "This field is required."
    assert not ServiceLevelRequirement.objects.exists()


def test_person_without_a_customer_or_a_role_cannot_submit(client, nobody):
    client.force_login(nobody)

    assert client.get("/requirements/new/").status_code == 403


# --- who sees what ---------------------------------------------------------------------------------------------------


def test_customers_list_only_their_own_requirements(client, alice, bob, requirement, warehouse, customer_b):
    theirs = RequirementFactory(customer=customer_b, service=warehouse, statement="Pick lists print in time.")

    client.force_login(alice)
    text = page_text(client.get("/requirements/"))
    assert requirement.code in text
    assert theirs.code not in text

    client.force_login(bob)
    text = page_text(client.get("/requirements/"))
    assert theirs.code in text
    assert requirement.code not in text


def test_customer_reads_their_requirement_and_the_outsider_gets_404(client, alice, bob, requirement):
    client.force_login(alice)
    response = client.get(f"/requirements/{requirement.code}/")
    assert response.status_code == 200
    assert "Online banking must stay up on salary days." in page_text(response)
    assert 'id="requirement-actions"' not in response.text  # reading only: no decisions for the customer

    client.force_login(bob)
    assert client.get(f"/requirements/{requirement.code}/").status_code == 404


# --- the workflow ----------------------------------------------------------------------------------------------------

ALLOWED = [
    (PROPOSED, ANALYSED, ""),
    (PROPOSED, REJECTED, "Out of scope of the contract."),
    (ANALYSED, AGREED, ""),
    (ANALYSED, REJECTED, "Too costly for the benefit."),
    (ANALYSED, DEFERRED, "Not this year."),
    (DEFERRED, ANALYSED, ""),
]


@pytest.mark.parametrize(("old", "new", "reason"), ALLOWED, ids=[f"{old}->{new}" for old, new, _ in ALLOWED])
def test_manager_moves_a_requirement_along_an_allowed_transition(client, manager, requirement, old, new, reason):
    ServiceLevelRequirement.objects.filter(pk=requirement.pk).update(status=old)
    client.force_login(manager)

    response = decide(client, requirement, new, reason=reason)

    assert response.status_code == 302
    assert response["Location"] == f"/requirements/{requirement.code}/"
    assert status_of(requirement) == new
    assert requirement.status_reason == reason


FORBIDDEN = [
    (PROPOSED, AGREED),
    (PROPOSED, DEFERRED),
    (ANALYSED, PROPOSED),
    (DEFERRED, AGREED),
    (AGREED, ANALYSED),
    (AGREED, REJECTED),
    (AGREED, AGREED),
    (REJECTED, ANALYSED),
]


@pytest.mark.parametrize(("old", "new"), FORBIDDEN, ids=[f"{old}->{new}" for old, new in FORBIDDEN])
def test_forbidden_transition_answers_409_and_changes_nothing(client, manager, requirement, old, new):
    ServiceLevelRequirement.objects.filter(pk=requirement.pk).update(status=old)
    client.force_login(manager)

    response = decide(client, requirement, new, reason="Because.")

    assert response.status_code == 409
    assert "A requirement cannot go from" in page_text(response)
    assert status_of(requirement) == old
    assert requirement.status_reason == ""


def test_unknown_status_answers_404(client, manager, requirement):
    client.force_login(manager)

    assert client.get(f"/requirements/{requirement.code}/status/approved/").status_code == 404
    assert decide(client, requirement, "approved").status_code == 404
    assert status_of(requirement) == PROPOSED


@pytest.mark.parametrize("new", [REJECTED, DEFERRED])
def test_rejecting_or_deferring_without_a_reason_shows_a_field_error_and_changes_nothing(
    client, manager, requirement, new
):
    ServiceLevelRequirement.objects.filter(pk=requirement.pk).update(status=ANALYSED)
    client.force_login(manager)

    response = decide(client, requirement, new, reason="   ")

    assert response.status_code == 200
    assert field_error(response, "id_reason") == "Say why: a rejected or deferred requirement needs a reason."
    assert status_of(requirement) == ANALYSED


def test_the_reason_is_shown_on_the_requirement(client, manager, alice, requirement):
    client.force_login(manager)
    decide(client, requirement, REJECTED, reason="Covered by the existing 99.9 % target.")

    client.force_login(alice)
    response = client.get(f"/requirements/{requirement.code}/")

    assert 'id="requirement-reason"' in response.text
    assert "Covered by the existing 99.9 % target." in page_text(response)
    assert "Rejected" in page_text(response)


def test_history_records_each_change_with_who_made_it(client, manager, requirement):
    client.force_login(manager)
    decide(client, requirement, ANALYSED)
    decide(client, requirement, DEFERRED, reason="Next budget year.")
    decide(client, requirement, ANALYSED)

    history = requirement.history.order_by("history_date")
    assert [row.status for row in history] == [PROPOSED, ANALYSED, DEFERRED, ANALYSED]
    assert [row.history_user for row in history][1:] == [manager, manager, manager]
    assert [row.status_reason for row in history] == ["", "", "Next budget year.", ""]
    text = page_text(client.get(f"/requirements/{requirement.code}/"))
    assert text.count("· Minsu Park ·") == 3


# --- agreeing, with a draft target -----------------------------------------------------------------------------------


def test_agreeing_with_a_draft_target_adds_it_to_the_agreement_and_links_it(client, manager, requirement, agreement_a):
    ServiceLevelRequirement.objects.filter(pk=requirement.pk).update(status=ANALYSED)
    client.force_login(manager)

    response = decide(client, requirement, AGREED, create_target_on=agreement_a.pk)

    assert response.status_code == 302
    assert response["Location"] == "/agreements/acme-sla/edit/"
    assert status_of(requirement) == AGREED
    target = agreement_a.targets.exclude(code="availability").get()
    assert target.objective == Decimal("99.950")
    assert target.name == "Online banking must stay up on salary days."
    assert requirement.code in target.description
    assert not TargetIndicator.objects.filter(target=target).exists()  # not evaluated until it has an indicator
    assert list(requirement.targets.all()) == [target]


def test_a_desired_level_without_a_percentage_gives_a_99_9_objective(client, manager, requirement, agreement_a):
    ServiceLevelRequirement.objects.filter(pk=requirement.pk).update(
        status=ANALYSED, desired_level="As fast as the old system"
    )
    client.force_login(manager)

    decide(client, requirement, AGREED, create_target_on=agreement_a.pk)

    assert requirement.targets.get().objective == Decimal("99.900")


@pytest.mark.parametrize(
    ("level", "objective"),
    [
        ("99.95 % availability", "99.95"),
        ("99.5% in business hours", "99.5"),
        ("95 % of requests under 200 ms", "95"),
        ("at least 99.999 %", "99.999"),
        ("", "99.9"),
        ("100 %", "99.9"),  # not an objective a target can have
        ("99.9999 %", "99.9"),  # more places than a target holds: not read as 99 %
        ("199.5 %", "99.9"),
        ("within 4 hours", "99.9"),
    ],
)
def test_objective_is_the_first_percentage_of_the_desired_level(level, objective):
    assert objective_from(level) == Decimal(objective)


def test_agreeing_without_a_draft_target_adds_no_target(client, manager, requirement, agreement_a):
    ServiceLevelRequirement.objects.filter(pk=requirement.pk).update(status=ANALYSED)
    client.force_login(manager)

    response = decide(client, requirement, AGREED)

    assert response["Location"] == f"/requirements/{requirement.code}/"
    assert agreement_a.targets.count() == 1
    assert not requirement.targets.exists()


def test_a_draft_target_cannot_go_to_another_customers_agreement(client, manager, requirement, agreement_b):
    ServiceLevelRequirement.objects.filter(pk=requirement.pk).update(status=ANALYSED)
    client.force_login(manager)

    response = decide(client, requirement, AGREED, create_target_on=agreement_b.pk)

    assert response.status_code == 200
    assert "Select a valid choice" in field_error(response, "id_create_target_on")
    assert status_of(requirement) == ANALYSED
    assert agreement_b.targets.count() == 1


# --- linking targets -------------------------------------------------------------------------------------------------


def test_manager_links_the_customers_targets_that_meet_a_requirement(client, manager, requirement, agreement_a):
    extra = TargetFactory(agreement=agreement_a, code="latency", name="Latency")
    client.force_login(manager)

    response = client.post(
        f"/requirements/{requirement.code}/targets/", {"targets": [agreement_a.targets.get(code="availability").pk]}
    )

    assert response.status_code == 302
    assert list(requirement.targets.values_list("code", flat=True)) == ["availability"]
    page = client.get(f"/requirements/{requirement.code}/")
    assert "acme-sla · Availability" in page_text(page)
    assert set(page.context["targets_form"].fields["targets"].queryset) == {
        agreement_a.targets.get(code="availability"),
        extra,
    }


def test_another_customers_target_cannot_be_linked(client, manager, requirement, agreement_a, agreement_b):
    client.force_login(manager)

    response = client.post(
        f"/requirements/{requirement.code}/targets/", {"targets": [agreement_b.targets.get().pk]}, follow=True
    )

    assert "Those targets cannot be linked." in page_text(response)
    assert not requirement.targets.exists()
