"""A service review and a sign-off in the browser: the manager records a review with decisions added on the page (each
showing the fields its kind uses), the customer confirms its minutes on a phone; the manager sends the agreement for
sign-off and the customer's signer reads the terms and signs on a phone.

Acme's active SLA "acme-sla" (one availability target, 99.9 %) is reviewed quarterly. The pages run on 3 December
2026 at 10:00 in Seoul; the review was held on 1 December, so the next review is due on 1 March 2027.
"""

import datetime as dt

import pytest

from agreements.choices import ReviewCycle, SignOffStatus
from agreements.models import SignOff
from improvement.models import ReviewMeeting
from tests.browser.conftest import log_in, overflow
from tests.factories import MembershipFactory, UserFactory
from tests.monitoring.evaluation_helpers import kst

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}}
NOW = kst(2026, 12, 3, 10)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def acme(agreement_a):
    agreement_a.review_cycle = ReviewCycle.QUARTERLY
    agreement_a.save()
    return agreement_a


@pytest.fixture
def carol(customer_a):
    user = UserFactory(username="carol", first_name="Carol", last_name="Jung")
    MembershipFactory(user=user, customer=customer_a, may_sign_agreements=True)
    return user


def test_a_review_is_recorded_and_its_minutes_confirmed(new_page, acme, manager, alice):
    page = log_in(new_page(), "manager")
    page.goto("/agreements/acme-sla/")
    page.click("#record-review")
    page.fill("#id_held_on", "2026-12-01")
    page.fill("#id_period_label", "2026-11")
    page.check(f"input[name=participants][value='{alice.pk}']")
    page.fill("#id_guests", "Seojun Choi (Acme Bank)")
    # The first decision row is there; its kind shows the fields it uses.
    page.select_option("#id_decisions-0-kind", "change_target")
    assert page.is_visible("#id_decisions-0-target")
    assert not page.is_visible("#id_decisions-0-service")
    page.select_option("#id_decisions-0-target", label="Availability (≥ 99.9 %)")
    page.fill("#id_decisions-0-proposed_objective", "99.95")
    page.click("[data-add-form=decisions]")
    page.select_option("#id_decisions-1-kind", "start_plan")
    assert not page.is_visible("#id_decisions-1-target")
    page.fill("#id_decisions-1-text", "Load-test salary day.")
    page.click("#save-review")
    page.wait_for_url("**/reviews/rev-*/")
    meeting = ReviewMeeting.objects.get()
    assert list(meeting.decisions.values_list("kind", flat=True)) == ["change_target", "start_plan"]
    acme.refresh_from_db()
    assert acme.next_review == dt.date(2027, 3, 1)
    assert page.locator("#review-decisions .decision-action").all_inner_texts() == ["Edit the target", "Start the plan"]

    phone = log_in(new_page(**PHONE), "alice")
    phone.goto(f"/reviews/{meeting.code}/")
    assert phone.locator("#review-decisions .decision-action").count() == 0
    phone.click("#confirm-minutes")
    assert "You confirmed the minutes of this review." in phone.inner_text("body")
    assert phone.inner_text("#minutes-confirmed").strip() == "Confirmed by alice, 3 Dec 2026, 10:00 KST."
    assert overflow(phone) == {"scroll": 0, "over": []}


def test_the_customer_signs_the_terms_on_a_phone(new_page, acme, manager, carol):
    page = log_in(new_page(), "manager")
    page.goto("/agreements/acme-sla/")
    page.click("#send-for-sign-off")
    page.fill("#id_message", "The terms we agreed.")
    page.click("#send-for-sign-off")
    page.wait_for_url("**/sign-offs/*/")

    phone = log_in(new_page(**PHONE), "carol")
    phone.goto("/agreements/acme-sla/")
    phone.click("#open-sign-off")
    # The terms come before the answer on a phone: read, then sign.
    terms = phone.locator(".sign-off-terms").bounding_box()
    answer = phone.locator(".sign-off-answer").bounding_box()
    assert terms["y"] < answer["y"]
    assert overflow(phone) == {"scroll": 0, "over": []}
    phone.check("input[name=answer][value=accept]")
    phone.click("#send-answer")
    assert "You signed version 1." in phone.inner_text("body")
    sign_off = SignOff.objects.get()
    assert (sign_off.status, sign_off.decided_by) == (SignOffStatus.ACCEPTED, carol)
    phone.goto("/agreements/acme-sla/")
    assert "Version 1, signed by Carol Jung on 3 Dec 2026." in phone.inner_text("#sign-off-summary")
    assert "The current terms are the signed ones." in phone.inner_text("#sign-off-summary")
