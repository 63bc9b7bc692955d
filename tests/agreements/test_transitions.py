"""The agreement workflow: draft -> active -> expired | terminated, each move confirmed and its preconditions shown."""

import pytest

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from core.workflow import TransitionNotAllowed
from tests.agreements.page_checks import history_rows, page_text, saves_nothing
from tests.factories import AgreementFactory, TargetFactory

NO_TARGET = "An agreement needs at least one service level target before it is activated."
NO_SERVICE = "An agreement needs at least one service before it is activated."


def transition_url(agreement, status):
    return f"/agreements/{agreement.code}/status/{status}/"


@pytest.fixture
def draft(customer_a):
    """A draft SLA of Acme with a service and a target: ready to activate."""
    agreement = AgreementFactory(code="acme-draft", customer=customer_a)
    TargetFactory(agreement=agreement, code="availability", name="Availability")
    return agreement


def status_of(agreement):
    return Agreement.objects.values_list("status", flat=True).get(pk=agreement.pk)


def test_activation_page_asks_for_confirmation(manager_client, draft):
    response = manager_client.get(transition_url(draft, "active"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Change acme-draft to “Active”?" in text
    assert "The agreement is now “Draft”." in text
    assert "Once active, its targets are evaluated and reported to the customer." in text
    assert 'id="confirm-transition"' in response.text
    assert status_of(draft) == AgreementStatus.DRAFT


def test_manager_activates_draft_and_history_records_it(manager_client, draft):
    response = manager_client.post(transition_url(draft, "active"), follow=True)

    assert response.redirect_chain == [("/agreements/acme-draft/", 302)]
    assert status_of(draft) == AgreementStatus.ACTIVE
    assert "Agreement acme-draft is now Active." in page_text(response)
    assert history_rows(response)[0] == ("Minsu Park", "Agreement (changed)", ["status: Draft → Active"])


@pytest.mark.parametrize(
    ("status", "label", "consequence"),
    [
        ("expired", "Expired", "An expired agreement is no longer evaluated and cannot be edited or reactivated."),
        (
            "terminated",
            "Terminated",
            "A terminated agreement is no longer evaluated and cannot be edited or reactivated.",
        ),
    ],
)
def test_manager_ends_active_agreement(manager_client, agreement_a, status, label, consequence):
    confirmation = page_text(manager_client.get(transition_url(agreement_a, status)))
    assert f"Change acme-sla to “{label}”?" in confirmation
    assert consequence in confirmation

    response = manager_client.post(transition_url(agreement_a, status), follow=True)

    assert response.redirect_chain == [("/agreements/acme-sla/", 302)]
    assert status_of(agreement_a) == status
    assert history_rows(response)[0] == ("Minsu Park", "Agreement (changed)", [f"status: Active → {label}"])
    # An ended agreement offers neither editing nor further moves.
    assert "/agreements/acme-sla/edit/" not in response.text
    assert "/agreements/acme-sla/status/" not in response.text


def test_agreement_without_target_cannot_be_activated(manager_client, draft):
    draft.targets.all().delete()

    page = manager_client.get(transition_url(draft, "active"))
    assert page.status_code == 200
    assert NO_TARGET in page_text(page)
    assert 'id="confirm-transition"' not in page.text

    with saves_nothing():
        response = manager_client.post(transition_url(draft, "active"))

    assert response.status_code == 409
    assert NO_TARGET in page_text(response)
    assert status_of(draft) == AgreementStatus.DRAFT


def test_agreement_without_service_cannot_be_activated(manager_client, draft):
    draft.services.clear()

    with saves_nothing():
        response = manager_client.post(transition_url(draft, "active"))

    assert response.status_code == 409
    assert NO_SERVICE in page_text(response)
    assert NO_TARGET not in page_text(response)
    assert status_of(draft) == AgreementStatus.DRAFT


def test_every_missing_precondition_is_listed(manager_client, customer_a):
    empty = AgreementFactory(code="acme-empty", customer=customer_a, services=[])

    response = manager_client.post(transition_url(empty, "active"))

    assert response.status_code == 409
    text = page_text(response)
    assert NO_TARGET in text
    assert NO_SERVICE in text


@pytest.mark.parametrize(
    ("start", "to", "refusal"),
    [
        ("draft", "expired", "An agreement cannot go from Draft to Expired."),
        ("draft", "terminated", "An agreement cannot go from Draft to Terminated."),
        ("active", "draft", "An agreement cannot go from Active to Draft."),
        ("active", "active", "An agreement cannot go from Active to Active."),
        ("expired", "active", "An agreement cannot go from Expired to Active."),
        ("expired", "terminated", "An agreement cannot go from Expired to Terminated."),
        ("terminated", "active", "An agreement cannot go from Terminated to Active."),
    ],
)
def test_moves_outside_the_workflow_are_refused(manager_client, draft, start, to, refusal):
    Agreement.objects.filter(pk=draft.pk).update(status=start)

    page = manager_client.get(transition_url(draft, to))
    assert page.status_code == 200
    assert refusal in page_text(page)

    with saves_nothing():
        response = manager_client.post(transition_url(draft, to))

    assert response.status_code == 409
    assert refusal in page_text(response)
    assert status_of(draft) == start


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_status_name_is_not_found(manager_client, draft, method):
    response = getattr(manager_client, method)(transition_url(draft, "paused"))

    assert response.status_code == 404
    assert status_of(draft) == AgreementStatus.DRAFT


def test_customer_cannot_activate_agreement(client, draft, alice):
    client.force_login(alice)

    assert client.post(transition_url(draft, "active")).status_code == 403
    assert status_of(draft) == AgreementStatus.DRAFT


def test_detail_page_offers_only_the_allowed_moves(manager_client, draft, agreement_a):
    draft_page = manager_client.get("/agreements/acme-draft/").text
    assert transition_url(draft, "active") in draft_page
    assert transition_url(draft, "expired") not in draft_page

    active_page = manager_client.get("/agreements/acme-sla/").text
    assert transition_url(agreement_a, "expired") in active_page
    assert transition_url(agreement_a, "terminated") in active_page
    assert transition_url(agreement_a, "active") not in active_page


def test_transition_checks_the_row_not_a_stale_copy(draft):
    """The model re-reads the row under a lock, so a move made elsewhere in the meantime is not overridden."""
    stale = Agreement.objects.get(pk=draft.pk)
    draft.transition_to(AgreementStatus.ACTIVE)
    Agreement.objects.filter(pk=draft.pk).update(status=AgreementStatus.TERMINATED)

    # ``stale`` still believes it is active, but the row says terminated: no way back to expired.
    stale.status = AgreementStatus.ACTIVE
    with pytest.raises(TransitionNotAllowed):
        stale.transition_to(AgreementStatus.EXPIRED)
    assert status_of(draft) == AgreementStatus.TERMINATED
