"""The effect review's verdict as each reader sees it (improvement.visibility.review_reading).

A reader who may see every target the review measured reads its verdict. A reader who may see only some reads the
verdict computed, by the same rule, over the targets shown, with a sentence saying part of the evidence is not
visible to them; a reader who sees none of them reads no verdict, and a sentence saying why. On the plan's page and
over the API alike.

The scene: a completed plan for no one customer on a shared mail service, started on 1 May 2026 and completed on
10 July 2026 (Seoul), addressing Acme's availability and Globex's mail target (both 99.9 %). Acme's went from
99.95 % to 99.0 % (worse); Globex's from 99.0 % to 99.95 % (improved). Over both, the plan's verdict is "worse".
"""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from improvement import reviews
from improvement.choices import PlanStatus, Verdict
from tests.factories import AgreementFactory, ServiceFactory, TargetFactory, UserFactory
from tests.improvement.factories import closed_month, plan_in
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db

API = "/api/v1/improvement-plans/sip-mail"
BEFORE = ("2026-02", "2026-03", "2026-04")
AFTER = ("2026-08", "2026-09", "2026-10")
PARTIAL = "This verdict is over the targets shown here only: part of the evidence of this review is not visible to you."
WITHHELD = "No verdict is shown: none of the targets this review measured is visible to you."


@pytest.fixture
def reviewed(manager, agreement_a, customer_b):
    shared = ServiceFactory(code="shared-mail", name="Shared mail")
    agreement_a.services.add(shared)
    globex = AgreementFactory(code="globex-mail", customer=customer_b, services=[shared])
    acme_target = agreement_a.targets.get(code="availability")
    globex_target = TargetFactory(agreement=globex, code="mail-up", name="Mail up")
    plan = plan_in(
        PlanStatus.COMPLETED,
        code="sip-mail",
        services=[shared],
        targets=[acme_target, globex_target],
        started_at=kst(2026, 5, 1),
        completed_at=kst(2026, 7, 10),
    )
    for target, before, after in ((acme_target, "0.9995", "0.99"), (globex_target, "0.99", "0.9995")):
        for month in BEFORE:
            closed_month(target, month, before)
        for month in AFTER:
            closed_month(target, month, after)
    review = reviews.review(plan, manager)
    assert review.verdict == Verdict.WORSE
    assert sorted(row["verdict"] for row in review.details) == [Verdict.IMPROVED, Verdict.WORSE]
    return review


@pytest.fixture
def plan_reader(db):
    """Someone allowed to read every plan, but no agreement or target (no customer, no other permission)."""
    user = UserFactory(username="auditor")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="improvement", codename="view_improvementplan")
    )
    return user


def page(client, user):
    client.force_login(user)
    response = client.get("/plans/sip-mail/")
    assert response.status_code == 200
    return response.text


def verdict_line(html):
    start = html.index('id="review-verdict"')
    return html[start : html.index("</p>", start)]


def api(user, path=API):
    client = APIClient()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def test_the_manager_reads_the_verdict_over_every_target(client, manager, reviewed):
    html = page(client, manager)
    assert "<strong>Worse</strong>" in verdict_line(html)
    assert 'id="review-verdict-note"' not in html
    review = api(manager)["effect_review"]
    assert (review["verdict"], review["verdict_note"], review["targets_not_shown"]) == ("worse", "", 0)


@pytest.mark.parametrize(
    ("reader", "verdict", "label"),
    [("bob", "improved", "Improved"), ("alice", "worse", "Worse")],
)
def test_a_customer_reads_the_verdict_of_its_own_targets_and_is_told_so(
    client, request, reviewed, reader, verdict, label
):
    user = request.getfixturevalue(reader)
    html = page(client, user)
    assert f"<strong>{label}</strong>" in verdict_line(html)
    assert PARTIAL in html
    for review in (api(user)["effect_review"], api(user, f"{API}/review")):
        assert (review["verdict"], review["verdict_note"], review["targets_not_shown"]) == (verdict, PARTIAL, 1)
        assert [row["verdict"] for row in review["targets"]] == [verdict]


def test_a_reader_who_sees_none_of_the_targets_reads_no_verdict(client, plan_reader, reviewed):
    html = page(client, plan_reader)
    line = verdict_line(html)
    assert "<strong>" not in line
    assert "3 closed periods before the start against 3 after the completion" in line
    for label in ("Worse", "Improved", "No change", "Not enough data"):
        assert label not in line
    assert WITHHELD in html
    review = api(plan_reader)["effect_review"]
    assert (review["verdict"], review["verdict_note"], review["targets"], review["targets_not_shown"]) == (
        None,
        WITHHELD,
        [],
        2,
    )


def test_the_korean_page_says_it_in_korean(client, bob, reviewed):
    client.force_login(bob)
    html = client.get("/plans/sip-mail/", HTTP_ACCEPT_LANGUAGE="ko").text
    assert "이 판정은 여기 표시된 목표만으로 낸 것입니다." in html
    assert "<strong>개선됨</strong>" in verdict_line(html)
