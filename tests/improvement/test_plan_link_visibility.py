"""A plan for no one customer, on a catalogue service several customers use, may address one customer's breaches,
targets and requirements. Another customer's user reads the plan, but of what it links only the rows they may see
(each through its own model's ``.for_user()``), on its page and over the API; the effect review's figures of a target
they may not see are not shown, and the page says so. A service manager sees everything."""

import pytest
from rest_framework.test import APIClient

from improvement import reviews
from improvement.choices import PlanStatus
from tests.factories import AgreementFactory, ServiceFactory, TargetFactory
from tests.improvement.factories import RequirementFactory, breach_in, closed_month, plan_in
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db

API = "/api/v1/improvement-plans"
MONTHS = ("2026-02", "2026-03", "2026-04", "2026-08", "2026-09", "2026-10")


@pytest.fixture
def shared_plan(manager, agreement_a, customer_b):
    """A completed plan for no one customer on the shared mail service, addressing Acme's and Globex's availability,
    a breach and a requirement of each, with Acme's availability as its goal, and reviewed."""
    shared = ServiceFactory(code="shared-mail", name="Shared mail")
    agreement_a.services.add(shared)
    globex = AgreementFactory(code="globex-mail", customer=customer_b, services=[shared])
    acme_target = agreement_a.targets.get(code="availability")
    globex_target = TargetFactory(agreement=globex, code="mail-up", name="Mail up")
    plan = plan_in(
        PlanStatus.COMPLETED,
        code="sip-mail",
        title="Mail for everyone",
        services=[shared],
        targets=[acme_target, globex_target],
        goal_target=acme_target,
        baseline_attainment="99.1234",
        desired_attainment="99.9",
        started_at=kst(2026, 5, 1),
        completed_at=kst(2026, 7, 10),
    )
    acme_breach = breach_in(acme_target, "2026-03", "0.9911")
    globex_breach = breach_in(globex_target, "2026-04", "0.99")
    plan.breaches.set([acme_breach, globex_breach])
    acme_need = RequirementFactory(service=shared, customer=agreement_a.customer, statement="Acme wants mail at 7")
    globex_need = RequirementFactory(service=shared, customer=customer_b, statement="Globex wants mail at 8")
    plan.requirements.set([acme_need, globex_need])
    for target, attainment in ((acme_target, "0.9871"), (globex_target, "0.9950")):
        for month in MONTHS:
            closed_month(target, month, attainment)
    reviews.review(plan, manager)
    return {
        "plan": plan,
        "breaches": (acme_breach.pk, globex_breach.pk),
        "requirements": (acme_need.code, globex_need.code),
    }


def api(user, path):
    client = APIClient()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def test_another_customer_reads_only_its_own_links_over_the_api(bob, shared_plan):
    listed = next(row for row in api(bob, API)["results"] if row["code"] == "sip-mail")
    detail = api(bob, f"{API}/sip-mail")
    for data in (listed, detail):
        assert data["targets"] == ["globex-mail/mail-up"]
        assert data["breaches"] == [shared_plan["breaches"][1]]
        assert data["requirements"] == [shared_plan["requirements"][1]]
        assert (data["goal_target"], data["baseline_attainment"], data["desired_attainment"]) == (None, None, None)
    for review in (detail["effect_review"], api(bob, f"{API}/sip-mail/review")):
        assert [(row["agreement"], row["target"]) for row in review["targets"]] == [("globex-mail", "mail-up")]
        assert review["targets_not_shown"] == 1
    assert "acme" not in str(detail)
    assert "98.71" not in str(detail)


def test_the_manager_reads_every_link_over_the_api(manager, shared_plan):
    detail = api(manager, f"{API}/sip-mail")
    assert sorted(detail["targets"]) == ["acme-sla/availability", "globex-mail/mail-up"]
    assert sorted(detail["breaches"]) == sorted(shared_plan["breaches"])
    assert sorted(detail["requirements"]) == sorted(shared_plan["requirements"])
    assert (detail["goal_target"], detail["baseline_attainment"]) == ("acme-sla/availability", "99.1234")
    review = detail["effect_review"]
    assert sorted(row["agreement"] for row in review["targets"]) == ["acme-sla", "globex-mail"]
    assert review["targets_not_shown"] == 0


def test_another_customer_reads_only_its_own_links_on_the_plans_page(client, bob, alice, shared_plan):
    client.force_login(bob)
    text = client.get("/plans/sip-mail/").text
    assert "globex-mail · Mail up" in text
    assert "Globex wants mail at 8" in text
    for leak in ("acme-sla", "Acme wants mail at 7", "99.1234", "98.71"):
        assert leak not in text, leak
    assert "The goal is a target of another customer: it and its figures are not shown." in text
    assert "1 target this review measured is another customer’s: its figures are not shown." in text
    client.force_login(alice)
    text = client.get("/plans/sip-mail/").text
    assert "acme-sla · Availability" in text
    assert "Acme wants mail at 7" in text
    assert "globex-mail" not in text
    assert "Globex wants mail at 8" not in text


def test_the_manager_reads_every_link_on_the_plans_page(client, manager, shared_plan):
    client.force_login(manager)
    text = client.get("/plans/sip-mail/").text
    for shown in ("acme-sla · Availability", "globex-mail · Mail up", "Acme wants mail at 7", "99.1234", "98.71"):
        assert shown in text, shown
    assert "not shown" not in text
