"""The maintenance window pages: the list, planning and editing, approval and the other steps, who sees what."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agreements.choices import MaintenanceStatus, Recurrence
from agreements.models import MaintenanceWindow
from tests.agreements.maintenance_helpers import (
    approve,
    close_period,
    local,
    make_window,
    typed,
    window_post,
)
from tests.agreements.page_checks import field_error, history_rows, page_text, saves_nothing
from tests.factories import AgreementFactory, BusinessCalendarFactory, ServiceFactory
from tests.ladder import Rung, climb


@pytest.fixture
def banking(agreement_a):
    """The service of customer A's agreement."""
    return agreement_a.services.get()


@pytest.fixture
def upcoming(banking, manager):
    return make_window(banking, local(10, 2), title="Database patch", created_by=manager)


def in_an_hour():
    return timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=1)


def occurrence_text(start, minutes, zone="Asia/Seoul"):
    """An occurrence as the pages write it: "4 Dec 2026 17:30–18:30 KST" (or the long form across midnight)."""
    start = timezone.localtime(start, ZoneInfo(zone))
    end = timezone.localtime(start + dt.timedelta(minutes=minutes), ZoneInfo(zone))
    if start.date() == end.date():
        return f"{start:%-d %b %Y %H:%M}–{end:%H:%M %Z}"
    return f"{start:%-d %b %Y, %H:%M %Z} – {end:%-d %b %Y, %H:%M %Z}"


# --- the permission ladder -------------------------------------------------------------------------------------------

PAGES = [
    Rung("/maintenance/", scoped=False),
    Rung("/maintenance/new/", write=True, scoped=False),
    Rung("/maintenance/new/", write=True, scoped=False, method="post"),
    Rung("/maintenance/{window}/"),
    Rung("/maintenance/{window}/edit/", write=True),
    Rung("/maintenance/{window}/edit/", write=True, method="post"),
    Rung("/maintenance/{window}/status/approved/", write=True),
    Rung("/maintenance/{window}/status/approved/", write=True, method="post"),
    Rung("/maintenance/{window}/status/cancelled/", write=True),
]
# A manager's empty POST is a form with errors (200); confirming the approval approves (302).
MANAGER_STATUS = {("/maintenance/{window}/status/approved/", "post"): 302}


@pytest.mark.parametrize("rung", PAGES, ids=lambda rung: f"{rung.method.upper()} {rung.url}")
def test_permission_ladder(client, rung, upcoming, alice, bob, manager):
    page = dataclasses.replace(rung, url=rung.url.format(window=upcoming.pk))
    allowed = MANAGER_STATUS.get((rung.url, rung.method), 200)
    climb(client, page, owner=alice, outsider=bob, manager=manager, allowed_status=allowed)


def test_a_customer_is_not_shown_a_window_kept_from_customers(client, banking, alice, manager):
    shown = make_window(banking, local(10, 2), title="Announced patch")
    hidden = make_window(banking, local(12, 2), title="Firewall swap", customer_visible=False)
    client.force_login(alice)
    listed = page_text(client.get("/maintenance/"))
    assert "Announced patch" in listed
    assert "Firewall swap" not in listed
    assert client.get(f"/maintenance/{shown.pk}/").status_code == 200
    assert client.get(f"/maintenance/{hidden.pk}/").status_code == 404
    assert "Firewall swap" not in page_text(client.get(f"/services/{banking.code}/"))
    client.force_login(manager)
    assert "Firewall swap" in page_text(client.get("/maintenance/"))
    assert "Service managers only" in page_text(client.get(f"/maintenance/{hidden.pk}/"))


def test_a_customer_sees_no_window_of_another_customers_service(client, banking, agreement_b, alice):
    make_window(agreement_b.services.get(), local(10, 2), title="Warehouse upgrade")
    client.force_login(alice)
    assert "Warehouse upgrade" not in page_text(client.get("/maintenance/"))


def test_every_page_links_the_maintenance_list_in_the_navigation_bar(client, alice, manager):
    client.force_login(alice)
    assert '<a class="nav-link" href="/maintenance/">Maintenance</a>' in client.get("/agreements/").text
    client.force_login(manager)  # a manager's bar is full: the list is under Services, beside the catalogue
    assert '<a class="dropdown-item" href="/maintenance/">Maintenance</a>' in client.get("/agreements/").text


# --- the list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_running_and_upcoming_windows_first_then_the_past(manager_client, banking):
    make_window(banking, local(15, 1), title="Later patch")
    make_window(banking, local(5, 1), title="Sooner patch")
    make_window(banking, local(-20, 1), title="Old upgrade", status=MaintenanceStatus.COMPLETED)
    make_window(banking, local(7, 1), title="Called off", status=MaintenanceStatus.CANCELLED)
    make_window(banking, timezone.now() - dt.timedelta(minutes=30), title="Running now")
    text = page_text(manager_client.get("/maintenance/"))
    order = ["Running and upcoming", "Running now", "Sooner patch", "Later patch", "Past and cancelled"]
    order += ["Called off", "Old upgrade"]
    assert [text.index(title) for title in order] == sorted(text.index(title) for title in order)
    assert "running now" in text


def test_the_list_filters_by_service_and_status(manager_client, banking):
    other = ServiceFactory(code="mail", name="Mail")
    make_window(banking, local(5, 1), title="Banking patch")
    make_window(other, local(6, 1), title="Mail patch", status=MaintenanceStatus.CANCELLED)
    by_service = page_text(manager_client.get("/maintenance/", {"service": "mail"}))
    assert "Mail patch" in by_service
    assert "Banking patch" not in by_service
    by_status = page_text(manager_client.get("/maintenance/", {"status": "planned"}))
    assert "Banking patch" in by_status
    assert "Mail patch" not in by_status


def test_a_repeating_window_is_listed_by_its_next_occurrence(manager_client, banking):
    first = in_an_hour() - dt.timedelta(days=14)
    until = timezone.localtime(first).date() + dt.timedelta(days=70)  # 11 occurrences, two of them over
    make_window(banking, first, minutes=60, recurrence=Recurrence.WEEKLY, repeat_until=until)
    text = page_text(manager_client.get("/maintenance/"))
    assert f"{occurrence_text(in_an_hour(), 60)} and 8 more occurrences" in text


# --- planning a window ---------------------------------------------------------------------------------------------


def test_a_manager_plans_a_window_with_times_in_the_portal_zone(manager_client, banking, manager):
    page = manager_client.get("/maintenance/new/")
    assert "Date and time in Asia/Seoul." in page_text(page)
    response = manager_client.post("/maintenance/new/", window_post(banking, local(10, 2), local(10, 4)))
    window = MaintenanceWindow.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/maintenance/{window.pk}/"
    assert (window.starts_at, window.ends_at) == (local(10, 2), local(10, 4))
    assert (window.status, window.created_by, window.approved_at) == (MaintenanceStatus.PLANNED, manager, None)


def test_the_service_page_offers_to_plan_maintenance_of_that_service(manager_client, banking):
    page = manager_client.get(f"/services/{banking.code}/")
    assert f'href="/maintenance/new/?service={banking.code}"' in page.text
    form = manager_client.get(f"/maintenance/new/?service={banking.code}")
    assert f'<option value="{banking.pk}" selected>' in form.text


def overlapping(banking):
    make_window(banking, local(10, 2), title="Network work")
    return window_post(banking, local(10, 3), local(10, 5))


def never_repeating(banking):
    return window_post(
        banking, local(10, 2), local(10, 4), recurrence=Recurrence.WEEKLY, repeat_until=f"{local(13):%Y-%m-%d}"
    )


def in_a_closed_period(banking):
    month_start = local(0).replace(day=1)
    last_month = (month_start - dt.timedelta(days=1)).replace(day=1)
    close_period(banking.agreements.get(), last_month, month_start)
    return window_post(banking, last_month + dt.timedelta(days=9, hours=2), last_month + dt.timedelta(days=9, hours=4))


BAD_WINDOWS = [
    ("ends_before_start", lambda s: window_post(s, local(10, 4), local(10, 2)), "id_ends_at", "must end after it"),
    ("ends_at_start", lambda s: window_post(s, local(10, 2), local(10, 2)), "id_ends_at", "must end after it starts"),
    ("overlap", overlapping, "id_starts_at", "It overlaps “Network work” of the same service ("),
    ("never_repeats", never_repeating, "id_repeat_until", "With this date the window never repeats"),
    (
        "repeats_without_end",
        lambda s: window_post(s, local(10, 2), local(10, 4), recurrence=Recurrence.MONTHLY),
        "id_repeat_until",
        "A repeating window needs the date it repeats until.",
    ),
    (
        "weekly_longer_than_a_week",
        lambda s: window_post(
            s, local(10), local(18), recurrence=Recurrence.WEEKLY, repeat_until=f"{local(60):%Y-%m-%d}"
        ),
        "id_ends_at",
        "must be shorter than a week",
    ),
    (
        "repeating_without_an_end_time",
        lambda s: window_post(
            s,
            local(10, 2),
            local(10, 4),
            ends_at="",
            recurrence=Recurrence.WEEKLY,
            repeat_until=f"{local(60):%Y-%m-%d}",
        ),
        "id_ends_at",
        "This field is required.",
    ),
    ("closed_period", in_a_closed_period, "id_starts_at", "It reaches into a closed period (acme-sla / closed-"),
    ("no_service", lambda s: {**window_post(s, local(10, 2), local(10, 4)), "service": ""}, "id_service", "required"),
]


@pytest.mark.parametrize(("name", "post", "field", "message"), BAD_WINDOWS, ids=[case[0] for case in BAD_WINDOWS])
def test_a_bad_window_is_refused_under_its_field_and_nothing_is_stored(
    manager_client, banking, name, post, field, message
):
    data = post(banking)
    with saves_nothing():
        response = manager_client.post("/maintenance/new/", data)
    assert response.status_code == 200
    assert message in field_error(response, field)


def test_the_overlap_refusal_names_the_other_window_and_its_times_in_its_zone(manager_client, banking):
    data = overlapping(banking)
    with saves_nothing():
        response = manager_client.post("/maintenance/new/", data)
    day = f"{local(10):%-d %b %Y}"
    assert field_error(response, "id_starts_at") == (
        f"It overlaps “Network work” of the same service ({day}, 02:00 KST to {day}, 04:00 KST)."
    )


def test_the_closed_period_refusal_says_why(manager_client, banking):
    data = in_a_closed_period(banking)
    with saves_nothing():
        response = manager_client.post("/maintenance/new/", data)
    assert "the results of a closed period never change" in field_error(response, "id_starts_at")


# --- editing -------------------------------------------------------------------------------------------------------


def edit_post(window, **changes):
    data = window_post(window.service, window.starts_at, window.ends_at, title=window.title)
    return {**data, **changes}


def test_editing_the_times_of_an_approved_window_sends_it_back_to_planned(manager_client, upcoming, manager):
    approve(upcoming, manager, timezone.now() - dt.timedelta(days=1))
    form = page_text(manager_client.get(f"/maintenance/{upcoming.pk}/edit/"))
    assert "Changing its service, times or recurrence sends it back to planned" in form
    response = manager_client.post(
        f"/maintenance/{upcoming.pk}/edit/",
        edit_post(upcoming, starts_at=typed(local(11, 2)), ends_at=typed(local(11, 4))),
        follow=True,
    )
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.approved_by, upcoming.approved_at) == (MaintenanceStatus.PLANNED, None, None)
    assert upcoming.starts_at == local(11, 2)
    text = page_text(response)
    assert "it is planned again: it must be approved again, and the notice counts from the new approval" in text
    who, what, changes = history_rows(response)[0]
    assert (who, what) == ("Minsu Park", "Maintenance window (changed)")
    assert "status: Approved → Planned" in changes
    assert "approved by: Minsu Park → —" in changes


def test_a_new_recurrence_also_needs_a_new_approval(manager_client, upcoming, manager):
    approve(upcoming, manager, timezone.now())
    until = f"{local(60):%Y-%m-%d}"
    manager_client.post(
        f"/maintenance/{upcoming.pk}/edit/", edit_post(upcoming, recurrence=Recurrence.WEEKLY, repeat_until=until)
    )
    upcoming.refresh_from_db()
    assert (upcoming.recurrence, upcoming.status) == (Recurrence.WEEKLY, MaintenanceStatus.PLANNED)


def test_editing_only_the_title_keeps_the_approval(manager_client, upcoming, manager):
    approve(upcoming, manager, timezone.now() - dt.timedelta(days=1))
    approved_at = upcoming.approved_at
    response = manager_client.post(f"/maintenance/{upcoming.pk}/edit/", edit_post(upcoming, title="Database upgrade"))
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert (upcoming.title, upcoming.status, upcoming.approved_at) == ("Database upgrade", "approved", approved_at)


@pytest.mark.parametrize("status", [MaintenanceStatus.COMPLETED, MaintenanceStatus.CANCELLED])
def test_completed_and_cancelled_windows_are_not_editable(manager_client, banking, status):
    window = make_window(banking, local(-10, 2), title="Done", status=status)
    detail = manager_client.get(f"/maintenance/{window.pk}/")
    assert f"/maintenance/{window.pk}/edit/" not in detail.text
    with saves_nothing():
        response = manager_client.post(
            f"/maintenance/{window.pk}/edit/", edit_post(window, title="Changed"), follow=True
        )
    assert "A completed or cancelled maintenance window cannot be edited." in page_text(response)
    window.refresh_from_db()
    assert window.title == "Done"


# --- the steps -----------------------------------------------------------------------------------------------------


def test_approving_records_who_approved_and_when(manager_client, upcoming, manager):
    confirm = page_text(manager_client.get(f"/maintenance/{upcoming.pk}/status/approved/"))
    assert "Approve “Database patch”?" in confirm
    assert "each agreement's notice counts from now" in confirm
    before = timezone.now()
    response = manager_client.post(f"/maintenance/{upcoming.pk}/status/approved/")
    after = timezone.now()
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.approved_by) == (MaintenanceStatus.APPROVED, manager)
    assert before <= upcoming.approved_at <= after
    page = manager_client.get(f"/maintenance/{upcoming.pk}/")
    stamp = timezone.localtime(upcoming.approved_at).strftime("%-d %b %Y, %H:%M KST")
    assert f"by Minsu Park, {stamp}" in page_text(page)
    assert "“Database patch” is now Approved." in page_text(page)


def test_a_window_that_is_over_cannot_be_approved(manager_client, banking):
    window = make_window(banking, local(-3, 2))
    response = manager_client.post(f"/maintenance/{window.pk}/status/approved/")
    assert response.status_code == 409
    assert "A window that is over cannot be approved" in page_text(response)
    window.refresh_from_db()
    assert window.status == MaintenanceStatus.PLANNED


def test_a_window_is_completed_only_once_it_has_ended(manager_client, upcoming, manager):
    approve(upcoming, manager, timezone.now())
    response = manager_client.post(f"/maintenance/{upcoming.pk}/status/completed/")
    assert response.status_code == 409
    assert "A window is completed once its last occurrence has ended." in page_text(response)


def test_a_manager_cancels_a_window(manager_client, upcoming):
    response = manager_client.post(f"/maintenance/{upcoming.pk}/status/cancelled/", follow=True)
    upcoming.refresh_from_db()
    assert upcoming.status == MaintenanceStatus.CANCELLED
    assert "A cancelled window excludes nothing." in page_text(response)


# --- the window's page ---------------------------------------------------------------------------------------------


def test_the_page_shows_the_occurrences_in_the_windows_zone_with_the_zone_named(manager_client, banking):
    new_york = BusinessCalendarFactory(code="new-york", time_zone="America/New_York")
    first = in_an_hour() - dt.timedelta(days=14)
    until = timezone.localtime(first, ZoneInfo("America/New_York")).date() + dt.timedelta(days=63)
    window = make_window(
        banking, first, minutes=60, recurrence=Recurrence.WEEKLY, repeat_until=until, calendar=new_york
    )
    page = manager_client.get(f"/maintenance/{window.pk}/")
    text = page_text(page)
    assert "Times in America/New_York." in text
    # The next occurrence keeps the local time of the first in New York (the hour may move in Seoul across DST).
    next_one = window.schedule.occurrences(since=timezone.now())[0][0]
    assert f"{occurrence_text(next_one, 60, 'America/New_York')} next" in text
    assert page.text.count("<td>over</td>") == 2  # the two past occurrences
    assert f"and 2 more, until {until:%-d %b %Y}" in text  # 10 occurrences: 2 over, 6 shown, 2 more


def test_the_page_says_who_sees_the_window(manager_client, banking, agreement_b):
    agreement_b.services.add(banking)
    window = make_window(banking, local(10, 2))
    text = page_text(manager_client.get(f"/maintenance/{window.pk}/"))
    assert "Service managers, and the customers of the service: Acme Bank, Globex Logistics" in text


def test_a_planned_window_says_what_approving_it_now_would_give(manager_client, upcoming, agreement_a):
    agreement_a.maintenance_cap_minutes = 240
    agreement_a.save()
    text = page_text(manager_client.get(f"/maintenance/{upcoming.pk}/"))
    assert "Planned: not announced yet." in text
    assert "If it were approved now, the agreements would count these occurrences as follows" in text
    ahead = (upcoming.starts_at - timezone.now()).days  # 9 or 10: the window starts at 02:00, ten days on
    assert f"Excluded announced {ahead} d" in text
    assert "Of the occurrences above: 2 h excluded, 0 min counted." in text


def test_the_counting_of_a_window_announced_too_late(manager_client, upcoming, manager, agreement_a):
    agreement_a.maintenance_notice_days, agreement_a.maintenance_cap_minutes = 5, 240
    agreement_a.save()
    approve(upcoming, manager, upcoming.starts_at - dt.timedelta(days=2))
    text = page_text(manager_client.get(f"/maintenance/{upcoming.pk}/"))
    assert "Announced maintenance is excluded up to 4 h a month when announced at least 5 days ahead." in text
    assert "Counts: late notice announced only 2 d before its start; the agreement asks for notice of 5 days" in text
    assert "Of the occurrences above: 0 min excluded, 2 h counted." in text


def test_the_counting_of_a_window_over_the_months_cap_names_what_spent_it(
    manager_client, banking, manager, agreement_a
):
    agreement_a.maintenance_notice_days, agreement_a.maintenance_cap_minutes = 5, 180
    agreement_a.save()
    month = (timezone.localdate().replace(day=1) + dt.timedelta(days=62)).replace(day=1)  # the month after next
    first_day = (month - timezone.localdate()).days
    earlier = make_window(banking, local(first_day + 2, 1), title="Network work")
    later = make_window(banking, local(first_day + 9, 1), title="Database patch")
    for window in (earlier, later):
        approve(window, manager, window.starts_at - dt.timedelta(days=7))
    text = page_text(manager_client.get(f"/maintenance/{later.pk}/"))
    name = f"{month:%b %Y}"
    assert f"Excluded announced 7 d ahead (notice: 5 days); 3 h of the 3 h cap of {name} used so far" in text
    assert f"Counts: over the cap the 3 h cap of {name} is used up: “Network work” 2 h, this window 1 h" in text
    assert "Of the occurrences above: 1 h excluded, 1 h counted." in text


def test_maintenance_always_counts_under_an_agreement_with_no_cap(manager_client, upcoming, manager):
    approve(upcoming, manager, upcoming.starts_at - dt.timedelta(days=7))
    text = page_text(manager_client.get(f"/maintenance/{upcoming.pk}/"))
    assert "Maintenance always counts: this agreement excludes none of it." in text
    assert "Counts: over the cap the agreement's monthly cap is 0: maintenance always counts" in text


def test_a_customer_reads_how_their_own_agreements_count_it_and_no_one_elses(client, banking, agreement_b, alice):
    agreement_b.services.add(banking)
    window = make_window(banking, local(10, 2))
    client.force_login(alice)
    text = page_text(client.get(f"/maintenance/{window.pk}/"))
    assert "acme-sla · Acme Bank" in text
    assert "globex-sla" not in text
    assert "Globex" not in text


def test_the_history_records_the_approval(manager_client, upcoming):
    manager_client.post(f"/maintenance/{upcoming.pk}/status/approved/")
    rows = history_rows(manager_client.get(f"/maintenance/{upcoming.pk}/"))
    who, what, changes = rows[0]
    assert (who, what) == ("Minsu Park", "Maintenance window (changed)")
    assert "status: Planned → Approved" in changes
    assert "approved by: — → Minsu Park" in changes


# --- other pages ---------------------------------------------------------------------------------------------------


def test_the_service_page_lists_its_upcoming_windows(manager_client, banking):
    make_window(banking, local(10, 2), title="Database patch")
    make_window(banking, local(-10, 2), title="Old upgrade")
    text = page_text(manager_client.get(f"/services/{banking.code}/"))
    assert "Maintenance ahead" in text
    assert "Database patch" in text
    assert "Old upgrade" not in text


def test_the_agreement_page_lists_maintenance_ahead_and_how_it_counts_the_next_occurrence(
    manager_client, upcoming, manager
):
    unrelated = AgreementFactory(code="other-sla")
    make_window(unrelated.services.get(), local(10, 2), title="Someone else's patch")
    approve(upcoming, manager, upcoming.starts_at - dt.timedelta(days=1))
    text = page_text(manager_client.get("/agreements/acme-sla/"))
    assert "Maintenance and exclusions" in text
    assert "Database patch" in text
    assert "Someone else's patch" not in text
    assert "Approved Counts: late notice" in text


def test_a_customer_reading_the_cap_never_reads_the_title_of_a_window_kept_from_customers(
    client, banking, manager, agreement_a, alice
):
    agreement_a.maintenance_notice_days, agreement_a.maintenance_cap_minutes = 5, 180
    agreement_a.save()
    month = (timezone.localdate().replace(day=1) + dt.timedelta(days=62)).replace(day=1)  # the month after next
    first_day = (month - timezone.localdate()).days
    hidden = make_window(banking, local(first_day + 2, 1), title="Secret core migration", customer_visible=False)
    shown = make_window(banking, local(first_day + 9, 1), title="Database patch")
    for window in (hidden, shown):
        approve(window, manager, window.starts_at - dt.timedelta(days=7))
    client.force_login(alice)
    text = page_text(client.get(f"/maintenance/{shown.pk}/"))
    assert "is used up: other maintenance 2 h, this window 1 h" in text
    assert "Secret core migration" not in text
    client.force_login(manager)
    assert "is used up: “Secret core migration” 2 h, this window 1 h" in page_text(
        client.get(f"/maintenance/{shown.pk}/")
    )
