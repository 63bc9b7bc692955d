"""Whose rows a plan may link, on its page's form and over the API (improvement.forms.plans.PlanForm).

- Every row is one the person linking it may see (its model's ``.for_user()``): another is no valid choice.
- A plan for a customer links that customer's rows only.
- A plan for no one customer links only rows of the customers who read it, those with an agreement on one of its
  services: each of them finds its own rows there, and no other customer's. A customer of no such agreement is not
  one of its readers, and its rows are refused.
- Only someone who sees every customer starts a plan for no one customer (it is read by every customer of its
  services); a person of one organisation starts plans for it.
- A plan started from a service review's decision is for the reviewed agreement's customer, or for no one customer
  on a service that customer uses.

A refusal is a field error on the page and 400 with the field's message over the API; nothing is stored or changed.

The scene: a shared mail service used by Acme (acme-sla) and Globex (globex-mail); Initech uses another service
(initech-sla) and so reads no plan on the mail service.
"""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from improvement.choices import DecisionKind
from improvement.models import ImprovementPlan, ReviewDecision, ReviewMeeting
from tests.api_ladder import Call
from tests.api_ladder import climb as climb_api
from tests.factories import (
    AgreementFactory,
    CustomerFactory,
    MembershipFactory,
    ServiceFactory,
    TargetFactory,
    UserFactory,
)
from tests.improvement.factories import PlanFactory, RequirementFactory, breach_in, coordinator_of

pytestmark = pytest.mark.django_db

API = "/api/v1/improvement-plans"
FOREIGN = (
    "Of a customer with no agreement on the plan's services: {rows}. A plan for no one customer addresses only the "
    "rows of the customers who use its services (they read it): choose the plan's customer, or its services."
)


@pytest.fixture
def scene(agreement_a, customer_b):
    mail = ServiceFactory(code="shared-mail", name="Shared mail")
    agreement_a.services.add(mail)
    globex = AgreementFactory(code="globex-mail", customer=customer_b, services=[mail])
    initech_customer = CustomerFactory(code="initech", name="Initech")
    initech = AgreementFactory(code="initech-sla", customer=initech_customer)
    rows = {"mail": mail, "initech_customer": initech_customer}
    for key, agreement, target_code in (
        ("acme", agreement_a, "availability"),
        ("globex", globex, "mail-up"),
        ("initech", initech, "uptime"),
    ):
        target = agreement.targets.filter(code=target_code).first() or TargetFactory(
            agreement=agreement, code=target_code, name=target_code.title()
        )
        service = mail if key != "initech" else initech.services.get()
        rows[key] = {
            "target": target,
            "breach": breach_in(target, "2026-10", "0.99"),
            "requirement": RequirementFactory(
                customer=agreement.customer, service=service, statement=f"{key.title()} wants more"
            ),
        }
    return rows


def body(**fields):
    return {
        "title": "Mail for everyone",
        "customer": None,
        "services": ["shared-mail"],
        "problem": "Mail is slow on Mondays.",
        "review_periods": 3,
        **fields,
    }


def links(scene, *keys):
    """The API body's links to the rows of the customers named."""
    return {
        "breaches": [scene[key]["breach"].pk for key in keys],
        "targets": [f"{scene[key]['target'].agreement.code}/{scene[key]['target'].code}" for key in keys],
        "requirements": [scene[key]["requirement"].code for key in keys],
        "goal_target": f"{scene[keys[-1]]['target'].agreement.code}/{scene[keys[-1]]['target'].code}",
    }


def page_post(scene, *keys, **fields):
    """The page's form as posted, linking the rows of the customers named."""
    data = {
        "title": "Mail for everyone",
        "customer": "",
        "services": [str(scene["mail"].pk)],
        "problem": "Mail is slow on Mondays.",
        "review_periods": "3",
        "breaches": [str(scene[key]["breach"].pk) for key in keys],
        "targets": [str(scene[key]["target"].pk) for key in keys],
        "requirements": [str(scene[key]["requirement"].pk) for key in keys],
        "goal_target": str(scene[keys[-1]]["target"].pk) if keys else "",
    }
    data.update(fields)
    return data


def api_client(user):
    client = APIClient()
    client.force_login(user)
    return client


def initech_labels(scene):
    target, breach, requirement = (scene["initech"][name] for name in ("target", "breach", "requirement"))
    return {
        "breaches": f"initech-sla · {target.name} · 2026-10",
        "targets": f"initech-sla · {target.name}",
        "goal_target": f"initech-sla · {target.name}",
        "requirements": f"{requirement.service.name} · {requirement.get_category_display()}: Initech wants more",
        "breach": breach,
    }


def test_a_plan_for_no_one_customer_links_the_rows_of_the_customers_who_use_its_services(client, manager, scene):
    client.force_login(manager)
    response = client.post("/plans/new/", page_post(scene, "acme", "globex"))
    assert response.status_code == 302
    plan = ImprovementPlan.objects.get()
    assert plan.customer is None
    assert sorted(target.agreement.code for target in plan.targets.all()) == ["acme-sla", "globex-mail"]
    assert plan.breaches.count() == plan.requirements.count() == 2


def test_the_page_refuses_another_customers_rows_on_a_plan_for_no_one_customer(client, manager, scene):
    client.force_login(manager)
    response = client.post("/plans/new/", page_post(scene, "acme", "initech"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    labels = initech_labels(scene)
    for name in ("breaches", "targets", "goal_target", "requirements"):
        assert errors[name] == [FOREIGN.format(rows=labels[name])], name
    assert not ImprovementPlan.objects.exists()


def test_the_api_refuses_another_customers_rows_on_a_plan_for_no_one_customer(manager, scene):
    response = api_client(manager).post(API, body(**links(scene, "globex", "initech")), format="json")
    assert response.status_code == 400
    labels = initech_labels(scene)
    assert response.data == {
        name: [FOREIGN.format(rows=labels[name])] for name in ("breaches", "targets", "requirements", "goal_target")
    }
    assert not ImprovementPlan.objects.exists()


def test_a_change_that_would_link_another_customers_row_changes_nothing(manager, scene):
    plan = PlanFactory(code="sip-mail", services=[scene["mail"]], targets=[scene["acme"]["target"]])
    client = api_client(manager)
    refused = client.patch(f"{API}/sip-mail", {"targets": ["acme-sla/availability", "initech-sla/uptime"]}, "json")
    assert refused.status_code == 400
    assert refused.data == {"targets": [FOREIGN.format(rows="initech-sla · Uptime")]}
    # Moving the plan off the service its rows are on would leave Acme's target on a plan Acme no longer reads.
    other = ServiceFactory(code="other-service")
    moved = client.patch(f"{API}/sip-mail", {"services": [other.code]}, format="json")
    assert moved.status_code == 400
    assert moved.data == {"targets": [FOREIGN.format(rows="acme-sla · Availability")]}
    plan.refresh_from_db()
    assert [target.code for target in plan.targets.all()] == ["availability"]
    assert list(plan.services.all()) == [scene["mail"]]


def test_a_plan_for_a_customer_links_only_its_rows_over_a_partial_change_too(manager, scene, customer_a):
    plan = PlanFactory(
        code="sip-acme", customer=customer_a, services=[scene["mail"]], targets=[scene["acme"]["target"]]
    )
    response = api_client(manager).patch(f"{API}/sip-acme", {"customer": "globex"}, format="json")
    assert response.status_code == 400
    assert response.data == {
        "targets": ["Not Globex Logistics's: acme-sla · Availability. A plan addresses its own customer's only."]
    }
    plan.refresh_from_db()
    assert plan.customer == customer_a


def test_a_person_of_one_organisation_starts_plans_for_it_only(client, customer_a, scene):
    carol = coordinator_of(customer_a)
    expected = (
        "Choose your organisation: a plan for no one customer is read by every customer of its services, so only "
        "service managers start one."
    )
    client.force_login(carol)
    response = client.post("/plans/new/", page_post(scene, "acme"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"customer": [expected]}
    refused = api_client(carol).post(API, body(**links(scene, "acme")), format="json")
    assert refused.status_code == 400
    assert refused.data == {"customer": [expected]}
    assert not ImprovementPlan.objects.exists()
    made = api_client(carol).post(API, body(customer="acme", **links(scene, "acme")), format="json")
    assert made.status_code == 201, made.data
    assert ImprovementPlan.objects.get().customer == customer_a


def test_a_person_of_one_organisation_cannot_name_another_customers_rows(customer_a, scene):
    carol = coordinator_of(customer_a)
    response = api_client(carol).post(API, body(customer="acme", **links(scene, "acme", "globex")), format="json")
    assert response.status_code == 400
    assert response.data["targets"] == [
        "No such target for you here: globex-mail/mail-up. Name a target as agreement/target, by their codes."
    ]
    assert response.data["breaches"][0].startswith("Select a valid choice.")
    assert not ImprovementPlan.objects.exists()


@pytest.fixture
def decision(agreement_a, manager):
    meeting = ReviewMeeting.objects.create(
        agreement=agreement_a, held_on=dt.date(2026, 11, 20), period_label="2026-10", recorded_by=manager
    )
    return ReviewDecision.objects.create(meeting=meeting, kind=DecisionKind.START_PLAN, text="Load-test payday.")


def test_a_plan_started_from_a_review_decision_is_for_its_customer(client, manager, scene, decision, customer_b):
    client.force_login(manager)
    url = f"/plans/new/?decision={decision.pk}"
    response = client.post(url, page_post(scene, "globex", customer=str(customer_b.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "customer": [
            "The plan starts from a decision of Acme Bank's service review: it is for Acme Bank, or for no one "
            "customer on a service Acme Bank uses."
        ]
    }
    assert not ImprovementPlan.objects.exists()
    decision.refresh_from_db()
    assert decision.plan is None
    # For no one customer on the mail service Acme uses: Acme reads the plan, and the decision leads to it.
    assert client.post(url, page_post(scene, "acme", "globex")).status_code == 302
    decision.refresh_from_db()
    assert decision.plan == ImprovementPlan.objects.get()


# --- the permission ladder of the refused writes ----------------------------------------------------------------------


def test_the_page_ladder_of_a_refused_link(client, scene, alice, bob, manager, customer_a):
    """Anonymous: the login page; people who may not start plans: 403; someone of Acme who may: the form again, the
    other customers' rows not even offered; a manager: the form again with the rule's message. Nothing stored."""
    data = page_post(scene, "acme", "initech")
    client.logout()
    response = client.post("/plans/new/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    for person in (alice, bob):
        client.force_login(person)
        assert client.post("/plans/new/", data).status_code == 403
    client.force_login(coordinator_of(customer_a))
    errors = client.post("/plans/new/", {**data, "customer": str(customer_a.pk)}).context["form"].errors
    assert errors["targets"][0].startswith("Select a valid choice.")
    client.force_login(manager)
    errors = client.post("/plans/new/", data).context["form"].errors
    assert errors["targets"] == [FOREIGN.format(rows="initech-sla · Uptime")]
    assert not ImprovementPlan.objects.exists()


def test_the_api_ladder_of_a_refused_link(scene, alice, bob, manager):
    plan = PlanFactory(code="sip-mail", services=[scene["mail"]], targets=[scene["acme"]["target"]])
    initech_person = MembershipFactory(user=UserFactory(username="ines"), customer=scene["initech_customer"]).user
    create = Call("post", API, body(**links(scene, "acme", "initech")), scoped=False)
    refused = climb_api(create, owner=alice, outsider=bob, manager=manager, allowed_status=400)
    assert set(refused.data) == {"breaches", "targets", "requirements", "goal_target"}
    # Initech reads no plan on the mail service: the plan is not found for its people.
    change = Call("patch", f"{API}/sip-mail", {"targets": ["initech-sla/uptime"]})
    refused = climb_api(change, owner=alice, outsider=initech_person, manager=manager, allowed_status=400)
    assert refused.data == {"targets": [FOREIGN.format(rows="initech-sla · Uptime")]}
    assert list(ImprovementPlan.objects.values_list("code", flat=True)) == ["sip-mail"]
    assert [target.code for target in plan.targets.all()] == ["availability"]
