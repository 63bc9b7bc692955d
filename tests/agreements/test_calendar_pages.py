"""Business calendar pages (hours and holidays in one POST) and the calendar read back for business-hours arithmetic."""

import datetime as dt
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agreements.calendars import working_time_between
from agreements.models import BusinessCalendar, Holiday, WorkingPeriod
from tests.agreements.forms_data import calendar_post
from tests.agreements.page_checks import field_error, page_text, saves_nothing
from tests.factories import BusinessCalendarFactory, HolidayFactory

CREATE_URL = "/calendars/new/"
KST = ZoneInfo("Asia/Seoul")


def kst(*args):
    return datetime(*args, tzinfo=KST)


@pytest.fixture
def office(db):
    """Seoul office: Mon-Fri 09:00-18:00 KST, Christmas off."""
    calendar = BusinessCalendarFactory(code="seoul-office", name="Seoul office")
    HolidayFactory(calendar=calendar, date=dt.date(2026, 12, 25), name="Christmas Day")
    return calendar


def saved_hours(calendar):
    return sorted(calendar.working_periods.values_list("weekday", "start", "end"))


def test_manager_creates_calendar_with_hours_and_holidays_in_one_post(manager_client):
    data = calendar_post(
        hours=[(0, "09:00", "12:00"), (0, "13:00", "18:00"), (5, "18:00", "00:00")],
        holidays=[("2026-09-24", "Chuseok"), ("2026-12-25", "Christmas Day")],
        name="Seoul office",
        code="seoul-office",
    )

    response = manager_client.post(CREATE_URL, data, follow=True)

    assert response.redirect_chain == [("/calendars/seoul-office/", 302)]
    calendar = BusinessCalendar.objects.get(code="seoul-office")
    assert calendar.time_zone == "Asia/Seoul"
    assert saved_hours(calendar) == [
        (0, dt.time(9), dt.time(12)),
        (0, dt.time(13), dt.time(18)),
        (5, dt.time(18), dt.time(0)),
    ]
    assert list(calendar.holidays.values_list("date", "name")) == [
        (dt.date(2026, 9, 24), "Chuseok"),
        (dt.date(2026, 12, 25), "Christmas Day"),
    ]
    text = page_text(response)
    assert "Seoul office saved." in text
    assert "Monday 09:00–12:00 Monday 13:00–18:00 Saturday 18:00–00:00" in text
    assert "24 Sep 2026 – Chuseok" in text


def test_create_page_carries_both_management_forms(manager_client):
    response = manager_client.get(CREATE_URL)

    assert response.status_code == 200
    assert 'name="hours-TOTAL_FORMS"' in response.text
    assert 'name="holidays-TOTAL_FORMS"' in response.text


def test_manager_edits_calendar_hours_and_holidays(manager_client, office):
    monday, tuesday = office.working_periods.order_by("weekday")[:2]
    christmas = office.holidays.get()
    hours = [
        {"id": str(monday.pk), "weekday": "0", "start": "08:00", "end": "17:00"},
        {"id": str(tuesday.pk), "weekday": "1", "start": "09:00", "end": "18:00", "DELETE": "on"},
    ]
    holidays = [{"id": str(christmas.pk), "date": "2026-12-25", "name": "Christmas Day"}, ("2027-01-01", "New Year")]
    data = calendar_post(hours, holidays, name="Seoul head office", code="seoul-office", time_zone="Asia/Tokyo")

    response = manager_client.post("/calendars/seoul-office/edit/", data)

    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.name, office.time_zone) == ("Seoul head office", "Asia/Tokyo")
    assert saved_hours(office) == [
        (0, dt.time(8), dt.time(17)),
        (2, dt.time(9), dt.time(18)),
        (3, dt.time(9), dt.time(18)),
        (4, dt.time(9), dt.time(18)),
    ]
    assert list(office.holidays.values_list("name", flat=True)) == ["Christmas Day", "New Year"]


def test_overlapping_periods_on_one_weekday_are_refused(manager_client):
    data = calendar_post(hours=[(0, "09:00", "12:00"), (0, "11:00", "14:00")])

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert field_error(response, "id_hours-1-start") == "This period overlaps another one on the same day."


def test_period_overlapping_one_ending_at_midnight_is_refused(manager_client):
    data = calendar_post(hours=[(4, "20:00", "22:00"), (4, "18:00", "00:00")])

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert field_error(response, "id_hours-0-start") == "This period overlaps another one on the same day."


def test_touching_periods_and_other_weekdays_do_not_overlap(manager_client):
    data = calendar_post(hours=[(0, "09:00", "12:00"), (0, "12:00", "18:00"), (1, "11:00", "14:00")])

    assert manager_client.post(CREATE_URL, data).status_code == 302
    assert WorkingPeriod.objects.count() == 3


@pytest.mark.parametrize("end", ["08:00", "09:00"], ids=["before-start", "equal-to-start"])
def test_period_ending_before_it_starts_is_refused(manager_client, end):
    with saves_nothing():
        response = manager_client.post(CREATE_URL, calendar_post(hours=[(2, "09:00", end)]))

    assert response.status_code == 200
    assert field_error(response, "id_hours-0-end") == (
        "The end must be after the start (00:00 means midnight at the end of the day)."
    )


def test_period_ending_at_midnight_is_accepted(manager_client):
    assert manager_client.post(CREATE_URL, calendar_post(hours=[(6, "00:00", "00:00")])).status_code == 302
    assert saved_hours(BusinessCalendar.objects.get()) == [(6, dt.time(0), dt.time(0))]


def test_two_holidays_on_one_date_are_refused(manager_client):
    data = calendar_post(holidays=[("2026-12-25", "Christmas Day"), ("2026-12-25", "Christmas again")])

    with saves_nothing():
        response = manager_client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert response.context["holidays"].non_form_errors() == ["Please correct the duplicate data for date."]
    assert "Please correct the duplicate data for date." in response.text


def test_new_holiday_on_a_saved_holidays_date_is_refused(manager_client, office):
    christmas = office.holidays.get()
    holidays = [{"id": str(christmas.pk), "date": "2026-12-25", "name": "Christmas Day"}, ("2026-12-25", "Again")]

    with saves_nothing():
        response = manager_client.post("/calendars/seoul-office/edit/", calendar_post(holidays=holidays))

    assert response.status_code == 200
    assert "Please correct the duplicate data for date." in response.text


def test_unknown_time_zone_is_refused(manager_client):
    with saves_nothing():
        response = manager_client.post(CREATE_URL, calendar_post(hours=[(0, "09:00", "18:00")], time_zone="Mars/Base"))

    assert response.status_code == 200
    assert field_error(response, "id_time_zone") == "Mars/Base is not a known time zone."


def test_calendar_code_already_taken_is_refused(manager_client, office):
    with saves_nothing():
        response = manager_client.post(CREATE_URL, calendar_post(code="seoul-office", name="Another office"))

    assert field_error(response, "id_code") == "Business calendar with this Code already exists."


def test_refused_edit_leaves_hours_and_holidays_as_they_were(manager_client, office):
    before = (saved_hours(office), list(office.holidays.values_list("date", flat=True)))
    monday = office.working_periods.get(weekday=0)
    hours = [{"id": str(monday.pk), "weekday": "0", "start": "10:00", "end": "09:00"}]

    with saves_nothing():
        response = manager_client.post("/calendars/seoul-office/edit/", calendar_post(hours, [("2027-01-01", "X")]))

    assert response.status_code == 200
    assert (saved_hours(office), list(office.holidays.values_list("date", flat=True))) == before


def test_holiday_dates_may_shift_along_in_one_post(manager_client, office):
    christmas = office.holidays.get()
    boxing_day = HolidayFactory(calendar=office, date=dt.date(2026, 12, 26), name="Boxing Day")
    holidays = [
        {"id": str(christmas.pk), "date": "2026-12-26", "name": "Christmas (moved)"},
        {"id": str(boxing_day.pk), "date": "2026-12-27", "name": "Boxing Day (moved)"},
    ]

    assert manager_client.post("/calendars/seoul-office/edit/", calendar_post(holidays=holidays)).status_code == 302
    assert list(office.holidays.values_list("date", "name")) == [
        (dt.date(2026, 12, 26), "Christmas (moved)"),
        (dt.date(2026, 12, 27), "Boxing Day (moved)"),
    ]


def test_working_periods_may_swap_starts_in_one_post(manager_client, db):
    calendar = BusinessCalendarFactory(code="split-shift", office_hours=False)
    morning = WorkingPeriod.objects.create(calendar=calendar, weekday=0, start=dt.time(9), end=dt.time(12))
    afternoon = WorkingPeriod.objects.create(calendar=calendar, weekday=0, start=dt.time(13), end=dt.time(18))
    hours = [
        {"id": str(morning.pk), "weekday": "0", "start": "13:00", "end": "17:00"},
        {"id": str(afternoon.pk), "weekday": "0", "start": "09:00", "end": "12:30"},
    ]

    response = manager_client.post("/calendars/split-shift/edit/", calendar_post(hours, code="split-shift"))

    assert response.status_code == 302
    assert saved_hours(calendar) == [(0, dt.time(9), dt.time(12, 30)), (0, dt.time(13), dt.time(17))]


# --- the calendar from its rows: Mon-Fri 09:00-18:00 KST ----------------------------------------------------


def test_friday_evening_to_monday_morning_is_two_and_a_half_hours(office):
    Holiday.objects.all().delete()
    calendar = BusinessCalendar.objects.with_hours().get(code="seoul-office")

    # Fri 13 Nov 17:00-18:00 = 1 h; no weekend hours; Mon 16 Nov 09:00-10:30 = 1 h 30.
    assert working_time_between(calendar.as_working_calendar(), kst(2026, 11, 13, 17), kst(2026, 11, 16, 10, 30)) == (
        timedelta(hours=2, minutes=30)
    )


def test_holiday_row_on_monday_moves_the_work_to_tuesday(office):
    HolidayFactory(calendar=office, date=dt.date(2026, 11, 16), name="Company day")
    working = BusinessCalendar.objects.with_hours().get(code="seoul-office").as_working_calendar()

    assert working.holidays == frozenset({dt.date(2026, 11, 16), dt.date(2026, 12, 25)})
    # Fri 17:00-18:00 = 1 h; Monday off; Tue 17 Nov 09:00-10:30 = 1 h 30.
    assert working_time_between(working, kst(2026, 11, 13, 17), kst(2026, 11, 17, 10, 30)) == timedelta(hours=2.5)
    # Ending on the holiday morning leaves only Friday's hour.
    assert working_time_between(working, kst(2026, 11, 13, 17), kst(2026, 11, 16, 10, 30)) == timedelta(hours=1)


def test_working_calendar_keeps_the_time_zone_and_split_periods(db):
    calendar = BusinessCalendarFactory(code="tokyo-desk", time_zone="Asia/Tokyo", office_hours=False)
    WorkingPeriod.objects.create(calendar=calendar, weekday=0, start=dt.time(13), end=dt.time(17))
    WorkingPeriod.objects.create(calendar=calendar, weekday=0, start=dt.time(9), end=dt.time(12))

    working = calendar.as_working_calendar()

    assert working.time_zone == "Asia/Tokyo"
    assert dict(working.weekly_hours) == {0: ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(17)))}
