"""A target's page: the period picker, attainment per period, the period's burn-down and daily bars, and the
drill-down to one day's bad minutes.

The main scene is Acme's "uptime" probe target (99.9 %, timeslices) since August, evaluated at NOW (16 Nov 2026
12:00 KST). Its October (31 days, a 44.64-minute budget) was down 10 minutes on the 3rd, 20 on the 10th and 5 on the
20th.
"""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agreements.choices import BudgetingMethod
from tests.factories import BusinessCalendarFactory
from tests.ladder import Rung, climb
from tests.monitoring.dashboard_helpers import (
    NOW,
    agreement_since,
    chart_table,
    figure,
    frozen_at_now,
    monthly_target,
    table_rows,
)
from tests.monitoring.evaluation_helpers import (
    active_agreement,
    evaluate,
    kst,
    measured_target,
    record_counts,
    record_probe_minutes,
    snapshot,
)

pytestmark = pytest.mark.django_db
PAGE = "/agreements/acme-portal/targets/uptime/"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


@pytest.fixture
def uptime(customer_a):
    agreement = agreement_since("2026-08", customer=customer_a, code="acme-portal")
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    record_probe_minutes(target, kst(2026, 8, 2), 1000, bad=range(5))  # 99.5 %
    record_probe_minutes(target, kst(2026, 9, 2), 1000)  # 100 %
    record_probe_minutes(target, kst(2026, 10, 3), 1000, bad=range(500, 510))
    record_probe_minutes(target, kst(2026, 10, 10), 1000, bad=range(20))
    record_probe_minutes(target, kst(2026, 10, 20), 100, bad=range(5))  # October: 2,065 of 2,100 = 98.333 %
    record_probe_minutes(target, kst(2026, 11, 2), 1000, bad=range(100, 135))  # November so far: 96.5 %
    evaluate(target, NOW)
    return target


def page_of(client, user, query=""):
    client.force_login(user)
    response = client.get(PAGE + query)
    assert response.status_code == 200
    return response.text


# --- who may open them ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/agreements/acme-sla/targets/availability/",
        "/agreements/acme-sla/targets/availability/bad-minutes/?day=2026-11-02",
    ],
)
def test_the_target_page_and_its_bad_minutes_climb_the_permission_ladder(
    client, url, acme_indicator, alice, bob, manager
):
    climb(client, Rung(url), owner=alice, outsider=bob, manager=manager)


# --- periods -------------------------------------------------------------------------------------------------------


def picker(page):
    """(period, chosen) of each option of the period picker, in its order."""
    select = page.split('id="period-select"', 1)[1].split("</select>", 1)[0]
    return [(label, bool(chosen)) for label, chosen in re.findall(r'<option value="([^"]+)" ?(selected)?>', select)]


def summary(page):
    return page.split('id="period-summary"', 1)[1].split('<div class="row g-4">', 1)[0]


def test_the_period_picker_lists_every_period_newest_first_with_the_running_one_chosen(client, uptime, alice):
    page = page_of(client, alice)

    assert picker(page) == [("2026-11", True), ("2026-10", False), ("2026-09", False), ("2026-08", False)]
    assert '<div class="fs-5" id="attainment">96.500 %</div>' in summary(page)


def test_a_period_of_the_picker_shows_that_periods_results(client, uptime, alice):
    page = page_of(client, alice, "?period=2026-10")

    assert ("2026-10", True) in picker(page)
    assert "compliance-breached" in summary(page)
    assert '<div class="fs-5" id="attainment">98.333 %</div>' in summary(page)
    assert "9.6 min of 44.6 min left" in summary(page)  # 35 of 44.64 minutes spent


def test_a_running_period_says_so_far_what_it_can_still_absorb_and_where_it_ends_at_this_pace(client, uptime, alice):
    shown = summary(page_of(client, alice))

    assert "Attainment so far" in shown
    # November in Seoul: a 43.2-minute budget, 35 minutes spent, 8.2 left until the month's last minute.
    assert "Can absorb 8.2 more minutes of bad time until 30 Nov 2026, 23:59 KST." in " ".join(shown.split())
    # 35 minutes in 15.5 of 30 days: 35 x 30 / 15.5 = 67.74 minutes by the month's end, 24.5 over the budget.
    assert "At the pace so far, the period ends 24.5 min over its 43.2 min budget." in shown
    assert "Projection" in shown


def test_a_closed_period_has_no_outlook(client, uptime, alice):
    shown = summary(page_of(client, alice, "?period=2026-10"))

    assert "Attainment so far" not in shown
    assert 'id="budget-outlook"' not in shown


def test_a_period_the_target_never_had_is_not_found(client, uptime, alice):
    client.force_login(alice)
    assert client.get(PAGE + "?period=2026-07").status_code == 404
    assert client.get(PAGE + "?period=october").status_code == 404


# --- charts --------------------------------------------------------------------------------------------------------


def test_the_history_chart_has_attainment_bars_and_the_objective_each_period_was_judged_by(client, uptime, alice):
    uptime.objective = Decimal("99.5")  # a new objective changes the running period only
    uptime.save()
    evaluate(uptime, NOW)

    bars, line = figure(page_of(client, alice), "attainment-history-figure")["data"]

    months = ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert (bars["type"], bars["x"], bars["y"]) == ("bar", months, [99.5, 100.0, 98.333, 96.5])
    # Breached, met, breached; November met now (35 of 216 budget minutes spent at 99.5 %).
    assert bars["marker"]["color"] == ["#dc3545", "#198754", "#dc3545", "#198754"]
    assert (line["x"], line["y"], line["line"]["dash"]) == (months, [99.9, 99.9, 99.9, 99.5], "dash")


def test_the_running_period_is_hatched_and_labelled_and_the_axis_stops_at_100(client, uptime, alice):
    chart = figure(page_of(client, alice), "attainment-history-figure")
    bars = chart["data"][0]

    assert bars["marker"]["pattern"]["shape"] == ["", "", "", "/"]  # only November is still running
    assert [(note["x"], note["text"]) for note in chart["layout"]["annotations"]] == [("2026-11", "running")]
    assert chart["layout"]["yaxis"]["range"][1] == 100
    assert chart_table(page_of(client, alice), "attainment-history")[3] == [
        "2026-11",
        "96.500",
        "99.9",
        "At risk (running)",
    ]


def test_the_objective_is_drawn_when_the_target_has_one_period_and_empty_months_before_it_are_left_out(
    client, customer_a, alice
):
    agreement = agreement_since("2026-08", customer=customer_a, code="acme-portal")
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    record_probe_minutes(target, kst(2026, 11, 2), 100)  # no data in August, September and October
    evaluate(target, NOW)

    bars, line = figure(page_of(client, alice), "attainment-history-figure")["data"]

    assert bars["x"] == line["x"] == ["2026-11"]
    assert line["y"] == [99.9]
    assert line["mode"] == "lines+markers"  # one point of a line alone draws nothing: its marker is a dash


def test_the_burn_down_follows_the_budget_left_day_by_day_against_even_spending(client, uptime, alice):
    page = page_of(client, alice, "?period=2026-10")

    left, even = figure(page, "burn-down-figure")["data"]
    assert left["x"] == [f"10-{day:02d}" for day in range(1, 32)]
    # 1 - spent / 44.64: nothing spent before the 3rd, 10 minutes by its end, 30 after the 10th, 35 after the 20th.
    assert left["y"][:3] == [100.0, 100.0, 77.6]
    assert left["y"][8:11] == [77.6, 32.8, 32.8]
    assert left["y"][18:21] == [32.8, 21.59, 21.59]
    assert left["y"][-1] == 21.59 == float(round(snapshot(uptime, kst(2026, 10, 1)).budget_remaining * 100, 2))
    # Even spending: 1 - day / 31 at the end of each day.
    assert [even["y"][day - 1] for day in (1, 10, 20, 31)] == [96.77, 67.74, 35.48, 0.0]
    table = chart_table(page, "burn-down")
    assert table[2] == ["10-03", "77.60", "90.32"]
    assert table[30] == ["10-31", "21.59", "0.00"]


def test_the_burn_down_of_the_running_period_ends_today(client, uptime, alice):
    left, even = figure(page_of(client, alice), "burn-down-figure")["data"]

    assert left["x"][-1] == "11-16"
    assert left["y"][0] == 100.0
    assert left["y"][1:] == [18.98] * 15  # 35 of 43.2 minutes spent on the 2nd
    assert even["y"][-1] == 48.33  # 15.5 of 30 days gone


def test_the_daily_bars_of_a_timeslice_target_count_good_and_bad_minutes(client, uptime, alice):
    page = page_of(client, alice, "?period=2026-10")

    good, bad = figure(page, "daily-bars-figure")["data"]
    expected = {3: (990, 10), 10: (980, 20), 20: (95, 5)}
    assert good["y"] == [expected.get(day, (0, 0))[0] for day in range(1, 32)]
    assert bad["y"] == [expected.get(day, (0, 0))[1] for day in range(1, 32)]
    assert figure(page, "daily-bars-figure")["layout"]["yaxis"]["title"]["text"] == "minutes"


def test_the_daily_bars_of_an_occurrence_target_count_good_and_bad_events(client, customer_a, alice):
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-portal")
    target = monthly_target(agreement, {}, code="uptime")
    record_counts(target, {kst(2026, 11, 3, 10): (95, 100), kst(2026, 11, 3, 11): (50, 50), kst(2026, 11, 5): (7, 10)})
    evaluate(target, NOW)

    page = page_of(client, alice)

    good, bad = figure(page, "daily-bars-figure")["data"]
    assert good["y"][:6] == [0, 0, 145, 0, 7, 0]
    assert bad["y"][:6] == [0, 0, 5, 0, 3, 0]
    assert figure(page, "daily-bars-figure")["layout"]["yaxis"]["title"]["text"] == "events"
    assert _bad_day_links(page) == ["2026-11-03", "2026-11-05"]


def test_the_daily_bars_of_a_ratio_timeslice_target_add_up_each_minutes_ratio(client, customer_a, alice):
    """Ten minutes at 99 of 100 good events: each minute counts 0.99 good and 0.01 bad, as the attainment does, not
    as ten bad minutes."""
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-portal")
    target = measured_target(agreement=agreement, code="uptime", probe=False, method=BudgetingMethod.RATIO_TIMESLICES)
    record_counts(target, {kst(2026, 11, 3, 10, minute): (99, 100) for minute in range(10)})
    evaluate(target, NOW)

    page = page_of(client, alice)

    good, bad = figure(page, "daily-bars-figure")["data"]
    assert (good["y"][2], bad["y"][2]) == (9.9, 0.1)
    assert chart_table(page, "daily-bars")[2] == ["11-03", "9.9", "0.1"]
    assert '<div class="fs-5" id="attainment">99.000 %</div>' in summary(page)
    assert _bad_day_links(page) == ["2026-11-03"]


def test_only_the_days_with_bad_minutes_link_to_their_drill_down(client, uptime, alice):
    assert _bad_day_links(page_of(client, alice, "?period=2026-10")) == ["2026-10-03", "2026-10-10", "2026-10-20"]
    assert _bad_day_links(page_of(client, alice, "?period=2026-09")) == []


def _bad_day_links(page):
    block = page.split('id="bad-minute-days"', 1)[1].split("</div>", 1)[0]
    return re.findall(r"/agreements/acme-portal/targets/uptime/bad-minutes/\?day=([\d-]+)", block)


def test_an_agreement_starting_mid_month_has_no_days_or_budget_before_its_start(client, customer_a, alice):
    agreement = active_agreement(valid_from=dt.date(2026, 11, 10), customer=customer_a, code="acme-portal")
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    record_probe_minutes(target, kst(2026, 11, 5), 100, bad=range(10))  # before the agreement: not counted
    record_probe_minutes(target, kst(2026, 11, 12), 100, bad=range(10))
    evaluate(target, NOW)

    page = page_of(client, alice)

    left, _even = figure(page, "burn-down-figure")["data"]
    assert left["x"] == [f"11-{day}" for day in range(10, 17)]
    # 10 of the budget of 21 days (0.1 % of 30,240 minutes = 30.24) spent, as the snapshot has it.
    assert snapshot(target).budget_remaining == Decimal("0.669312169312")
    assert left["y"] == [100.0, 100.0, 66.93, 66.93, 66.93, 66.93, 66.93]
    assert figure(page, "daily-bars-figure")["data"][1]["y"] == [0, 0, 10, 0, 0, 0, 0]


# --- one day's bad minutes -----------------------------------------------------------------------------------------


def test_the_drill_down_lists_exactly_the_bad_minutes_of_the_day(client, uptime, alice):
    client.force_login(alice)
    page = client.get(PAGE + "bad-minutes/?day=2026-10-20").text

    assert "Bad minutes on 2026-10-20" in page
    assert table_rows(page, 'id="bad-minutes"') == [[f"00:0{minute}", "0", "1"] for minute in range(5)]
    assert "(Asia/Seoul)" in page


def test_the_drill_down_groups_consecutive_bad_minutes_into_outages(client, uptime, alice):
    record_probe_minutes(uptime, kst(2026, 10, 20, 14), 60, bad=[*range(10, 45), 50])  # 14:10-14:45 and 14:50
    client.force_login(alice)
    page = client.get(PAGE + "bad-minutes/?day=2026-10-20").text

    assert table_rows(page, 'id="outages"') == [
        ["20 Oct 2026, 00:00 KST", "00:05", "5 min", "0 / 5"],
        ["20 Oct 2026, 14:10 KST", "14:45", "35 min", "0 / 35"],
        ["20 Oct 2026, 14:50 KST", "14:51", "1 min", "0 / 1"],
    ]
    assert "The 41 minutes one by one" in page


def test_the_drill_down_of_a_day_without_bad_minutes_says_so(client, uptime, alice):
    client.force_login(alice)
    page = client.get(PAGE + "bad-minutes/?day=2026-09-02").text

    assert table_rows(page, 'id="bad-minutes"') == [["No bad minutes that day."]]


def test_the_drill_down_of_a_target_with_service_hours_lists_in_hours_minutes_in_its_zone(client, customer_a, alice):
    hours = BusinessCalendarFactory(code="berlin-office", time_zone="Europe/Berlin")  # weekdays 09:00-18:00
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-portal")
    target = measured_target(agreement=agreement, code="uptime", name="Uptime", service_hours=hours)
    # Tuesday 3 Nov from 08:00 to 19:00 in Berlin, down at 08:30, 09:15, 17:59, 18:00 and 18:50.
    record_probe_minutes(target, dt.datetime(2026, 11, 3, 8, tzinfo=BERLIN), 660, bad=[30, 75, 599, 600, 650])
    evaluate(target, NOW)
    client.force_login(alice)

    page = client.get(PAGE + "bad-minutes/?day=2026-11-03").text

    assert table_rows(page, 'id="bad-minutes"') == [["09:15", "0", "1"], ["17:59", "0", "1"]]
    assert "(Europe/Berlin)" in page
    bars = figure(client.get(PAGE).text, "daily-bars-figure")["data"]
    assert (bars[0]["y"][2], bars[1]["y"][2]) == (538, 2)  # 3 Nov: 540 in-hours minutes, 2 of them down


def test_bad_minutes_of_a_ratio_target_show_good_and_all_events(client, customer_a, alice):
    agreement = agreement_since("2026-11", customer=customer_a, code="acme-portal")
    target = measured_target(agreement=agreement, probe=False, method=BudgetingMethod.OCCURRENCES, code="uptime")
    record_counts(target, {kst(2026, 11, 3, 10, 5): (95, 100), kst(2026, 11, 3, 11): (50, 50)})
    client.force_login(alice)

    page = client.get(PAGE + "bad-minutes/?day=2026-11-03").text

    assert table_rows(page, 'id="bad-minutes"') == [["10:05", "95", "100"]]


@pytest.mark.parametrize("day", ["03-11-2026", "2026-02-30", "yesterday", "", "9999-12-31", "0001-01-01"])
def test_a_malformed_day_is_not_found(client, uptime, alice, day):
    client.force_login(alice)
    assert client.get(PAGE + f"bad-minutes/?day={day}").status_code == 404


def test_a_missing_day_is_not_found(client, uptime, alice):
    client.force_login(alice)
    assert client.get(PAGE + "bad-minutes/").status_code == 404
