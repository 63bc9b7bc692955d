"""The review and sign-off pages read in a fixed number of queries, whatever the number of reviews, decisions,
participants, sign-off requests, targets and credit tiers.

Each page is measured on a small record (one of each), then on a large one (many of each) of the same agreement.
"""

import datetime as dt
from decimal import Decimal

import pytest

from agreements.signoffs import answer, send_for_sign_off
from improvement.choices import DecisionKind
from improvement.models import ReviewDecision, ReviewMeeting
from tests.factories import CreditTierFactory, MembershipFactory, TargetFactory, UserFactory
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db
NOW = kst(2027, 1, 31, 10)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def signer(customer_a):
    user = UserFactory(username="carol")
    MembershipFactory(user=user, customer=customer_a, may_sign_agreements=True)
    return user


def add_reviews(agreement, people, count, decisions):
    for number in range(count):
        meeting = ReviewMeeting.objects.create(
            agreement=agreement, held_on=dt.date(2026, 12, 1) - dt.timedelta(days=number), period_label="2026-11"
        )
        meeting.participants.set(people)
        target = agreement.targets.first()
        for position in range(decisions):
            ReviewDecision.objects.create(
                meeting=meeting,
                position=position,
                kind=DecisionKind.CHANGE_TARGET,
                target=target,
                objective_then=target.objective,
                proposed_objective=Decimal("99.95"),
                text=f"Decision {position}",
            )


def add_sign_offs(agreement, manager, signer, count):
    for number in range(count):
        TargetFactory(agreement=agreement, code=f"extra-{number}-{agreement.sign_offs.count()}")
        sign_off = send_for_sign_off(agreement, manager)
        answer(sign_off, signer, True)


def grow(agreement, manager, alice, signer, size):
    """One review with one decision and one sign-off (size 1), or many of each with many targets and tiers."""
    for number in range(size - 1):
        target = TargetFactory(agreement=agreement, code=f"t{number}")
        CreditTierFactory(target=target, below_attainment=Decimal("99.5"), credit_percent=Decimal("5"))
    people = [manager, alice, signer] if size > 1 else [manager]
    add_reviews(agreement, people, size, size)
    add_sign_offs(agreement, manager, signer, size)
    TargetFactory(agreement=agreement, code=f"waiting-{size}")
    send_for_sign_off(agreement, manager)  # and one waiting: the page shows its answer form to the signer


def count(client, user, url, django_assert_max_num_queries):
    client.force_login(user)
    with django_assert_max_num_queries(60) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = {
    "review": ("manager", lambda agreement: f"/reviews/{agreement.review_meetings.order_by('pk').first().code}/"),
    "customer_review": (
        "alice",
        lambda agreement: f"/reviews/{agreement.review_meetings.order_by('pk').first().code}/",
    ),
    "reviews": ("manager", lambda agreement: "/reviews/"),
    "sign_off": (
        "signer",
        lambda agreement: f"/agreements/acme-sla/sign-offs/{agreement.sign_offs.pending().get().pk}/",
    ),
    "agreement": ("manager", lambda agreement: "/agreements/acme-sla/"),
    "customer_agreement": ("alice", lambda agreement: "/agreements/acme-sla/"),
}


@pytest.mark.parametrize("page", PAGES)
def test_the_page_reads_as_many_queries_for_a_long_record_as_for_a_short_one(
    client, page, agreement_a, manager, alice, signer, django_assert_max_num_queries
):
    who, url = PAGES[page]
    people = {"manager": manager, "alice": alice, "signer": signer}
    grow(agreement_a, manager, alice, signer, 1)
    small = count(client, people[who], url(agreement_a), django_assert_max_num_queries)
    grow(agreement_a, manager, alice, signer, 6)
    large = count(client, people[who], url(agreement_a), django_assert_max_num_queries)
    assert large == small, f"{page}: {small} queries with one of each, {large} with many"
