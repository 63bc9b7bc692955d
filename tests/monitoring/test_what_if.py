"""What if the objective were another: how a target's last twelve closed periods would have ended, for the box
under the objective on the agreement form.

The scene: Acme's "requests" target (occurrences, 99.9 %) since October 2025, evaluated at NOW (16 Nov 2026 12:00
KST). Evaluation reaches 400 days back, so October 2025 to October 2026 are 13 closed months; November is running.
"""

import re

import pytest

from monitoring.evaluation import evaluate_targets
from tests.ladder import Rung, climb
from tests.monitoring.dashboard_helpers import NOW, agreement_since, frozen_at_now, monthly_target

pytestmark = pytest.mark.django_db
URL = "/agreements/acme-portal/targets/requests/what-if/"

# (month, good, total, attainment shown, status at 99.9 %); February had no data.
MONTHS = [
    ("2025-10", 900, 1000, "90.000", "breached"),
    ("2025-11", 999, 1000, "99.900", "met"),
    ("2025-12", 995, 1000, "99.500", "breached"),
    ("2026-01", 994, 1000, "99.400", "breached"),
    ("2026-02", 0, 0, None, "no_data"),
    ("2026-03", 1000, 1000, "100.000", "met"),
    ("2026-04", 9_995, 10_000, "99.950", "met"),
    ("2026-05", 98, 100, "98.000", "breached"),
    ("2026-06", 996, 1000, "99.600", "breached"),
    ("2026-07", 99_949, 100_000, "99.949", "met"),
    ("2026-08", 1000, 1000, "100.000", "met"),
    ("2026-09", 997, 1000, "99.700", "breached"),
    ("2026-10", 990, 1000, "99.000", "breached"),
]


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


@pytest.fixture
def requests(customer_a):
    agreement = agreement_since("2025-10", customer=customer_a, code="acme-portal")
    data = {month: (good, total) for month, good, total, _shown, _was in MONTHS if total}
    target = monthly_target(agreement, {**data, "2026-11": (1, 1)}, code="requests", name="Requests")
    evaluate_targets([target.pk], NOW)
    return target


def what_if(client, user, objective):
    client.force_login(user)
    return client.get(URL, {"objective": objective})


def test_what_if_climbs_the_permission_ladder(client, agreement_a, alice, bob, manager):
    # Read-only customers get 403: the box belongs to the target form, which only service managers use.
    url = "/agreements/acme-sla/targets/availability/what-if/?objective=99.5"
    response = climb(client, Rung(url, write=True), owner=alice, outsider=bob, manager=manager)
    assert response.json() == {"objective": "99.5", "periods": []}


def test_the_last_twelve_closed_periods_say_how_they_ended_and_would_have_ended(client, requests, manager):
    response = what_if(client, manager, "99.5")

    assert response.status_code == 200
    body = response.json()
    assert body["objective"] == "99.5"
    would_be = ["met", "met", "breached", "no_data", "met", "met", "breached", "met", "met", "met", "met", "breached"]
    tone = {"met": "success", "breached": "danger", "no_data": "secondary"}  # the badge colour the page shows
    assert body["periods"] == [
        {
            "period": month,
            "attainment": shown,
            "objective_then": "99.9",
            "was": was,
            "would_be": would,
            "tone": tone[would],
        }
        for (month, _good, _total, shown, was), would in zip(MONTHS[1:], would_be, strict=True)
    ]


def test_an_attainment_exactly_at_the_objective_would_have_met_it(client, requests, manager):
    periods = {row["period"]: row["would_be"] for row in what_if(client, manager, "99.95").json()["periods"]}

    assert periods["2026-04"] == "met"  # 99.95 % exactly
    assert periods["2026-07"] == "breached"  # 99.949 %
    assert periods["2026-03"] == periods["2026-08"] == "met"
    assert sum(would == "met" for would in periods.values()) == 3


def test_the_running_period_and_anything_older_than_twelve_closed_ones_are_left_out(client, requests, manager):
    periods = [row["period"] for row in what_if(client, manager, "99").json()["periods"]]
    assert periods == [month for month, *_rest in MONTHS[1:]]


@pytest.mark.parametrize(
    ("objective", "message"),
    [
        ("0", "the objective must be more than 0 and less than 100"),
        ("100", "the objective must be more than 0 and less than 100"),
        ("101", "the objective must be more than 0 and less than 100"),
        ("-5", "the objective must be more than 0 and less than 100"),
        ("NaN", "the objective must be more than 0 and less than 100"),
        ("abc", "the objective must be a number such as 99.9"),
        ("", "the objective must be a number such as 99.9"),
        ("99.9999", "the objective has at most three decimals"),
    ],
)
def test_an_objective_out_of_range_or_not_a_number_is_a_bad_request(client, requests, manager, objective, message):
    response = what_if(client, manager, objective)

    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_a_missing_objective_is_a_bad_request(client, requests, manager):
    client.force_login(manager)
    response = client.get(URL)

    assert response.status_code == 400
    assert response.json() == {"error": "the objective must be a number such as 99.9"}


# --- the box on the target form ------------------------------------------------------------------------------------


def test_the_target_form_has_the_what_if_box_for_saved_targets_only(client, requests, manager):
    monthly_target(requests.agreement, {}, code="latency", name="Latency")
    client.force_login(manager)

    page = client.get("/agreements/acme-portal/edit/").text

    saved, new = page.split('<template data-empty-form="targets">', 1)
    boxes = re.findall(r'data-what-if-url="([^"]+)" data-objective-input="([^"]+)"', saved)
    assert boxes == [
        ("/agreements/acme-portal/targets/latency/what-if/", "id_targets-0-objective"),
        ("/agreements/acme-portal/targets/requests/what-if/", "id_targets-1-objective"),
    ]
    for _url, input_id in boxes:
        assert f'id="{input_id}"' in saved
    assert "what-if" not in new.split("</template>", 1)[0]
