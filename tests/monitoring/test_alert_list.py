"""The alert list: service managers see, acknowledge and silence every alert; customers read their own."""

import datetime as dt

import pytest
from django.core.cache import cache

from monitoring.models import Alert, Notification, NotificationChannel
from tests.ladder import Rung, climb
from tests.monitoring.evaluation_helpers import BURN_AT, active_agreement, burning_target, evaluate, kst

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_burn(time_machine):
    time_machine.move_to(BURN_AT + dt.timedelta(minutes=1), tick=False)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def firing(customer_a):
    """Acme's target burning at BURN_AT: page-1h fires (33.3x over 1 h, 400x over 5 min)."""
    target = burning_target(
        agreement=active_agreement(customer=customer_a, code="acme-sla", valid_from=dt.date(2026, 11, 1))
    )
    evaluate(target, BURN_AT)
    return Alert.objects.get(target=target)


def page(client, user, query=""):
    client.force_login(user)
    response = client.get("/alerts/" + query)
    assert response.status_code == 200
    return response.text


def test_the_list_climbs_the_ladder_and_each_sees_only_their_alerts(client, firing, alice, bob, manager):
    climb(client, Rung("/alerts/", scoped=False), owner=alice, outsider=bob, manager=manager)

    assert f'id="alert-{firing.pk}"' in page(client, manager)
    assert f'id="alert-{firing.pk}"' in page(client, alice)
    assert f'id="alert-{firing.pk}"' not in page(client, bob)


@pytest.mark.parametrize("action", ["acknowledge", "silence"])
def test_acknowledging_and_silencing_climb_the_ladder(client, firing, alice, bob, manager, action):
    rung = Rung(f"/alerts/{firing.pk}/{action}/", write=True, method="post")
    climb(client, rung, owner=alice, outsider=bob, manager=manager, allowed_status=302)


def test_a_customer_reads_the_alert_but_is_offered_nothing_to_change(client, firing, alice):
    shown = page(client, alice)

    assert "page-1h" in shown
    assert "1 h: 33.3×" in shown
    assert "5 min: 400.0×" in shown
    assert "acknowledge-form" not in shown
    assert "silence-form" not in shown


def test_a_manager_acknowledges_with_a_note_and_everyone_sees_who_and_when(client, firing, manager, alice):
    client.force_login(manager)
    response = client.post(f"/alerts/{firing.pk}/acknowledge/", {"note": "Rolling back the release", "state": "firing"})

    assert response.status_code == 302
    firing.refresh_from_db()
    assert (firing.acknowledged_by, firing.acknowledgement) == (manager, "Rolling back the release")
    assert firing.acknowledged_at == BURN_AT + dt.timedelta(minutes=1)
    assert "Rolling back the release" in page(client, alice)


def test_a_silenced_alert_sends_nothing_until_the_silence_ends(client, firing, manager):
    NotificationChannel.objects.create(name="Desk", kind="email", address="desk@example.com")
    client.force_login(manager)
    client.post(f"/alerts/{firing.pk}/silence/", {"hours": "4", "state": "firing"})
    firing.refresh_from_db()
    assert firing.silenced_until == BURN_AT + dt.timedelta(hours=4, minutes=1)
    assert "silenced until" in page(client, manager)

    evaluate(firing.target, kst(2026, 11, 4, 2))  # two hours later nothing burns: it resolves, silently

    firing.refresh_from_db()
    assert firing.state == "resolved"
    assert not Notification.objects.filter(alert=firing).exists()


def test_lifting_the_silence_turns_notifications_on_again(client, firing, manager):
    client.force_login(manager)
    client.post(f"/alerts/{firing.pk}/silence/", {"hours": "24"})
    client.post(f"/alerts/{firing.pk}/silence/", {"hours": "0"})

    firing.refresh_from_db()
    assert firing.silenced_until is None


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("silence", {"hours": "5"}, "Select a valid choice. 5 is not one of the available choices."),
        ("silence", {}, "This field is required."),
        ("acknowledge", {"note": "x" * 501}, "Ensure this value has at most 500 characters (it has 501)."),
    ],
)
def test_bad_input_says_what_is_wrong_and_changes_nothing(client, firing, manager, action, data, message):
    client.force_login(manager)
    response = client.post(f"/alerts/{firing.pk}/{action}/", data, follow=True)

    firing.refresh_from_db()
    assert (firing.silenced_until, firing.acknowledged_at, firing.acknowledgement) == (None, None, "")
    assert message in response.text


def test_the_state_tabs_list_firing_resolved_or_all(client, firing, manager):
    assert f'id="alert-{firing.pk}"' not in page(client, manager, "?state=resolved")
    assert f'id="alert-{firing.pk}"' in page(client, manager, "?state=all")
    assert f'id="alert-{firing.pk}"' in page(client, manager, "?state=nonsense")  # falls back to firing


def test_the_overview_and_the_target_page_show_the_firing_alert(client, firing, manager):
    client.force_login(manager)
    overview = client.get("/overview/").text
    assert "page-1h" in overview.split('id="firing-alerts"', 1)[1].split("</ul>", 1)[0]
    target = client.get(f"/agreements/acme-sla/targets/{firing.target.code}/").text
    assert "alert-firing" in target.split('id="alerts"', 1)[1].split("</ul>", 1)[0]
