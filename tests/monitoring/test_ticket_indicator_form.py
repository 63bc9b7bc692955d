"""Ticket indicators set up in the browser: the indicator form's ticket section (customer, clock, business hours,
what pauses it, warning points, goals per priority as hours:minutes of business time), what it refuses (a field error
each, nothing stored), goal edits as new versions effective from the save, the clocks rebuilt after a save, and the
ticket indicator's page."""

import datetime as dt
import re
from html import unescape

import pytest

from monitoring.intake.ticket_events import record_ticket_events
from monitoring.models import Indicator, Ticket, TicketClock, TicketGoal
from monitoring.tasks import rebuild_indicator_clocks, rebuild_ticket_indicator
from tests.factories import BusinessCalendarFactory, CustomerFactory, ServiceFactory
from tests.ladder import Rung, climb
from tests.monitoring.evaluation_helpers import active_agreement, kst
from tests.monitoring.ticket_helpers import TicketCast, desk

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 9)  # a Monday


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def scene(customer_a):
    """Acme's active agreement on the service desk service, and office hours."""
    service = ServiceFactory(code="service-desk", name="Service desk")
    agreement = active_agreement(customer=customer_a, services=[service])
    return {"service": service, "agreement": agreement, "calendar": BusinessCalendarFactory(code="office-hours")}


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def goal_rows(rows, initial=0):
    """The goals formset's fields: ``rows`` [(priority, goal)]."""
    data = {"goals-TOTAL_FORMS": str(len(rows)), "goals-INITIAL_FORMS": str(initial), "goals-MAX_NUM_FORMS": "30"}
    for index, (priority, goal) in enumerate(rows):
        data[f"goals-{index}-priority"] = priority
        data[f"goals-{index}-goal"] = goal
    return data


def ticket_form(scene, customer, goals=(("P1", "4:00"), ("P2", "8:00"), ("P3", "27:00")), **fields):
    data = {
        "service": scene["service"].pk,
        "code": "acme-desk-resolution",
        "name": "Acme tickets resolved",
        "kind": "ticket",
        "customer": customer.pk,
        "ticket_metric": "resolution",
        "business_hours": scene["calendar"].pk,
        "pause_categories": ["waiting_customer"],
        "warning_points": "50, 75",
        **goal_rows(goals),
    }
    data.update(fields)
    return data


def page_text(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_a_ticket_indicator_is_set_up_through_the_page(
    as_manager, scene, customer_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_manager.post("/indicators/new/", ticket_form(scene, customer_a))

    assert response.status_code == 302
    assert response["Location"] == "/indicators/acme-desk-resolution/"
    indicator = Indicator.objects.get(code="acme-desk-resolution")
    assert (indicator.kind, indicator.customer, indicator.ticket_metric, indicator.business_hours) == (
        "ticket",
        customer_a,
        "resolution",
        scene["calendar"],
    )
    assert (indicator.pause_categories, indicator.warning_points, indicator.unit) == (
        ["waiting_customer"],
        [50, 75],
        "",
    )
    goals = TicketGoal.objects.filter(indicator=indicator).order_by("priority")
    assert [(goal.priority, goal.minutes, goal.effective_from) for goal in goals] == [
        ("P1", 240, NOW),
        ("P2", 480, NOW),
        ("P3", 1620, NOW),
    ]
    # The clocks of the customer's tickets of the service are rebuilt on a worker once the save has committed.
    assert len(callbacks) == 1
    assert callbacks[0].func == rebuild_ticket_indicator.delay
    assert callbacks[0].args == (indicator.pk,)


def test_a_ticket_indicators_warning_points_may_be_fractions_and_are_kept_in_order(as_manager, scene, customer_a):
    response = as_manager.post("/indicators/new/", ticket_form(scene, customer_a, warning_points="80, 62.5%"))

    assert response.status_code == 302
    assert Indicator.objects.get().warning_points == [62.5, 80]


def test_the_ticket_fields_of_another_kind_are_cleared(as_manager, scene, customer_a):
    data = ticket_form(scene, customer_a, kind="ratio", unit="requests")

    response = as_manager.post("/indicators/new/", data)

    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert (indicator.kind, indicator.customer, indicator.ticket_metric, indicator.business_hours) == (
        "ratio",
        None,
        "",
        None,
    )
    assert (indicator.pause_categories, indicator.warning_points, indicator.unit) == ([], [], "requests")
    assert not TicketGoal.objects.exists()


BAD_INPUT = {
    "no goals": ({"goals": [("", ""), ("", "")]}, None, "A ticket indicator needs the goal of at least one priority."),
    "a goal in words": ({"goals": [("P1", "4h")]}, "goals-0-goal", "“4h” is not a goal"),
    "minutes past 59": ({"goals": [("P1", "4:75")]}, "goals-0-goal", "“4:75” is not a goal"),
    "a goal of nothing": ({"goals": [("P1", "0:00")]}, "goals-0-goal", "A goal must be at least one minute"),
    "a goal without its priority": ({"goals": [("", "4:00")]}, "goals-0-priority", "Name the priority"),
    "a priority twice": ({"goals": [("P1", "4:00"), ("P1", "2:00")]}, "goals-1-priority", "is given twice"),
    "a warning point of 0": ({"warning_points": "0, 75"}, "warning_points", "above 0 and at most 100, not 0"),
    "a warning point of 120": ({"warning_points": "50, 120"}, "warning_points", "above 0 and at most 100, not 120"),
    "a warning point in words": ({"warning_points": "half"}, "warning_points", "“half” is not a percentage"),
    "a pause while resolved": (
        {"pause_categories": ["waiting_customer", "resolved"]},
        "pause_categories",
        "resolved cannot pause a ticket clock",
    ),
    "no clock": ({"ticket_metric": ""}, "ticket_metric", "A ticket indicator needs its clock"),
    "no customer": ({"customer": ""}, "customer", "A ticket indicator counts the tickets of one customer."),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_is_a_field_error_and_nothing_is_stored(as_manager, scene, customer_a, case):
    change, field, message = BAD_INPUT[case]
    goals = change.pop("goals", (("P1", "4:00"),))
    data = {**ticket_form(scene, customer_a, goals), **change}

    response = as_manager.post("/indicators/new/", data)

    assert response.status_code == 200
    form = response.context["form"]
    if field is None:
        assert message in " ".join(form.goals.non_form_errors())
    elif field.startswith("goals-"):
        index, name = field.split("-")[1:]
        assert message in " ".join(form.goals.forms[int(index)].errors[name])
    else:
        assert message in " ".join(form.errors[field])
    assert message in unescape(response.text)
    assert not Indicator.objects.exists()
    assert not TicketGoal.objects.exists()


def test_a_customer_without_an_agreement_on_the_service_is_refused(as_manager, scene):
    stranger = CustomerFactory(code="stranger", name="Stranger Ltd")
    active_agreement(customer=stranger)  # an agreement, but on another service

    response = as_manager.post("/indicators/new/", ticket_form(scene, stranger))

    assert response.status_code == 200
    assert response.context["form"].errors["customer"] == [
        "Stranger Ltd has no agreement on Service desk: choose a customer of the service."
    ]
    assert not Indicator.objects.exists()


# Goal versions.


@pytest.fixture
def cast(customer_a):
    return TicketCast(agreement=active_agreement(customer=customer_a))


def edit_form(indicator, rows, **fields):
    """The edit page's form as it comes filled, with the goal rows changed: [(priority, goal)], the first ones the
    priorities in force (fixed), then new ones."""
    data = {
        "name": indicator.name,
        "business_hours": indicator.business_hours_id or "",
        "pause_categories": indicator.pause_categories,
        "warning_points": ", ".join(str(point) for point in indicator.warning_points),
        **goal_rows(rows, initial=indicator.ticket_goals.values("priority").distinct().count()),
    }
    data.update(fields)
    return data


def test_a_goal_edit_adds_a_version_effective_now_and_keeps_the_old_one(client, manager, cast):
    client.force_login(manager)
    indicator = cast.resolution
    rows = [("P1", "2:00"), ("P2", "8:00"), ("P3", "27:00"), ("P4", "40:00")]

    response = client.post(f"/indicators/{indicator.code}/edit/", edit_form(indicator, rows))

    assert response.status_code == 302
    versions = TicketGoal.objects.filter(indicator=indicator).order_by("priority", "effective_from")
    assert [(goal.priority, goal.minutes, goal.effective_from) for goal in versions] == [
        ("P1", 240, dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),  # the old version stays for the clocks that took it
        ("P1", 120, NOW),
        ("P2", 480, dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),  # unchanged: no new version
        ("P3", 1620, dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("P4", 2400, NOW),
    ]


def test_a_running_clock_keeps_the_goal_it_started_with(client, manager, cast):
    before = kst(2026, 12, 4, 10)  # Friday: a P1 ticket opened before the edit
    cast.send([cast.event("INC-1", "created", before)], now=before)
    client.force_login(manager)
    client.post(f"/indicators/{cast.resolution.code}/edit/", edit_form(cast.resolution, [("P1", "2:00")]))
    cast.send([cast.event("INC-2", "created", NOW)], now=NOW)  # Monday 09:00, after the edit

    rebuild_indicator_clocks(cast.resolution.pk, now=NOW + dt.timedelta(minutes=1))

    goals = dict(TicketClock.objects.filter(indicator=cast.resolution).values_list("ticket__external_id", "goal"))
    assert goals == {"INC-1": dt.timedelta(hours=4), "INC-2": dt.timedelta(hours=2)}


def test_a_priority_that_has_a_goal_keeps_its_name_and_cannot_be_emptied(client, manager, cast):
    client.force_login(manager)
    data = edit_form(cast.resolution, [("P9", ""), ("P2", "8:00"), ("P3", "27:00")])

    response = client.post(f"/indicators/{cast.resolution.code}/edit/", data)

    assert response.status_code == 200
    assert response.context["form"].goals.forms[0].errors == {"goal": ["Give the goal of priority P1."]}
    assert TicketGoal.objects.filter(indicator=cast.resolution).count() == 3


def test_the_edit_page_shows_the_goals_in_force_and_locks_whose_tickets_and_which_clock(client, manager, cast):
    client.force_login(manager)

    response = client.get(f"/indicators/{cast.resolution.code}/edit/")

    form = response.context["form"]
    assert [form.fields[name].disabled for name in ("code", "kind", "service", "customer", "ticket_metric")] == [
        True
    ] * 5
    assert [goal.initial for goal in form.goals.forms[:3]] == [
        {"priority": "P1", "goal": "4:00"},
        {"priority": "P2", "goal": "8:00"},
        {"priority": "P3", "goal": "27:00"},
    ]
    assert len(form.goals.forms) == 4  # one empty row for a new priority
    assert 'id="ticket-fields"' in response.text
    assert 'id="sample-fields"' not in response.text  # a ticket indicator has no unit, operator or threshold


def test_the_new_indicator_page_has_the_sections_of_every_kind_each_named_with_its_kinds(as_manager):
    response = as_manager.get("/indicators/new/?kind=ticket")

    assert 'data-kind-section="ratio threshold" id="sample-fields"' in response.text
    assert 'data-kind-section="ticket" id="ticket-fields"' in response.text
    assert response.context["form"]["kind"].value() == "ticket"


def test_an_edit_of_the_name_alone_rebuilds_nothing(client, manager, cast, django_capture_on_commit_callbacks):
    client.force_login(manager)
    data = edit_form(cast.resolution, [("P1", "4:00"), ("P2", "8:00"), ("P3", "27:00")], name="Renamed")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/indicators/{cast.resolution.code}/edit/", data)

    assert response.status_code == 302
    assert callbacks == []
    assert TicketGoal.objects.filter(indicator=cast.resolution).count() == 3


def test_a_new_ticket_indicator_counts_the_tickets_that_came_before_it(as_manager, scene, customer_a):
    source, _token = desk([customer_a], [scene["service"]])
    opened = kst(2026, 12, 4, 10)
    created = {"customer": customer_a.code, "service": scene["service"].code, "priority": "P1"}
    record_ticket_events(
        source, [{"id": "e1", "ticket": "T-1", "type": "created", "at": opened.isoformat(), **created}]
    )
    as_manager.post("/indicators/new/", ticket_form(scene, customer_a))

    rebuild_indicator_clocks(Indicator.objects.get().pk, now=NOW)

    clock = TicketClock.objects.get(ticket=Ticket.objects.get())
    assert (clock.state, clock.running_time) == ("breached", dt.timedelta(hours=8))


# The indicator's page.


def test_the_ticket_indicators_page_shows_its_rules_goals_history_and_clocks(client, alice, cast):
    TicketGoal.objects.create(indicator=cast.resolution, priority="P1", minutes=120, effective_from=NOW)
    cast.send([cast.event("INC-1", "created", kst(2026, 12, 7, 9))], now=NOW)
    client.force_login(alice)

    response = client.get(f"/indicators/{cast.resolution.code}/")

    text = page_text(response)
    assert "Customer Acme Bank Clock Time to resolve" in text
    assert "Paused while Waiting for the customer Warning points 50 %, 75 %" in text
    goals = re.findall(r"<tr><td>(P\d)</td><td>([^<]+)</td>", response.text.split('id="goals-in-force"')[1])
    assert goals[:3] == [("P1", "2 h"), ("P2", "8 h"), ("P3", "27 h")]
    history = response.text.split('id="goal-history"')[1]
    assert history.count('data-goal-version="P1"') == 2  # 4 h (no longer in force) and 2 h
    assert "1 in flight" in text
    assert "Upload CSV" not in text
    assert "Latest samples" not in text
    assert 'href="/tickets/?customer=acme&amp;service=' in response.text


def test_a_ticket_indicator_takes_no_csv_upload(client, manager, cast):
    client.force_login(manager)

    response = client.get(f"/indicators/{cast.resolution.code}/upload/", follow=True)

    assert response.redirect_chain == [(f"/indicators/{cast.resolution.code}/", 302)]
    assert "This indicator takes no samples" in page_text(response)


def test_the_ladder_of_a_ticket_indicators_pages(client, alice, bob, manager, cast):
    code = cast.resolution.code
    for rung in (
        Rung(f"/indicators/{code}/"),
        Rung(f"/indicators/{code}/edit/", write=True),
        Rung("/indicators/new/?kind=ticket", write=True, scoped=False),
    ):
        climb(client, rung, owner=alice, outsider=bob, manager=manager)
