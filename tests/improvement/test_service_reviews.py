"""Service reviews of agreements (improvement/review_meetings.py and its pages): recording a meeting and its decisions,
the next review date it sets, where each decision leads, what the customer sees, and the confirmation of the minutes.

The scene: it is 31 January 2027, 10:00 in Seoul. Acme's active SLA "acme-sla" (in force since 1 January 2026,
reviewed quarterly, next review due today) has one target, availability ≥ 99.9 %, on one service. Minsu Park is the
service manager; alice is a person of Acme; bob a person of Globex.
"""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from agreements.choices import AgreementStatus, ReviewCycle
from agreements.models import Agreement
from improvement.choices import DecisionKind
from improvement.models import ImprovementPlan, ReviewDecision, ReviewMeeting
from requirements_analysis.models import ServiceLevelRequirement
from tests.agreements.page_checks import field_error, page_text
from tests.improvement.factories import form_values
from tests.ladder import Rung, climb
from tests.monitoring.evaluation_helpers import kst

pytestmark = pytest.mark.django_db
NOW = kst(2027, 1, 31, 10)
TODAY = dt.date(2027, 1, 31)
NEW = "/agreements/acme-sla/reviews/new/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def acme(agreement_a, manager):
    agreement_a.review_cycle = ReviewCycle.QUARTERLY
    agreement_a.next_review = TODAY
    agreement_a.owner = manager
    agreement_a.save()
    return agreement_a


@pytest.fixture
def availability(acme):
    return acme.targets.get(code="availability")


def decision_rows(*rows):
    data = {
        "decisions-TOTAL_FORMS": str(len(rows)),
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        full = {"kind": "", "target": "", "proposed_objective": "", "service": "", "text": "", **row}
        data.update({f"decisions-{index}-{name}": value for name, value in full.items()})
    return data


def review_post(people, decisions=({"kind": "keep"},), **fields):
    return {
        "held_on": "2027-01-31",
        "period_label": "2026-Q4",
        "participants": [str(person.pk) for person in people],
        "guests": "Seojun Choi (Acme Bank)\n\n  ",
        "notes": "Availability met its objective.",
        **fields,
        **decision_rows(*decisions),
    }


def stored():
    return (
        ReviewMeeting.objects.count(),
        ReviewDecision.objects.count(),
        Agreement.objects.get(code="acme-sla").next_review,
    )


# --- recording a review -----------------------------------------------------------------------------------------------


def test_recording_a_review_stores_it_and_moves_the_next_review_by_the_cycle(
    client, acme, availability, manager, alice
):
    client.force_login(manager)
    decisions = [
        {"kind": "keep", "text": "Availability stays."},
        {"kind": "change_target", "target": str(availability.pk), "proposed_objective": "99.95", "text": "Stricter."},
        {"kind": "start_plan", "text": "Load-test salary day."},
        {"kind": "record_requirement", "text": "Push notices before maintenance."},
    ]
    response = client.post(NEW, review_post([manager, alice], decisions))
    meeting = ReviewMeeting.objects.get()
    assert response["Location"] == f"/reviews/{meeting.code}/"
    assert (meeting.held_on, meeting.period_label, meeting.recorded_by) == (TODAY, "2026-Q4", manager)
    assert set(meeting.participants.all()) == {manager, alice}
    assert meeting.guest_names == ["Seojun Choi (Acme Bank)"]
    # Quarterly from 31 January: 30 April (April has no 31st).
    acme.refresh_from_db()
    assert acme.next_review == dt.date(2027, 4, 30)
    assert (meeting.next_review_before, meeting.next_review_after) == (TODAY, dt.date(2027, 4, 30))
    rows = list(meeting.decisions.values_list("kind", "target", "objective_then", "proposed_objective", "service"))
    assert rows == [
        ("keep", None, None, None, None),
        ("change_target", availability.pk, Decimal("99.900"), Decimal("99.950"), None),
        ("start_plan", None, None, None, None),
        ("record_requirement", None, None, None, acme.services.get().pk),  # the agreement's only service
    ]
    page = page_text(client.get(f"/reviews/{meeting.code}/"))
    assert "Next review 31 Jan 2027 → 30 Apr 2027" in page
    assert "Availability: 99.9 % → 99.95 %" in page
    assert "Seojun Choi (Acme Bank) (guest)" in page


def test_a_review_recorded_late_leaves_the_date_a_later_review_set(client, acme, manager):
    client.force_login(manager)
    client.post(NEW, review_post([manager]))
    client.post(NEW, review_post([manager], held_on="2027-01-10"))  # an earlier meeting, recorded afterwards
    acme.refresh_from_db()
    assert acme.next_review == dt.date(2027, 4, 30)
    late = ReviewMeeting.objects.get(held_on=dt.date(2027, 1, 10))
    assert late.next_review_after == dt.date(2027, 4, 30)


@pytest.mark.parametrize(
    ("next_review", "expected"),
    [(dt.date(2027, 1, 31), None), (dt.date(2027, 1, 20), None), (dt.date(2027, 6, 1), dt.date(2027, 6, 1))],
)
def test_without_a_cycle_a_review_clears_the_date_it_reached_and_keeps_one_ahead(
    client, acme, manager, next_review, expected
):
    acme.review_cycle, acme.next_review = ReviewCycle.NONE, next_review
    acme.save()
    client.force_login(manager)
    client.post(NEW, review_post([manager]))
    acme.refresh_from_db()
    assert acme.next_review == expected


def test_the_form_starts_with_today_the_last_quarter_and_the_manager(client, acme, manager):
    client.force_login(manager)
    values = form_values(client.get(NEW).text, "review-form")
    assert values["held_on"] == "2027-01-31"
    assert values["period_label"] == "2026-Q4"
    assert values["participants"] == [str(manager.pk)]


# --- bad input: a clear error, nothing stored -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        (
            {"held_on": "2027-02-01"},
            "id_held_on",
            "A review is recorded once it has been held: 2027-02-01 is in the future.",
        ),
        (
            {"held_on": "2025-12-31"},
            "id_held_on",
            "The agreement came into force on 2026-01-01: a review cannot be held before it.",
        ),
        ({"held_on": ""}, "id_held_on", "This field is required."),
        (
            {"period_label": "last quarter"},
            "id_period_label",
            "“last quarter” is not a period: give a month as YYYY-MM or a quarter as YYYY-Qn, such as 2027-01 or "
            "2027-Q1.",
        ),
        (
            {"period_label": "2025-11"},
            "id_period_label",
            "The agreement came into force in 2026-01: choose 2026-01 or a later period.",
        ),
        (
            {"held_on": "2027-01-10", "period_label": "2027-02"},
            "id_period_label",
            "2027-02 had not begun on the day of the review (2027-01-10).",
        ),
        (
            {"participants": [], "guests": " "},
            "id_participants",
            "Name who took part: choose people, or write the guests' names.",
        ),
    ],
)
def test_a_bad_meeting_is_refused_under_its_field(client, acme, manager, fields, field_id, message):
    before = stored()
    client.force_login(manager)
    response = client.post(NEW, review_post([manager], **fields))
    assert response.status_code == 200
    assert field_error(response, field_id) == message
    assert stored() == before


@pytest.mark.parametrize(
    ("decision", "field", "message"),
    [
        ({"kind": "change_target", "proposed_objective": "99.95"}, "target", "Choose the target to change."),
        (
            {"kind": "change_target", "target": "TARGET"},
            "proposed_objective",
            "Give the objective the review proposes.",
        ),
        (
            {"kind": "change_target", "target": "TARGET", "proposed_objective": "100"},
            "proposed_objective",
            "Ensure this value is less than or equal to 99.999.",
        ),
        (
            {"kind": "change_target", "target": "TARGET", "proposed_objective": "99.900"},
            "proposed_objective",
            "99.9 % is the target's objective already: choose “Keep the agreement as it is”.",
        ),
        ({"kind": "start_plan", "text": " "}, "text", "Say what the plan should fix."),
        ({"kind": "record_requirement"}, "text", "State the requirement."),
        ({"text": "Something was said."}, "kind", "Choose what was decided."),
    ],
)
def test_a_bad_decision_is_refused_under_its_field(client, acme, availability, manager, decision, field, message):
    decision = {key: str(availability.pk) if value == "TARGET" else value for key, value in decision.items()}
    before = stored()
    client.force_login(manager)
    response = client.post(NEW, review_post([manager], [decision]))
    assert response.status_code == 200
    assert field_error(response, f"id_decisions-0-{field}") == message
    assert stored() == before


def test_a_review_needs_a_decision(client, acme, manager):
    client.force_login(manager)
    response = client.post(NEW, review_post([manager], [{}]))
    assert "Record at least one decision: “Keep the agreement as it is” is one." in page_text(response)
    assert stored() == (0, 0, TODAY)


def test_a_target_of_another_agreement_is_not_a_choice(client, acme, agreement_b, manager):
    other = agreement_b.targets.get()
    client.force_login(manager)
    decision = {"kind": "change_target", "target": str(other.pk), "proposed_objective": "99.5"}
    response = client.post(NEW, review_post([manager], [decision]))
    assert "Select a valid choice." in field_error(response, "id_decisions-0-target")
    assert stored() == (0, 0, TODAY)


@pytest.mark.parametrize("status", [AgreementStatus.EXPIRED, AgreementStatus.TERMINATED, AgreementStatus.DRAFT])
def test_nothing_is_recorded_on_an_agreement_that_is_not_active(client, acme, manager, status):
    Agreement.objects.filter(pk=acme.pk).update(status=status)
    client.force_login(manager)
    page = page_text(client.get(NEW))
    label = dict(AgreementStatus.choices)[status]
    message = f"No review or decision can be recorded on an agreement that is {label}: only active ones are reviewed."
    assert message in page
    response = client.post(NEW, review_post([manager], [{"kind": "start_plan", "text": "Fix it."}]))
    assert response.status_code == 200
    assert field_error(response, "id_decisions-0-kind") == message
    assert stored() == (0, 0, TODAY)


# --- where the decisions lead -----------------------------------------------------------------------------------------


@pytest.fixture
def meeting(client, acme, availability, manager, alice):
    client.force_login(manager)
    decisions = [
        {"kind": "change_target", "target": str(availability.pk), "proposed_objective": "99.95"},
        {"kind": "start_plan", "text": "Load-test salary day.\nBefore the next payday."},
        {"kind": "record_requirement", "text": "Push notices before maintenance."},
    ]
    client.post(NEW, review_post([manager, alice], decisions))
    client.logout()
    return ReviewMeeting.objects.get()


def action_links(html):
    return {
        re.sub(r"\s+", " ", label).strip(): href.replace("&amp;", "&")
        for href, label in re.findall(r'<a class="[^"]*decision-action" href="([^"]+)">([^<]+)</a>', html)
    }


def test_a_change_of_target_opens_the_agreement_form_with_the_proposed_objective(client, meeting, manager):
    client.force_login(manager)
    links = action_links(client.get(f"/reviews/{meeting.code}/").text)
    url = links["Edit the target"]
    assert url == "/agreements/acme-sla/edit/?target=availability&objective=99.95#edit-target-availability"
    response = client.get(url.split("#")[0])
    values = form_values(response.text, "agreement-form")
    assert values["targets-0-objective"] == "99.95"
    assert "Proposed in a service review: objective 99.95 % (now 99.9 %)." in page_text(response)


@pytest.mark.parametrize("objective", ["100", "abc", "1e400", "99.9999", "-1"])
def test_an_objective_the_form_would_refuse_is_not_proposed(client, meeting, manager, objective):
    client.force_login(manager)
    response = client.get(f"/agreements/acme-sla/edit/?target=availability&objective={objective}")
    assert response.status_code == 200
    assert form_values(response.text, "agreement-form")["targets-0-objective"] == "99.900"
    assert "Proposed in a service review" not in response.text


def test_starting_the_plan_fills_the_plan_form_and_links_the_plan_back(client, meeting, manager):
    client.force_login(manager)
    decision = meeting.decisions.get(kind=DecisionKind.START_PLAN)
    url = action_links(client.get(f"/reviews/{meeting.code}/").text)["Start the plan"]
    assert url == f"/plans/new/?decision={decision.pk}"
    values = form_values(client.get(url).text, "plan-form")
    assert values["title"] == "Load-test salary day."
    assert values["problem"].startswith("Load-test salary day.\nBefore the next payday.\n\n(Decided in the service")
    assert values["customer"] == str(meeting.agreement.customer_id)
    values = {key: value for key, value in values.items() if "__prefix__" not in key}
    response = client.post(url, values)
    plan = ImprovementPlan.objects.get()
    assert response["Location"] == plan.get_absolute_url()
    decision.refresh_from_db()
    assert decision.plan == plan
    page = client.get(f"/reviews/{meeting.code}/").text
    assert f"Plan {plan.code} started" in page
    assert "Start the plan" not in page


def test_recording_the_requirement_fills_the_requirement_form(client, meeting, manager):
    client.force_login(manager)
    url = action_links(client.get(f"/reviews/{meeting.code}/").text)["Record the requirement"]
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "customer": ["acme"],
        "statement": ["Push notices before maintenance."],
        "source": ["contract_review"],
        "service": [meeting.agreement.services.get().code],
    }
    values = form_values(client.get(url).text, "requirement-form")
    assert values["statement"] == "Push notices before maintenance."
    assert values["source"] == "contract_review"
    assert values["customer"] == str(meeting.agreement.customer_id)
    assert values["service"] == str(meeting.agreement.services.get().pk)
    client.post(url, {**values, "category": "availability", "importance": "4", "performance": "2"})
    assert ServiceLevelRequirement.objects.get().statement == "Push notices before maintenance."


def test_a_decision_on_an_agreement_no_longer_active_leads_nowhere(client, meeting, manager):
    Agreement.objects.filter(pk=meeting.agreement_id).update(status=AgreementStatus.TERMINATED)
    client.force_login(manager)
    assert action_links(client.get(f"/reviews/{meeting.code}/").text) == {}
    response = client.get(f"/plans/new/?decision={meeting.decisions.get(kind='start_plan').pk}")
    assert response.status_code == 200  # the form still opens filled in; the review page no longer offers it


# --- the customer's side ----------------------------------------------------------------------------------------------


def test_the_customer_reads_the_review_of_its_agreement_without_its_buttons(client, meeting, alice):
    client.force_login(alice)
    response = client.get(f"/reviews/{meeting.code}/")
    assert response.status_code == 200
    assert action_links(response.text) == {}
    page = page_text(response)
    assert "Change a target Availability: 99.9 % → 99.95 %" in page
    assert "/customers/acme/review-pack/?period=2026-Q4" in response.text
    agreement_page = page_text(client.get("/agreements/acme-sla/"))
    assert "Service reviews Next review: 30 Apr 2027" in agreement_page
    assert "Record a review" not in agreement_page
    assert client.get("/reviews/").status_code == 200


def test_the_customer_confirms_the_minutes_once(client, meeting, alice, customer_a):
    client.force_login(alice)
    response = client.post(f"/reviews/{meeting.code}/confirm/")
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes_confirmed_by, meeting.minutes_confirmed_at) == (alice, NOW)
    assert "Confirmed by alice, 31 Jan 2027, 10:00 KST." in page_text(client.get(f"/reviews/{meeting.code}/"))

    from tests.factories import MembershipFactory, UserFactory

    other = MembershipFactory(user=UserFactory(username="dora"), customer=customer_a).user
    client.force_login(other)
    response = client.post(f"/reviews/{meeting.code}/confirm/")
    assert response.status_code == 409
    assert "The minutes of this review are confirmed already." in page_text(response)
    meeting.refresh_from_db()
    assert meeting.minutes_confirmed_by == alice


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("bob", 404), ("nobody", 404)])
def test_only_the_customer_confirms_the_minutes(client, meeting, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/reviews/{meeting.code}/confirm/").status_code == status
    meeting.refresh_from_db()
    assert meeting.minutes_confirmed_at is None


def test_the_confirmation_is_a_post(client, meeting, alice):
    client.force_login(alice)
    assert client.get(f"/reviews/{meeting.code}/confirm/").status_code == 405


# --- lists and the permission ladder ----------------------------------------------------------------------------------


def test_the_list_shows_reviews_due_overdue_first_and_reviews_held(client, acme, agreement_b, manager, meeting):
    Agreement.objects.filter(pk=agreement_b.pk).update(status=AgreementStatus.ACTIVE, next_review=dt.date(2027, 1, 20))
    client.force_login(manager)
    page = page_text(client.get("/reviews/"))
    assert "20 Jan 2027 Review overdue 11 days late globex-sla" in page
    assert "30 Apr 2027 acme-sla" in page  # 89 days ahead: no reminder yet
    assert "31 Jan 2027 acme-sla Acme Bank 2026-Q4 3 not confirmed yet" in page


def test_a_customer_sees_only_its_own_reviews(client, meeting, bob):
    client.force_login(bob)
    page = page_text(client.get("/reviews/"))
    assert "acme-sla" not in page
    assert client.get(f"/reviews/{meeting.code}/").status_code == 404


def test_permission_ladder(client, meeting, alice, bob, manager):
    rungs = [
        (Rung("/reviews/", scoped=False), 200),
        (Rung(f"/reviews/{meeting.code}/"), 200),
        (Rung(NEW, write=True), 200),
        (Rung(NEW, write=True, method="post"), 200),  # an empty form comes back with its errors
    ]
    for rung, status in rungs:
        climb(client, rung, owner=alice, outsider=bob, manager=manager, allowed_status=status)


def test_a_change_of_target_made_since_says_so_and_leads_nowhere(client, meeting, availability, manager):
    availability.objective = Decimal("99.95")
    availability.save()
    client.force_login(manager)
    response = client.get(f"/reviews/{meeting.code}/")
    assert "Edit the target" not in action_links(response.text)
    assert "Done: the target has this objective now." in page_text(response)
