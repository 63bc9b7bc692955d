"""The maintenance calendar feed: a personal, revocable link to an iCalendar feed of the maintenance a person may see,
read back with the icalendar library as a calendar program would; the page that makes and revokes the link.

Windows are placed relative to the clock the feed reads (``timezone.now()``): the feed covers the last 30 days and
the next 12 months from it.
"""

import datetime as dt
import hashlib

import icalendar
import pytest
from django.utils import timezone

from agreements.choices import AgreementStatus, MaintenanceStatus, Recurrence
from agreements.models import CalendarFeed, MaintenanceWindow
from tests.factories import AgreementFactory, ServiceFactory
from tests.ladder import Rung, climb

pytestmark = pytest.mark.django_db

FEED_PAGE = "/maintenance/feed/"
DAY = dt.timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture
def banking(customer_a):
    service = ServiceFactory(code="internet-banking", name="Internet banking")
    AgreementFactory(code="acme-sla", customer=customer_a, services=[service], status=AgreementStatus.ACTIVE)
    return service


@pytest.fixture
def warehouse(customer_b):
    service = ServiceFactory(code="warehouse", name="Warehouse")
    AgreementFactory(code="globex-sla", customer=customer_b, services=[service], status=AgreementStatus.ACTIVE)
    return service


def window(service, start, hours=2, status=MaintenanceStatus.APPROVED, **fields):
    row = MaintenanceWindow.objects.create(
        service=service,
        title=fields.pop("title", "Database upgrade"),
        description=fields.pop("description", "Online banking answers with a maintenance page."),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        **fields,
    )
    if status != MaintenanceStatus.PLANNED:
        MaintenanceWindow.objects.filter(pk=row.pk).update(status=status)  # the steps are tested elsewhere
        row.refresh_from_db()
    return row


def make_link(client, user, **headers):
    """Make ``user``'s link through the page; returns the token it showed."""
    client.force_login(user)
    response = client.post(FEED_PAGE, {"action": "create"}, **headers)
    assert response.status_code == 201
    return response.context["link"].rsplit("/", 1)[1].removesuffix(".ics")


def read_feed(client, token):
    """The feed as a calendar program reads it: no session, the link alone."""
    client.logout()
    response = client.get(f"/maintenance/feed/{token}.ics")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar):
    return sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("DTSTART"))


def event_times(calendar):
    return [(event.decoded("DTSTART"), event.decoded("DTEND")) for event in events(calendar)]


# --- the page ------------------------------------------------------------------------------------------------------


def test_the_feed_page_climbs_the_ladder(client, alice, bob, manager):
    # The page is each person's own: the outsider sees their own, as the owner and the manager do.
    climb(client, Rung(FEED_PAGE, scoped=False), owner=alice, outsider=bob, manager=manager)


def test_making_a_link_needs_a_sign_in(client):
    response = client.post(FEED_PAGE, {"action": "create"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert CalendarFeed.objects.count() == 0


def test_a_person_with_no_organisation_and_no_role_has_no_maintenance_to_follow(client, nobody):
    client.force_login(nobody)

    page = client.get(FEED_PAGE)
    refused = client.post(FEED_PAGE, {"action": "create"})

    assert 'id="feed-not-allowed"' in page.text
    assert 'id="make-feed-link"' not in page.text
    assert refused.status_code == 403
    assert CalendarFeed.objects.count() == 0


def test_the_link_is_shown_once_and_only_its_hash_is_stored(client, alice):
    token = make_link(client, alice)

    feed = CalendarFeed.objects.get()
    assert feed.user == alice
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in CalendarFeed.objects.values().get().values()]
    assert not any(token in value for value in stored)
    page = client.get(FEED_PAGE)
    assert token not in page.text
    assert 'id="feed-status"' in page.text
    assert "No calendar has read it yet." in page.text


@pytest.mark.parametrize("data", [{}, {"action": "explode"}], ids=["empty", "unknown"])
def test_a_post_without_a_known_action_is_a_clear_error_and_stores_nothing(client, alice, data):
    client.force_login(alice)

    response = client.post(FEED_PAGE, data)

    assert response.status_code == 400
    assert "Choose whether to make a link or revoke it." in response.text
    assert CalendarFeed.objects.count() == 0


def test_revoking_the_link_kills_it_at_once(client, alice, banking, now):
    window(banking, now + 10 * DAY)
    token = make_link(client, alice)
    assert len(events(read_feed(client, token))) == 1

    client.force_login(alice)
    response = client.post(FEED_PAGE, {"action": "revoke"}, follow=True)

    assert "The calendar link is revoked" in response.text
    assert CalendarFeed.objects.count() == 0
    client.logout()
    assert client.get(f"/maintenance/feed/{token}.ics").status_code == 404


def test_a_new_link_replaces_the_old_one_which_stops_at_once(client, alice, banking, now):
    window(banking, now + 10 * DAY)
    old = make_link(client, alice)
    new = make_link(client, alice)

    assert old != new
    assert CalendarFeed.objects.count() == 1
    client.logout()
    assert client.get(f"/maintenance/feed/{old}.ics").status_code == 404
    assert len(events(read_feed(client, new))) == 1


@pytest.mark.parametrize("token", ["not-a-token", "slmcal_" + "x" * 43, ""])
def test_an_unknown_token_answers_404(client, token):
    assert client.get(f"/maintenance/feed/{token}.ics").status_code == 404


def test_the_link_of_a_person_no_longer_active_answers_404(client, alice):
    token = make_link(client, alice)
    alice.is_active = False
    alice.save()

    client.logout()
    assert client.get(f"/maintenance/feed/{token}.ics").status_code == 404


# --- what the feed holds ---------------------------------------------------------------------------------------------


def test_the_feed_parses_back_and_its_events_are_the_occurrences(client, alice, banking, now):
    upgrade = window(banking, now + 10 * DAY)
    weekly = window(
        banking,
        now + 2 * DAY,
        hours=1,
        status=MaintenanceStatus.PLANNED,
        title="Patching",
        recurrence=Recurrence.WEEKLY,
        repeat_until=timezone.localdate(now + 16 * DAY),
    )
    done = window(banking, now - 20 * DAY, status=MaintenanceStatus.COMPLETED, title="Old upgrade")
    window(banking, now - 40 * DAY, status=MaintenanceStatus.COMPLETED, title="Long ago")  # over 30 days ago
    window(banking, now + 400 * DAY, title="Far ahead")  # beyond 12 months
    cancelled = window(banking, now + 5 * DAY, status=MaintenanceStatus.CANCELLED, title="Called off")
    token = make_link(client, alice)

    calendar = read_feed(client, token)

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//SLM Portal//Maintenance//EN"
    assert str(calendar["X-WR-CALNAME"]) == "SLM Portal: maintenance of Acme Bank"
    expected = sorted(
        [
            (done.starts_at, done.ends_at),
            *weekly.schedule.occurrences(),  # three Mondays (or whatever today is) in a row
            (cancelled.starts_at, cancelled.ends_at),
            (upgrade.starts_at, upgrade.ends_at),
        ]
    )
    assert len(weekly.schedule.occurrences()) == 3
    assert event_times(calendar) == expected
    for event in events(calendar):  # DTSTART and DTEND in UTC: 20261214T170000Z
        assert event["DTSTART"].to_ical().endswith(b"Z")
        assert event["DTEND"].to_ical().endswith(b"Z")
    by_title = {str(event["SUMMARY"]): event for event in events(calendar)}
    assert set(by_title) == {
        "Internet banking maintenance: Database upgrade",
        "Internet banking maintenance: Patching",
        "Internet banking maintenance: Old upgrade",
        "Cancelled: Internet banking maintenance: Called off",
    }
    event = by_title["Internet banking maintenance: Database upgrade"]
    url = f"http://testserver/maintenance/{upgrade.pk}/"
    assert str(event["URL"]) == url
    assert str(event["DESCRIPTION"]) == f"Online banking answers with a maintenance page.\n\n{url}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("LAST-MODIFIED") == upgrade.updated_at.replace(microsecond=0)
    assert abs(event.decoded("DTSTAMP") - now) < dt.timedelta(minutes=5)  # when this copy was made (METHOD:PUBLISH)
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT1H"
    assert str(event["UID"]) == f"maintenance-{upgrade.pk}-{upgrade.starts_at:%Y%m%dT%H%M%SZ}@testserver"
    assert str(by_title["Cancelled: Internet banking maintenance: Called off"]["STATUS"]) == "CANCELLED"
    patching = [e for e in events(calendar) if str(e["SUMMARY"]).endswith("Patching")]
    assert {str(e["STATUS"]) for e in patching} == {"TENTATIVE"}
    assert str(patching[0]["DESCRIPTION"]).startswith("Planned, not approved yet")
    assert len({str(e["UID"]) for e in events(calendar)}) == 6  # one UID per occurrence


def test_the_uids_stay_the_same_from_one_reading_to_the_next(client, alice, banking, now):
    window(banking, now + 2 * DAY, recurrence=Recurrence.WEEKLY, repeat_until=timezone.localdate(now + 30 * DAY))
    token = make_link(client, alice)

    first = [str(event["UID"]) for event in events(read_feed(client, token))]
    second = [str(event["UID"]) for event in events(read_feed(client, token))]

    assert first == second
    assert len(first) == 5


def test_another_customers_windows_and_hidden_windows_are_never_in_a_customers_feed(
    client, alice, bob, manager, banking, warehouse, now
):
    window(banking, now + 3 * DAY, title="Visible")
    window(banking, now + 4 * DAY, title="Kept from customers", customer_visible=False)
    window(warehouse, now + 5 * DAY, title="Globex's")

    titles = {
        who.username: {str(event["SUMMARY"]) for event in events(read_feed(client, make_link(client, who)))}
        for who in (alice, bob, manager)
    }

    assert titles["alice"] == {"Internet banking maintenance: Visible"}
    assert titles["bob"] == {"Warehouse maintenance: Globex's"}
    assert titles["manager"] == {  # a service manager gets every window, as the pages show them
        "Internet banking maintenance: Visible",
        "Internet banking maintenance: Kept from customers",
        "Warehouse maintenance: Globex's",
    }


def test_a_person_who_leaves_their_organisation_gets_nothing_more(client, alice, banking, now):
    window(banking, now + 3 * DAY)
    token = make_link(client, alice)
    alice.customer_membership.delete()

    assert events(read_feed(client, token)) == []


def test_the_feed_speaks_the_language_of_the_page_the_link_was_made_on(client, alice, banking, now):
    window(banking, now + 3 * DAY)
    token = make_link(client, alice, HTTP_ACCEPT_LANGUAGE="ko")

    [event] = events(read_feed(client, token))

    assert CalendarFeed.objects.get().language == "ko"
    assert str(event["SUMMARY"]) == "Internet banking 유지보수: Database upgrade"


def test_reading_the_feed_is_recorded_on_the_page(client, alice, banking):
    token = make_link(client, alice)
    read_feed(client, token)

    assert CalendarFeed.objects.get().last_used_at is not None
    client.force_login(alice)
    assert "A calendar last read it on" in client.get(FEED_PAGE).text
