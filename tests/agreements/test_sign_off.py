"""The customer's sign-off of an agreement (agreements/signoffs.py, agreements/terms.py and their pages).

The scene: Acme's active SLA "acme-sla" with one target, availability ≥ 99.9 % with a credit tier (10 % below
99.9 %), sent for sign-off on 1 December 2026 at 10:00 in Seoul. Carol is a person of Acme who may sign; alice is one
who may not; bob belongs to Globex.
"""

import datetime as dt
from decimal import Decimal

import pytest

from agreements.choices import AgreementStatus, SignOffStatus
from agreements.models import SignOff
from agreements.signoffs import SignOffRefused, answer, send_for_sign_off, sign_off_state
from agreements.terms import freeze, terms_hash
from tests.agreements.forms_data import agreement_post, target, tier
from tests.agreements.page_checks import field_error, page_text
from tests.factories import CreditTierFactory, MembershipFactory, TargetFactory, UserFactory
from tests.ladder import Rung, climb
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db
NOW = kst(2026, 12, 1, 10)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def acme(agreement_a):
    availability = agreement_a.targets.get()
    CreditTierFactory(target=availability, below_attainment=Decimal("99.9"), credit_percent=Decimal("10"))
    return agreement_a


@pytest.fixture
def carol(customer_a):
    """A person of Acme with the right to sign."""
    user = UserFactory(username="carol", first_name="Carol", last_name="Jung")
    MembershipFactory(user=user, customer=customer_a, may_sign_agreements=True)
    return user


@pytest.fixture
def sent(acme, manager):
    return send_for_sign_off(acme, manager, "Please sign.", now=NOW)


def signed_count():
    return SignOff.objects.filter(status=SignOffStatus.ACCEPTED).count()


def snapshot():
    return list(SignOff.objects.order_by("pk").values_list("pk", "version", "status", "decided_by", "comment"))


# --- the frozen copy ------------------------------------------------------------------------------------------------


def test_sending_freezes_the_terms_targets_and_credit_tiers_with_their_hash(sent, acme):
    terms = sent.terms
    assert sent.version == 1
    assert sent.status == SignOffStatus.PENDING
    assert terms["agreement"]["code"] == "acme-sla"
    assert terms["agreement"]["monthly_fee"] == "1000000"
    assert terms["agreement"]["customer"] == {"code": "acme", "name": "Acme Bank"}
    assert [(row["code"], row["objective"]) for row in terms["targets"]] == [("availability", "99.9")]
    assert terms["targets"][0]["credit_tiers"] == [{"below_attainment": "99.9", "credit_percent": "10"}]
    assert len(sent.terms_hash) == 64
    assert sent.terms_hash == terms_hash(terms) == terms_hash(freeze(acme))


def test_the_copy_stays_as_sent_after_the_targets_and_tiers_are_edited(client, sent, acme, manager, service):
    availability = acme.targets.get()
    tier_row = availability.credit_tiers.get()
    client.force_login(manager)
    edited = target(
        "availability",
        [tier("99.95", "10", id=str(tier_row.pk)), tier("99.5", "25")],
        id=str(availability.pk),
        name="Availability",
        objective="99.95",
    )
    data = agreement_post(acme.customer, [service], [edited], code="acme-sla", title=acme.title, monthly_fee="1200000")
    response = client.post("/agreements/acme-sla/edit/", data)
    assert response.status_code == 302, page_text(response)

    stored = SignOff.objects.get(pk=sent.pk)
    assert stored.terms == sent.terms
    assert stored.terms_hash == terms_hash(stored.terms) == sent.terms_hash
    assert stored.terms["targets"][0]["objective"] == "99.9"
    assert stored.terms["targets"][0]["credit_tiers"] == [{"below_attainment": "99.9", "credit_percent": "10"}]
    assert terms_hash(freeze(acme)) != sent.terms_hash

    page = page_text(client.get(f"/agreements/acme-sla/sign-offs/{sent.pk}/"))
    assert "Availability ≥ 99.9 %" in page
    assert "below 99.9 %: 10 % credit" in page
    assert "The agreement's current terms differ from this version:" in page
    assert "Availability: Objective 99.9 % → 99.95 %" in page
    assert "Monthly fee: 1,000,000 KRW → 1,200,000 KRW" in page


def test_what_is_not_a_term_makes_no_new_version(sent, acme, manager):
    acme.next_review = dt.date(2027, 3, 1)
    acme.owner = manager
    acme.save()
    assert terms_hash(freeze(acme)) == sent.terms_hash


# --- versions -------------------------------------------------------------------------------------------------------


def test_a_change_after_a_sign_off_makes_a_new_version(sent, acme, manager, carol):
    answer(sent, carol, True, now=NOW)
    with pytest.raises(SignOffRefused, match=r"These terms are signed already \(version 1\)\."):
        send_for_sign_off(acme, manager)
    TargetFactory(agreement=acme, code="latency", name="Latency")
    second = send_for_sign_off(acme, manager)
    assert second.version == 2
    with pytest.raises(SignOffRefused, match=r"waiting for the customer's sign-off already \(version 2\)"):
        send_for_sign_off(acme, manager)
    state = sign_off_state(acme)
    assert state.signed.pk == sent.pk
    assert state.pending.pk == second.pk
    assert not state.current_terms_signed
    assert state.differences == ["Target added: Latency (latency)"]


def test_terms_sent_again_unchanged_after_a_rejection_keep_their_version(sent, acme, manager, carol):
    answer(sent, carol, False, "The credit is too low.", now=NOW)
    again = send_for_sign_off(acme, manager)
    assert (again.version, again.status) == (1, SignOffStatus.PENDING)
    availability = acme.targets.get()
    availability.objective = Decimal("99.95")
    availability.save()
    changed = send_for_sign_off(acme, manager)
    assert changed.version == 2
    assert SignOff.objects.get(pk=again.pk).status == SignOffStatus.WITHDRAWN  # one request waits at a time


def test_an_expired_agreement_or_one_without_targets_is_not_sent(client, acme, manager):
    acme.targets.all().delete()
    client.force_login(manager)
    response = client.post("/agreements/acme-sla/sign-offs/new/", {"message": ""})
    assert response.status_code == 409
    assert "needs at least one service level target before it is sent for sign-off" in page_text(response)
    TargetFactory(agreement=acme)
    acme.status = AgreementStatus.EXPIRED
    acme.save()
    response = client.post("/agreements/acme-sla/sign-offs/new/", {"message": ""})
    assert response.status_code == 409
    assert "An agreement that is Expired is not sent for sign-off." in page_text(response)
    assert not SignOff.objects.exists()


def test_a_manager_sends_the_terms_from_the_page(client, acme, manager, carol):
    client.force_login(manager)
    page = page_text(client.get("/agreements/acme-sla/sign-offs/new/"))
    assert "Send these terms to Acme Bank for sign-off?" in page
    assert "Who may sign: Carol Jung" in page
    response = client.post("/agreements/acme-sla/sign-offs/new/", {"message": "The new terms."})
    sign_off = SignOff.objects.get()
    assert response["Location"] == f"/agreements/acme-sla/sign-offs/{sign_off.pk}/"
    assert (sign_off.version, sign_off.requested_by, sign_off.message) == (1, manager, "The new terms.")


# --- the customer's answer --------------------------------------------------------------------------------------------


def test_the_signer_accepts_and_the_agreement_page_says_who_signed_which_version_and_when(client, sent, carol):
    client.force_login(carol)
    page = page_text(client.get("/agreements/acme-sla/"))
    assert "Version 1 is waiting for the customer's sign-off (sent on 1 Dec 2026)." in page
    assert "Read and sign" in page
    response = client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"answer": "accept", "comment": ""})
    assert response.status_code == 302
    stored = SignOff.objects.get()
    assert (stored.status, stored.decided_by, stored.decided_at) == (SignOffStatus.ACCEPTED, carol, NOW)
    page = page_text(client.get("/agreements/acme-sla/"))
    assert "Signed Version 1, signed by Carol Jung on 1 Dec 2026." in page
    assert "The current terms are the signed ones." in page


def test_the_agreement_page_says_when_the_current_terms_differ_from_the_signed_ones(client, sent, carol, manager):
    answer(sent, carol, True, now=NOW)
    availability = sent.agreement.targets.get()
    availability.credit_tiers.all().delete()
    client.force_login(manager)
    page = page_text(client.get("/agreements/acme-sla/"))
    assert (
        "The current terms differ from the signed ones: Availability: credit tiers below 99.9 %: 10 % credit → none"
        in page
    )
    assert "Send for sign-off" in page


def test_a_rejection_needs_a_comment_and_stores_nothing_without_one(client, sent, carol):
    client.force_login(carol)
    response = client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"answer": "reject", "comment": " "})
    assert response.status_code == 200
    assert field_error(response, "id_comment") == "Say why the terms are rejected."
    response = client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"comment": "Fine"})
    assert field_error(response, "id_answer") == "Choose whether you accept or reject these terms."
    assert SignOff.objects.get().status == SignOffStatus.PENDING
    client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"answer": "reject", "comment": "Credit too low."})
    assert SignOff.objects.values_list("status", "comment").get() == (SignOffStatus.REJECTED, "Credit too low.")


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 404), ("alice", 403), ("manager", 403), ("nobody", 404)],
)
def test_only_a_person_of_the_customer_with_the_right_answers(client, sent, who, status, request):
    before = snapshot()
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"answer": "accept", "comment": ""})
    assert response.status_code == status
    assert snapshot() == before


def test_a_signer_of_another_customer_is_refused_too(client, sent, customer_b):
    other = UserFactory(username="globex-signer")
    MembershipFactory(user=other, customer=customer_b, may_sign_agreements=True)
    client.force_login(other)
    response = client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"answer": "accept"})
    assert response.status_code == 404
    with pytest.raises(SignOffRefused):
        answer(sent, other, True)
    assert signed_count() == 0


def test_a_request_is_answered_once(client, sent, carol):
    client.force_login(carol)
    client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"answer": "accept"})
    before = snapshot()
    response = client.post(f"/agreements/acme-sla/sign-offs/{sent.pk}/", {"answer": "reject", "comment": "No."})
    assert response.status_code == 409
    assert "This request is no longer waiting for an answer." in page_text(response)
    assert snapshot() == before


def test_the_readers_without_the_right_see_the_terms_and_no_answer_form(client, sent, alice, manager):
    for person in (alice, manager):
        client.force_login(person)
        response = client.get(f"/agreements/acme-sla/sign-offs/{sent.pk}/")
        assert response.status_code == 200
        assert 'id="sign-off-answer-form"' not in response.text
        assert "Waiting for the customer's answer." in page_text(response)


# --- who may sign ---------------------------------------------------------------------------------------------------


def test_a_manager_gives_and_takes_the_right_to_sign(client, manager, alice):
    membership = alice.customer_membership
    client.force_login(manager)
    response = client.post(f"/customers/acme/people/{membership.pk}/signing/", {"may_sign": "1"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.may_sign_agreements
    assert "may sign agreements" in page_text(client.get("/customers/acme/"))
    client.post(f"/customers/acme/people/{membership.pk}/signing/", {"may_sign": "0"})
    membership.refresh_from_db()
    assert not membership.may_sign_agreements


def test_a_customer_cannot_give_the_right_to_sign(client, alice, bob):
    membership = alice.customer_membership
    for person, status in ((alice, 403), (bob, 404)):
        client.force_login(person)
        assert client.post(f"/customers/acme/people/{membership.pk}/signing/", {"may_sign": "1"}).status_code == status
    membership.refresh_from_db()
    assert not membership.may_sign_agreements


# --- the permission ladder -------------------------------------------------------------------------------------------


@pytest.fixture
def ladder_rows(sent, alice):
    return {"sign_off": sent.pk, "membership": alice.customer_membership.pk}


LADDER = [
    (lambda rows: Rung("/agreements/acme-sla/sign-offs/new/", write=True), 200),
    (lambda rows: Rung("/agreements/acme-sla/sign-offs/new/", write=True, method="post"), 409),  # already waiting
    (lambda rows: Rung(f"/agreements/acme-sla/sign-offs/{rows['sign_off']}/"), 200),
    # The customer's own people answer; a manager reads but does not sign: 403.
    (lambda rows: Rung(f"/agreements/acme-sla/sign-offs/{rows['sign_off']}/", write=True, method="post"), 403),
    (lambda rows: Rung(f"/customers/acme/people/{rows['membership']}/signing/", write=True, method="post"), 302),
]


@pytest.mark.parametrize(("rung", "manager_status"), LADDER)
def test_permission_ladder(client, ladder_rows, rung, manager_status, alice, bob, manager):
    climb(client, rung(ladder_rows), owner=alice, outsider=bob, manager=manager, allowed_status=manager_status)


def test_the_constraints_keep_one_request_waiting_and_a_reason_for_a_rejection(sent, acme, manager):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(agreement=acme, version=2, terms={}, terms_hash="x", requested_by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.filter(pk=sent.pk).update(status=SignOffStatus.REJECTED, decided_at=NOW, comment="")
