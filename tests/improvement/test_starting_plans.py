"""Starting a plan from what it addresses: a breach, an at-risk target, a requirement or a service of the priorities
page. The form comes pre-filled (/plans/new/?breach=<id>, ?target=AGREEMENT/TARGET, ?requirement=<code>,
?service=<code>); saved unchanged, the plan links what it started from.

The scene: Acme's availability target (99.9 %) breached in October 2026 at 99.8 % and is at risk in November at
99.93 %; Acme's requirement of 99.95 % (importance 4, performance 2, a tier-3 service, no measured record) scores
100 × (3 × 0.75 + 4 × 0.5 + 2 × 1/3) / 12 = 40.97 with the default weights.
"""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from improvement.choices import PlanStatus
from improvement.models import ImprovementPlan
from monitoring.choices import SnapshotStatus
from tests.factories import UserFactory
from tests.improvement.factories import (
    RequirementFactory,
    breach_in,
    closed_month,
    coordinator_of,
    form_values,
    plan_in,
)
from tests.monitoring.factories import table_rows

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def target(agreement_a):
    return agreement_a.targets.get(code="availability")


@pytest.fixture
def service(agreement_a):
    return agreement_a.services.get()


@pytest.fixture
def breach(target):
    return breach_in(target, "2026-10", "0.998")


@pytest.fixture
def at_risk(target):
    """November, still running: 99.93 %, with most of its error budget spent."""
    snapshot = closed_month(target, "2026-11", "0.9993", closed=False)
    snapshot.status, snapshot.is_current = SnapshotStatus.AT_RISK, True
    snapshot.save()
    return snapshot


@pytest.fixture
def requirement(customer_a, service):
    return RequirementFactory(
        customer=customer_a,
        service=service,
        statement="Internet banking must stay up on salary day",
        desired_level="99.95 % availability in business hours",
    )


@pytest.fixture
def globex(agreement_b, customer_b):
    """Customer B's sources of a plan: a breach, its target, a requirement and its service."""
    target = agreement_b.targets.get()
    service = agreement_b.services.get()
    return {
        "breach": f"breach={breach_in(target, '2026-10', '0.99').pk}",
        "target": "target=globex-sla/availability",
        "requirement": f"requirement={RequirementFactory(customer=customer_b, service=service).code}",
        "service": f"service={service.code}",
    }


def open_form(client, user, query):
    client.force_login(user)
    response = client.get(f"/plans/new/?{query}")
    assert response.status_code == 200
    return form_values(response.text, "plan-form"), response


def save(client, query, values, **changes):
    """POST the form's values, with ``changes`` made, to the URL it was opened at (as the browser does)."""
    return client.post(f"/plans/new/?{query}", {**values, **changes})


def saved_plan():
    return ImprovementPlan.objects.get()


def test_a_plan_started_from_a_breach_links_it_and_aims_back_at_the_objective(client, manager, breach, target, service):
    query = f"breach={breach.pk}"
    values, _response = open_form(client, manager, query)
    assert values["title"] == "Bring Availability back over 99.9 %"
    assert values["problem"] == (
        "Availability (acme-sla) breached in 2026-10: Period ended under the objective, attainment 99.8 %."
    )
    assert values["customer"] == str(target.agreement.customer.pk)
    assert values["services"] == [str(service.pk)]
    assert values["breaches"] == [str(breach.pk)]
    assert values["targets"] == [str(target.pk)]
    assert values["goal_target"] == str(target.pk)
    assert (D(values["baseline_attainment"]), D(values["desired_attainment"])) == (D("99.8"), D("99.9"))

    response = save(client, query, values)
    plan = saved_plan()
    assert response["Location"] == f"/plans/{plan.code}/"
    assert (plan.title, plan.status, plan.customer.code) == ("Bring Availability back over 99.9 %", "proposed", "acme")
    assert list(plan.breaches.all()) == [breach]
    assert list(plan.targets.all()) == [target]
    assert list(plan.services.all()) == [service]
    assert (plan.goal_target, plan.baseline_attainment, plan.desired_attainment) == (target, D("99.8"), D("99.9"))
    assert plan.priority_score is None


def test_a_plan_started_from_an_at_risk_target_protects_its_objective(client, manager, target, at_risk):
    query = "target=acme-sla/availability"
    values, _response = open_form(client, manager, query)
    assert values["title"] == "Protect Availability"
    assert values["problem"] == "Availability (acme-sla) is At risk in 2026-11."
    assert (values["targets"], values["goal_target"], values.get("breaches")) == (
        [str(target.pk)],
        str(target.pk),
        None,
    )
    # Still over the objective (99.93 %): no baseline under the goal, which is the objective.
    assert (values["baseline_attainment"], D(values["desired_attainment"])) == ("", D("99.9"))

    assert save(client, query, values).status_code == 302
    plan = saved_plan()
    assert list(plan.targets.all()) == [target]
    assert (plan.goal_target, plan.baseline_attainment, plan.desired_attainment) == (target, None, D("99.9"))


def test_a_plan_started_from_a_target_already_under_its_objective_starts_from_there(client, manager, target, at_risk):
    at_risk.attainment, at_risk.status = D("0.9985"), SnapshotStatus.BREACHED  # budget spent before the month ends
    at_risk.save()
    query = "target=acme-sla/availability"
    values, _response = open_form(client, manager, query)
    assert values["problem"] == "Availability (acme-sla) is Breached in 2026-11."
    save(client, query, values)
    assert (saved_plan().baseline_attainment, saved_plan().desired_attainment) == (D("99.85"), D("99.9"))


def test_a_plan_started_from_a_requirement_takes_its_priority_score(client, manager, requirement, service):
    query = f"requirement={requirement.code}"
    values, response = open_form(client, manager, query)
    assert values["title"] == values["problem"] == "Internet banking must stay up on salary day"
    assert (values["requirements"], values["services"]) == ([str(requirement.pk)], [str(service.pk)])
    assert D(values["desired_attainment"]) == D("99.95")
    assert values["baseline_attainment"] == ""
    assert 'name="priority_score" value="40.97"' in response.text  # shown, not editable
    assert "priority_score" not in values

    save(client, query, values)
    plan = saved_plan()
    assert list(plan.requirements.all()) == [requirement]
    assert (plan.priority_score, plan.priority, plan.desired_attainment) == (D("40.97"), D("40.97"), D("99.95"))


def test_the_priority_score_is_the_one_on_the_priorities_page(client, manager, requirement, service):
    client.force_login(manager)
    page = client.get("/priorities/").text
    (requirement_row,) = table_rows(page, "ranked-requirements")
    (service_row,) = table_rows(page, "ranked-services")
    for query, row in ((f"requirement={requirement.code}", requirement_row), (f"service={service.code}", service_row)):
        values, _response = open_form(client, manager, query)
        save(client, query, values)
        assert ImprovementPlan.objects.latest("created_at").priority_score == D(row[0])


def test_a_plan_started_from_a_service_names_it(client, manager, requirement, service):
    query = f"service={service.code}"
    values, _response = open_form(client, manager, query)
    assert values["title"] == f"Improve {service.name}"
    assert values["problem"] == f"{service.name} ranks high on the priorities page."
    assert values["services"] == [str(service.pk)]
    save(client, query, values)
    plan = saved_plan()
    assert (list(plan.services.all()), plan.customer, plan.priority_score) == ([service], None, D("40.97"))


@pytest.mark.parametrize(
    "query",
    [
        "breach=999999",
        "breach=october",
        "target=acme-sla/no-such-target",
        "target=no-such-sla/availability",
        "target=acme-sla",
        "requirement=req-00000000",
        "service=no-such-service",
    ],
)
def test_an_unknown_source_is_not_found(client, manager, breach, query):
    client.force_login(manager)
    assert client.get(f"/plans/new/?{query}").status_code == 404
    assert client.post(f"/plans/new/?{query}", {"title": "x"}).status_code == 404
    assert not ImprovementPlan.objects.exists()


@pytest.mark.parametrize("source", ["breach", "target", "requirement", "service"])
def test_a_source_the_person_may_not_see_is_not_found(client, customer_a, globex, breach, source):
    carol = coordinator_of(customer_a)
    client.force_login(carol)
    assert client.get(f"/plans/new/?{globex[source]}").status_code == 404
    assert client.get(f"/plans/new/?breach={breach.pk}").status_code == 200  # her own organisation's breach


def test_a_person_who_is_no_manager_is_offered_only_her_organisations_rows(client, customer_a, globex, breach, target):
    carol = coordinator_of(customer_a)
    client.force_login(carol)
    html = client.get("/plans/new/").text

    def options(name):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        if select:
            return set(re.findall(r'<option value="(\d+)"', select.group(0)))
        return set(re.findall(rf'<input type="checkbox" name="{name}" value="(\d+)"', html))

    assert options("breaches") == {str(breach.pk)}
    assert options("targets") == options("goal_target") == {str(target.pk)}
    assert options("customer") == {str(customer_a.pk)}
    assert options("services") == {str(s.pk) for s in target.agreement.services.all()}
    other_breach = globex["breach"].split("=")[1]
    response = client.post(
        "/plans/new/",
        {"title": "Sneaky", "problem": "x", "services": list(options("services")), "breaches": other_breach},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not ImprovementPlan.objects.exists()


def test_overriding_the_priority_needs_a_reason(client, manager, requirement):
    query = f"requirement={requirement.code}"
    values, _response = open_form(client, manager, query)
    refused = save(client, query, values, priority_override="80")
    assert refused.status_code == 200
    assert re.search(r'id="error_1_id_override_reason".*?Say why the priority is overridden\.', refused.text, re.S)
    assert not ImprovementPlan.objects.exists()

    save(client, query, values, priority_override="80", override_reason="The regulator asked for it.")
    plan = saved_plan()
    assert (plan.priority_score, plan.priority_override, plan.priority) == (D("40.97"), D("80"), D("80"))
    assert plan.override_reason == "The regulator asked for it."


@pytest.mark.parametrize(("baseline", "desired"), [("99.8", "99.8"), ("99.8", "99.5")])
def test_the_desired_attainment_must_be_above_the_baseline(client, manager, breach, baseline, desired):
    query = f"breach={breach.pk}"
    values, _response = open_form(client, manager, query)
    response = save(client, query, values, baseline_attainment=baseline, desired_attainment=desired)
    assert response.status_code == 200
    assert "The goal must be above the baseline." in response.text
    assert not ImprovementPlan.objects.exists()


def test_the_target_page_offers_managers_to_start_a_plan_from_the_target_and_its_breaches(
    client, manager, alice, breach
):
    client.force_login(manager)
    page = client.get("/agreements/acme-sla/targets/availability/").text
    assert re.search(r'href="/plans/new/\?target=acme-sla%2Favailability">Start an improvement plan</a>', page)
    link = re.search(
        rf'<li class="list-group-item small">.*?2026-10.*?href="(/plans/new/\?breach={breach.pk})">Start a plan',
        page,
        re.S,
    )
    assert link
    values, _response = open_form(client, manager, link.group(1).split("?")[1])  # the link opens the pre-filled form
    assert values["breaches"] == [str(breach.pk)]

    client.force_login(alice)
    customer_page = client.get("/agreements/acme-sla/targets/availability/")
    assert customer_page.status_code == 200
    assert "2026-10" in customer_page.text
    assert "/plans/new/" not in customer_page.text


def test_the_priorities_page_offers_managers_to_start_a_plan_from_each_row(
    client, manager, alice, requirement, service
):
    client.force_login(manager)
    page = client.get("/priorities/").text
    requirement_row = re.search(rf'<tr data-code="{requirement.code}">.*?</tr>', page, re.S).group(0)
    assert f'href="/plans/new/?requirement={requirement.code}">Start a plan</a>' in requirement_row
    service_row = re.search(rf'<tr data-service="{service.code}">.*?</tr>', page, re.S).group(0)
    assert f'href="/plans/new/?service={service.code}">Start a plan</a>' in service_row

    client.force_login(alice)  # customers have no priorities page, and so no link to start a plan from it
    assert client.get("/priorities/").status_code == 403


def test_an_analyst_who_may_not_add_plans_sees_the_priorities_without_the_links(client, requirement, service):
    analyst = UserFactory(username="analyst")
    analyst.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["agreements", "requirements_analysis"], codename__startswith="view_"
        )
    )
    client.force_login(analyst)
    page = client.get("/priorities/")
    assert page.status_code == 200
    assert f'<tr data-code="{requirement.code}">' in page.text
    assert f'<tr data-service="{service.code}">' in page.text
    assert "/plans/new/" not in page.text


# --- whose plan, and a second one ------------------------------------------------------------------------------------


def test_the_owner_is_the_manager_who_starts_the_plan(client, manager, breach, customer_a):
    values, _response = open_form(client, manager, f"breach={breach.pk}")
    assert values["owner"] == str(manager.pk)
    save(client, f"breach={breach.pk}", values)
    assert saved_plan().owner == manager

    carol = coordinator_of(customer_a)  # may start plans, but is no portal staff: no owner chosen for her
    values, _response = open_form(client, carol, f"breach={breach.pk}")
    assert values["owner"] == ""


@pytest.fixture
def open_plan(breach, target, service):
    plan = plan_in(
        PlanStatus.IN_PROGRESS, title="Already on it", customer=target.agreement.customer, services=[service]
    )
    plan.breaches.set([breach])
    return plan


def test_starting_a_plan_from_a_breach_with_an_open_plan_links_to_it_and_asks_first(client, manager, breach, open_plan):
    query = f"breach={breach.pk}"
    values, response = open_form(client, manager, query)
    notice = re.search(
        r'<div class="alert alert-warning" role="alert" id="open-plans">(.*?)\n  </div>', response.text, re.S
    )
    assert notice
    assert "1 breach chosen here already has an open plan." in notice.group(1)
    assert f'<a href="/plans/{open_plan.code}/"' in notice.group(1)
    assert f"{open_plan.code}: Already on it</a> (In progress) · Availability 2026-10" in notice.group(1)
    assert "Start another plan anyway" in notice.group(1)

    refused = save(client, query, values)
    assert refused.status_code == 200
    assert "A plan is already open for this: go on with it, or tick the box to start another one." in refused.text
    assert ImprovementPlan.objects.count() == 1

    created = save(client, query, values, another_plan="on")
    assert created.status_code == 302
    assert ImprovementPlan.objects.count() == 2
    assert list(ImprovementPlan.objects.exclude(pk=open_plan.pk).get().breaches.all()) == [breach]


@pytest.mark.parametrize("status", [PlanStatus.VERIFIED, PlanStatus.CANCELLED])
def test_a_closed_plan_on_the_breach_does_not_stop_a_new_one(client, manager, breach, open_plan, status):
    ImprovementPlan.objects.filter(pk=open_plan.pk).update(status=status)
    query = f"breach={breach.pk}"
    values, response = open_form(client, manager, query)
    assert 'id="open-plans"' not in response.text
    assert save(client, query, values).status_code == 302
    assert ImprovementPlan.objects.count() == 2


def test_editing_a_plan_does_not_ask_again_about_the_breaches_it_already_addresses(
    client, manager, breach, open_plan, service
):
    second = plan_in(PlanStatus.PROPOSED, title="Second look", services=[service])
    second.breaches.set([breach])
    client.force_login(manager)
    values = form_values(client.get(f"/plans/{second.code}/edit/").text, "plan-form")
    response = client.post(f"/plans/{second.code}/edit/", {**values, "title": "Second look, sharper"})
    assert response.status_code == 302
    assert ImprovementPlan.objects.get(pk=second.pk).title == "Second look, sharper"


# --- the plan's customer's choices, searchable and whole --------------------------------------------------------------


def choices(page, name):
    """{value: (label, shown)} of a list of checkboxes: shown is False when the row starts hidden."""
    rows = re.findall(
        rf'<div class="form-check" data-choice( hidden)?><input type="checkbox" name="{name}" value="(\d+)"'
        r'[^>]*data-customer="(\d*)"[^>]*> <label class="form-check-label" for="[\w-]+">(.*?)</label>',
        page,
        re.S,
    )
    return {value: (html.unescape(label), not hidden) for hidden, value, _customer, label in rows}


@pytest.fixture
def two_customers(breach, requirement, globex):
    """A's breach and requirement (fixtures above), and B's: everything a manager may see."""
    return globex


def test_the_choices_shown_are_the_plans_customers_and_the_others_start_hidden(
    client, manager, breach, requirement, two_customers, agreement_b
):
    values, response = open_form(client, manager, f"breach={breach.pk}")
    breaches = choices(response.text, "breaches")
    other_breach = two_customers["breach"].split("=")[1]
    assert breaches == {
        str(breach.pk): ("acme-sla · Availability · 2026-10", True),
        other_breach: (f"globex-sla · {agreement_b.targets.get().name} · 2026-10", False),
    }
    requirements = choices(response.text, "requirements")
    assert requirements[str(requirement.pk)] == (
        f"{requirement.service.name} · Availability: Internet banking must stay up on salary day",
        True,
    )
    assert [shown for _label, shown in requirements.values()].count(True) == 1
    assert "data-choice-filter" in response.text  # each list has its filter box
    assert '<script src="/static/js/choice-filter.js"></script>' in response.text

    # Without a customer, every choice the person may see is shown.
    unbound = client.get("/plans/new/").text
    assert all(shown for _label, shown in choices(unbound, "breaches").values())


def test_a_long_requirement_is_offered_whole(client, manager, customer_a, service):
    statement = "Internet banking must stay up on salary day, " * 6 + "and the mobile app too."
    long = RequirementFactory(customer=customer_a, service=service, statement=statement.strip())
    _values, response = open_form(client, manager, f"requirement={long.code}")
    assert choices(response.text, "requirements")[str(long.pk)][0].endswith("and the mobile app too.")


def test_another_customers_breach_is_refused_and_nothing_is_saved(client, manager, breach, two_customers):
    query = f"breach={breach.pk}"
    values, _response = open_form(client, manager, query)
    other = two_customers["breach"].split("=")[1]
    response = save(client, query, {**values, "breaches": [str(breach.pk), other]})
    assert response.status_code == 200
    assert re.search(
        r"Not Acme Bank&#x27;s: globex-sla · [^.]+ · 2026-10\. A plan addresses its own customer&#x27;s only\.",
        response.text,
    )
    assert not ImprovementPlan.objects.exists()
