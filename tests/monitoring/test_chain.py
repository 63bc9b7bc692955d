"""The chain under an SLA target: the weakness rules with known answers, the possible causes on the target's page,
the chain on the agreement page, the overview's chains page, and what each person sees of it.

The scene: Acme's SLA promises 99.9 % availability (an up/down probe, timeslices, month); the operations team's OLA
(a customer of its own, "IT Operations") promises its platform at 99.8 % on a probe of its own. Rules are asked with
an explicit ``now`` (Friday 4 December 2026, 12:00 in Seoul).
"""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from agreements.choices import AgreementKind, AgreementStatus, BudgetingMethod
from agreements.models import Underpinning
from monitoring.choices import BreachKind, TicketMetric
from monitoring.models import Breach, TargetIndicator, TicketGoal
from monitoring.readout import chain
from tests.factories import AgreementFactory, BusinessCalendarFactory, CustomerFactory, HolidayFactory, TargetFactory
from tests.ladder import Rung, climb
from tests.monitoring.evaluation_helpers import evaluate, kst, measured_target, record_probe_minutes
from tests.monitoring.ticket_helpers import ticket_indicator

pytestmark = pytest.mark.django_db
NOW = kst(2026, 12, 4, 12)


@pytest.fixture
def operations(db):
    return CustomerFactory(code="operations", name="IT Operations (internal)")


@pytest.fixture
def sla(customer_a):
    return AgreementFactory(code="acme-sla", customer=customer_a, status=AgreementStatus.ACTIVE)


@pytest.fixture
def ola(operations):
    return AgreementFactory(code="ops-ola", kind=AgreementKind.OLA, customer=operations, status=AgreementStatus.ACTIVE)


@pytest.fixture
def availability(sla):
    return measured_target(agreement=sla, code="availability", name="Availability", objective="99.9")


@pytest.fixture
def platform(ola, availability):
    platform = measured_target(agreement=ola, code="platform", name="Platform up", objective="99.8")
    Underpinning.objects.create(target=availability, underpinning=platform)
    return platform


def reasons(upper, lower, user, now=NOW):
    """The reasons the link upper -> lower is flagged with, as the person reads them (the link is made if needed)."""
    Underpinning.objects.get_or_create(target=upper, underpinning=lower)
    down, _up = chain.links_of([upper], user, now)
    (link,) = [link for link in down[upper.pk] if link.lower.pk == lower.pk]
    return [(weakness.rule, weakness.reason) for weakness in link.weaknesses]


# --- a lower objective ---------------------------------------------------------------------------------------------


def test_a_lower_objective_on_the_same_kind_of_indicator_and_method_is_flagged(availability, platform, manager):
    assert reasons(availability, platform, manager) == [
        (
            "objective",
            "Lower objective: 99.8 % against the 99.9 % it underpins, on the same kind of indicator and method.",
        )
    ]


@pytest.mark.parametrize(
    ("lower_fields", "flagged"),
    [
        ({"objective": "99.9"}, False),  # the same promise holds
        ({"objective": "99.95"}, False),  # a stronger one too
        ({"objective": "99.5", "method": BudgetingMethod.OCCURRENCES}, False),  # another method: not comparable
        ({"objective": "99.5", "probe": False}, False),  # a ratio indicator under a probe: not comparable
        ({"objective": "99.5"}, True),
    ],
    ids=["equal", "stronger", "other-method", "other-kind", "lower"],
)
def test_only_a_lower_objective_on_the_same_kind_and_method_is_flagged(
    availability, ola, manager, lower_fields, flagged
):
    lower = measured_target(agreement=ola, code="lower", **lower_fields)
    assert bool(reasons(availability, lower, manager)) is flagged


def test_a_target_below_that_measures_nothing_is_not_compared(availability, ola, manager):
    lower = TargetFactory(agreement=ola, code="unmeasured", objective=Decimal("90"))
    assert reasons(availability, lower, manager) == []


# --- a longer ticket goal ------------------------------------------------------------------------------------------


def ticket_target(agreement, metric, goals, code, objective="95", since=None):
    extra = {"since": since} if since else {}
    indicator = ticket_indicator(agreement.customer, agreement.services.first(), metric, goals, **extra)
    target = TargetFactory(agreement=agreement, code=code, objective=Decimal(objective))
    TargetIndicator.objects.create(target=target, indicator=indicator)
    return target


def test_a_longer_goal_for_a_priority_is_flagged_among_the_goals_in_force_now(sla, ola, manager):
    upper = ticket_target(sla, TicketMetric.RESOLUTION, {"P1": 240, "P2": 480, "P3": 1440}, "resolution")
    lower = ticket_target(ola, TicketMetric.RESOLUTION, {"P1": 360, "P2": 600, "P4": 9999}, "ops-resolution")
    indicator = TargetIndicator.objects.get(target=lower).indicator
    # P2 was 10 h; since 1 December it is 6 h, shorter than the SLA's 8 h. A goal from next year does not count yet.
    TicketGoal.objects.create(indicator=indicator, priority="P2", minutes=360, effective_from=kst(2026, 12, 1))
    TicketGoal.objects.create(indicator=indicator, priority="P1", minutes=120, effective_from=kst(2027, 1, 1))

    assert reasons(upper, lower, manager) == [
        ("ticket_goal", "Longer goal: Time to resolve for P1 is 6 h against the 4 h it underpins."),
    ]
    # Before 1 December, P2's 10 hours were in force.
    assert reasons(upper, lower, manager, now=kst(2026, 11, 20)) == [
        ("ticket_goal", "Longer goal: Time to resolve for P1 is 6 h against the 4 h it underpins."),
        ("ticket_goal", "Longer goal: Time to resolve for P2 is 10 h against the 8 h it underpins."),
    ]


def test_goals_of_another_clock_are_not_compared(sla, ola, manager):
    upper = ticket_target(sla, TicketMetric.RESOLUTION, {"P1": 240}, "resolution")
    lower = ticket_target(ola, TicketMetric.FIRST_RESPONSE, {"P1": 480}, "ops-first-response")
    assert reasons(upper, lower, manager) == []


def test_a_lower_objective_of_a_ticket_target_is_flagged_like_any_other(sla, ola, manager):
    upper = ticket_target(sla, TicketMetric.RESOLUTION, {"P1": 240}, "resolution", objective="95")
    lower = ticket_target(ola, TicketMetric.RESOLUTION, {"P1": 240}, "ops-resolution", objective="90")
    assert [rule for rule, _reason in reasons(upper, lower, manager)] == ["objective"]


# --- narrower service hours ----------------------------------------------------------------------------------------


def with_hours(target, calendar):
    target.service_hours = calendar
    target.save()
    return target


def test_office_hours_under_around_the_clock_cover_45_of_168_hours_a_week(availability, platform, manager):
    office = BusinessCalendarFactory(code="ops-office", name="Ops office hours")  # Mon-Fri 09-18 Seoul
    with_hours(platform, office)
    assert reasons(availability, platform, manager)[1:] == [
        (
            "service_hours",
            "Narrower service hours: 45 h of the 168 h a week promised (around the clock) fall within Ops office "
            "hours.",
        )
    ]


def test_the_same_hours_hold_and_hours_in_another_zone_cover_none_of_them(availability, platform, manager):
    seoul = BusinessCalendarFactory(code="seoul", name="Seoul office")
    with_hours(availability, seoul)
    with_hours(platform, BusinessCalendarFactory(code="seoul-too", name="Seoul office too"))
    assert [rule for rule, _reason in reasons(availability, platform, manager)] == ["objective"]

    with_hours(platform, BusinessCalendarFactory(code="london", name="London office", time_zone="Europe/London"))
    assert reasons(availability, platform, manager)[1:] == [
        (
            "service_hours",
            "Narrower service hours: 0 h of the 45 h a week promised (Seoul office) fall within London office.",
        ),
    ]


def test_around_the_clock_below_never_narrows_anything(availability, platform, manager):
    with_hours(availability, BusinessCalendarFactory(code="seoul", name="Seoul office"))
    assert [rule for rule, _reason in reasons(availability, platform, manager)] == ["objective"]


def test_holidays_below_on_days_the_promise_above_is_served_are_flagged(availability, platform, manager):
    seoul = BusinessCalendarFactory(code="seoul", name="Seoul office")
    ops = BusinessCalendarFactory(code="ops", name="Ops office")
    with_hours(availability, seoul)
    with_hours(platform, ops)
    HolidayFactory(calendar=ops, date=dt.date(2026, 12, 25), name="Christmas Day")  # a Friday
    HolidayFactory(calendar=ops, date=dt.date(2027, 1, 1), name="New Year's Day")  # a Friday
    HolidayFactory(calendar=ops, date=dt.date(2026, 12, 26), name="A Saturday: closed anyway")
    HolidayFactory(calendar=ops, date=dt.date(2026, 12, 1), name="Past")  # before now
    HolidayFactory(calendar=ops, date=dt.date(2028, 1, 3), name="Too far ahead")  # over a year ahead
    HolidayFactory(calendar=seoul, date=dt.date(2027, 1, 1), name="New Year's Day")  # the SLA is closed too

    assert reasons(availability, platform, manager)[1:] == [
        (
            "holidays",
            "Narrower service hours: Ops office is closed on 1 day of the coming year when the promise it underpins "
            "is served (25 Dec 2026).",
        )
    ]


# --- pages ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def november_outage(availability, platform):
    """Both probes down for 60 of 1,000 November minutes: both targets breach November (evaluated 1 December)."""
    for target in (availability, platform):
        record_probe_minutes(target, kst(2026, 11, 2), 1000, bad=range(60))
        evaluate(target, kst(2026, 12, 1, 1))
    return Breach.objects.get(target=platform)


def test_a_breach_below_shows_on_the_sla_targets_page_as_a_possible_cause_with_a_link(
    client, manager, availability, platform, november_outage
):
    client.force_login(manager)
    page = client.get("/agreements/acme-sla/targets/availability/?period=2026-11")
    assert page.status_code == 200
    causes = section(page.text, "possible-causes")
    assert "Possible cause ops-ola · Platform up · 2026-11 · Period ended under the objective · 94.000 %" in causes
    assert 'href="/agreements/ops-ola/targets/platform/?period=2026-11"' in page.text
    assert "Lower objective: 99.8 % against the 99.9 %" in section(page.text, "rests-on")
    # A month in which nothing below breached.
    record_probe_minutes(availability, kst(2026, 10, 5), 10)
    evaluate(availability, kst(2026, 12, 1, 1))
    october = section(client.get("/agreements/acme-sla/targets/availability/?period=2026-10").text, "possible-causes")
    assert "None of them breached in this period." in october
    assert "Possible cause" not in october


def test_an_ongoing_rolling_episode_below_is_a_possible_cause_of_the_period_it_reaches(
    client, manager, availability, ola
):
    rolling = TargetFactory(
        agreement=ola, code="rolling", name="Platform (28 days)", window_kind="rolling", rolling_days=28
    )
    Underpinning.objects.create(target=availability, underpinning=rolling)
    record_probe_minutes(availability, kst(2026, 11, 2), 60)
    evaluate(availability, kst(2026, 11, 20))
    Breach.objects.create(
        target=rolling,
        period_start=kst(2026, 11, 10, 9),
        period_end=kst(2026, 11, 11),
        period_label="2026-11-10",
        kind=BreachKind.WINDOW_EXHAUSTED,
        detected_at=kst(2026, 11, 10, 9),
        objective=Decimal("99"),
    )
    client.force_login(manager)
    causes = section(client.get("/agreements/acme-sla/targets/availability/?period=2026-11").text, "possible-causes")
    assert "ops-ola · Platform (28 days)" in causes
    assert "ongoing" in causes


def test_the_agreement_page_shows_what_each_target_rests_on_and_what_it_underpins(
    client, manager, availability, platform
):
    client.force_login(manager)
    sla_page = client.get("/agreements/acme-sla/")
    chain_block = section(sla_page.text, "chain-availability")
    assert "Rests on" in chain_block
    assert "ops-ola · Platform up" in chain_block
    assert "flagged:yes Promises less OLA ops-ola · Platform up" in chain_block
    assert "Lower objective: 99.8 % against the 99.9 % it underpins" in chain_block
    ola_page = client.get("/agreements/ops-ola/")
    assert "Underpins" in section(ola_page.text, "chain-platform")
    assert "acme-sla · Availability" in section(ola_page.text, "chain-platform")


def test_customers_do_not_see_an_internal_ola_under_their_sla(client, alice, availability, platform, november_outage):
    client.force_login(alice)
    page = client.get("/agreements/acme-sla/targets/availability/?period=2026-11")
    assert page.status_code == 200
    assert "ops-ola" not in page.text
    assert 'id="possible-causes"' not in page.text
    assert "ops-ola" not in client.get("/agreements/acme-sla/").text
    assert client.get("/agreements/ops-ola/targets/platform/").status_code == 404


def test_the_chains_page_lists_each_services_chain_with_its_flags(
    client, manager, availability, platform, ola, uc_power
):
    Underpinning.objects.create(target=platform, underpinning=uc_power)
    client.force_login(manager)
    page = client.get("/overview/chains/")
    assert page.status_code == 200
    tree = section(page.text, f"chain-{availability.agreement.services.first().code}")
    assert tree.index("acme-sla · Availability") < tree.index("ops-ola · Platform up") < tree.index("dc-uc · Power")
    assert "1 weakness flagged." in page.text  # the OLA's objective; the UC at 99.99 % holds
    assert 'href="/overview/chains/"' in client.get("/overview/").text


@pytest.fixture
def uc_power(operations):
    uc = AgreementFactory(code="dc-uc", kind=AgreementKind.UC, customer=operations, status=AgreementStatus.ACTIVE)
    return measured_target(agreement=uc, code="power", name="Power", objective="99.99")


def test_the_chains_page_is_for_service_managers(client, manager, alice, bob, availability, platform):
    climb(client, Rung("/overview/chains/", scoped=False), owner=None, outsider=None, manager=manager)
    for customer_user in (alice, bob):
        client.force_login(customer_user)
        response = client.get("/overview/chains/")
        assert response.status_code == 403
        assert "This page is for service managers" in response.text


def test_the_chains_page_narrows_to_one_service_and_says_when_none_rests_on_it(client, manager, availability, platform):
    client.force_login(manager)
    service = availability.agreement.services.first()
    page = client.get(f"/overview/chains/?service={service.code}")
    assert "acme-sla · Availability" in page.text
    other = client.get("/overview/chains/?service=no-such-service")
    assert other.status_code == 200
    assert "No chain rests on this service." in other.text
    assert "acme-sla · Availability" not in other.text


def section(html, element_id):
    """The visible text of the element with ``element_id`` (its tag's matching end found by counting), tags dropped,
    with its ``data-flagged`` marks kept as words ("flagged:yes")."""
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", html[start:]).group(1)
    depth, position = 0, start
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = start + match.end()
            break
    fragment = re.sub(r'data-flagged="(\w+)"[^>]*>', r">flagged:\1 ", html[start:position])
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split()).replace(" ·", " ·")
