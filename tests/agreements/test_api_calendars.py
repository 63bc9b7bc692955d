"""``/api/v1/calendars``: business calendars with their working periods and holidays nested in the body, written
through the calendar page's form and formsets."""

import datetime as dt

import pytest

from agreements.models import BusinessCalendar
from tests.agreements.api_checks import every_page, results, schema_paths, signed_in
from tests.api_ladder import Call, climb
from tests.factories import BusinessCalendarFactory, HolidayFactory

OFFICE = [{"weekday": day, "start": "09:00", "end": "18:00"} for day in range(5)]
NEW_CALENDAR = {
    "code": "busan-office",
    "name": "Busan office",
    "time_zone": "Asia/Seoul",
    "description": "",
    "working_periods": OFFICE,
    "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
}


@pytest.fixture
def cast(alice, bob, manager):
    return {"owner": alice, "outsider": bob, "manager": manager}


@pytest.fixture
def seoul(agreement_a):
    """A calendar the target of customer A's agreement keeps its service hours in."""
    calendar = BusinessCalendarFactory(code="seoul-office", name="Seoul office")
    HolidayFactory(calendar=calendar, date=dt.date(2026, 9, 25), name="Chuseok")
    agreement_a.targets.update(service_hours=calendar)
    return calendar


def hours(calendar):
    return [
        (period.weekday, f"{period.start:%H:%M}", f"{period.end:%H:%M}")
        for period in calendar.working_periods.order_by("weekday", "start")
    ]


def test_the_ladder_for_list_and_detail(seoul, cast):
    BusinessCalendarFactory(code="unused", name="Unused")
    assert results(climb(Call("get", "/api/v1/calendars", scoped=False), **cast)) == ["seoul-office", "unused"]
    assert results(signed_in(cast["owner"]).get("/api/v1/calendars")) == ["seoul-office"]
    assert results(signed_in(cast["outsider"]).get("/api/v1/calendars")) == []
    detail = climb(Call("get", "/api/v1/calendars/seoul-office"), **cast).json()
    assert detail["working_periods"][0] == {"weekday": 0, "start": "09:00:00", "end": "18:00:00"}
    assert len(detail["working_periods"]) == 5
    assert detail["holidays"] == [{"date": "2026-09-25", "name": "Chuseok"}]


def test_a_calendar_is_created_with_its_hours_and_holidays(seoul, cast):
    created = climb(Call("post", "/api/v1/calendars", NEW_CALENDAR, scoped=False), **cast).json()
    calendar = BusinessCalendar.objects.get(code="busan-office")
    assert hours(calendar) == [(day, "09:00", "18:00") for day in range(5)]
    assert list(calendar.holidays.values_list("date", "name")) == [(dt.date(2026, 12, 25), "Christmas Day")]
    assert created["holidays"] == [{"date": "2026-12-25", "name": "Christmas Day"}]
    assert BusinessCalendar.objects.count() == 2  # the refused rungs stored nothing


def test_put_makes_exactly_the_rows_sent_and_patch_keeps_what_it_leaves_out(seoul, cast):
    body = {**NEW_CALENDAR, "code": "seoul-office", "name": "Seoul office", "working_periods": OFFICE[:1]}
    body["working_periods"] = [{"weekday": 0, "start": "08:00", "end": "12:00"}, {"weekday": 0, "start": "13:00"}]
    body["working_periods"][1]["end"] = "00:00"
    climb(Call("put", "/api/v1/calendars/seoul-office", body), **cast)
    assert hours(seoul) == [(0, "08:00", "12:00"), (0, "13:00", "00:00")]
    assert list(seoul.holidays.values_list("name", flat=True)) == ["Christmas Day"]

    climb(Call("patch", "/api/v1/calendars/seoul-office", {"holidays": []}), **cast)
    assert hours(seoul) == [(0, "08:00", "12:00"), (0, "13:00", "00:00")]  # not named: kept
    assert not seoul.holidays.exists()


def test_holidays_swapping_dates_are_saved_as_the_page_saves_them(seoul, manager):
    HolidayFactory(calendar=seoul, date=dt.date(2026, 10, 3), name="National Foundation Day")
    swapped = [{"date": "2026-10-03", "name": "Chuseok"}, {"date": "2026-09-25", "name": "National Foundation Day"}]
    response = signed_in(manager).patch("/api/v1/calendars/seoul-office", {"holidays": swapped}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(seoul.holidays.values_list("date", "name")) == [
        (dt.date(2026, 9, 25), "National Foundation Day"),
        (dt.date(2026, 10, 3), "Chuseok"),
    ]


def test_overlapping_periods_are_refused_with_the_pages_message_and_nothing_changes(seoul, manager):
    body = {"working_periods": [{"weekday": 0, "start": "09:00", "end": "18:00"}, OFFICE[0] | {"start": "17:00"}]}
    response = signed_in(manager).patch("/api/v1/calendars/seoul-office", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "working_periods": {"1": {"start": ["This period overlaps another one on the same day."]}}
    }
    assert hours(seoul) == [(day, "09:00", "18:00") for day in range(5)]


def test_the_form_and_the_rows_are_refused_together(manager):
    body = {
        **NEW_CALENDAR,
        "time_zone": "Mars/Olympus",
        "working_periods": [{"weekday": 2, "start": "18:00", "end": "09:00"}],
    }
    response = signed_in(manager).post("/api/v1/calendars", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "time_zone": ["Mars/Olympus is not a known time zone."],
        "working_periods": {
            "0": {"end": ["The end must be after the start (00:00 means midnight at the end of the day)."]}
        },
    }
    assert not BusinessCalendar.objects.exists()


def test_a_nested_row_with_a_field_it_does_not_have_is_refused(manager):
    body = {**NEW_CALENDAR, "holidays": [{"day": "2026-12-25", "name": "Christmas Day"}]}
    response = signed_in(manager).post("/api/v1/calendars", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"holidays": {"0": {"day": ["There is no such field."]}}}
    body = {**NEW_CALENDAR, "holidays": "2026-12-25"}
    assert signed_in(manager).post("/api/v1/calendars", body, format="json").json() == {
        "holidays": ["A list of objects is expected."]
    }
    assert not BusinessCalendar.objects.exists()


def test_no_page_deletes_a_calendar_and_neither_does_the_api(seoul, cast):
    BusinessCalendarFactory(code="unused")
    assert signed_in(cast["manager"]).delete("/api/v1/calendars/unused").status_code == 405
    assert sorted(BusinessCalendar.objects.values_list("code", flat=True)) == ["seoul-office", "unused"]


def test_calendars_filter_order_and_page(manager):
    BusinessCalendarFactory(code="a-seoul", name="Seoul office")
    BusinessCalendarFactory(code="b-auckland", name="Auckland desk", time_zone="Pacific/Auckland")
    BusinessCalendarFactory(code="c-seoul-ops", name="Seoul operations", description="Night shift")
    client = signed_in(manager)
    assert results(client.get("/api/v1/calendars?time_zone=Pacific/Auckland")) == ["b-auckland"]
    assert results(client.get("/api/v1/calendars?q=night")) == ["c-seoul-ops"]
    assert results(client.get("/api/v1/calendars?ordering=name")) == ["b-auckland", "a-seoul", "c-seoul-ops"]
    assert every_page(client, "/api/v1/calendars?ordering=-code") == [["c-seoul-ops"], ["b-auckland"], ["a-seoul"]]


def test_the_schema_lists_the_calendars(manager):
    paths = schema_paths(manager)
    assert {"/api/v1/calendars", "/api/v1/calendars/{code}"} <= set(paths)
