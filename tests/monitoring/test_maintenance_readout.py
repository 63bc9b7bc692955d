"""What the pages show of maintenance and agreed exclusions: grey bands on the time charts, the SLA report's section
and its CSV columns, the drill-down's marks, and the "in maintenance" badge.

Acme's portal SLA excludes approved maintenance announced at least 5 days ahead, up to 240 minutes a month. Its
"uptime" target (99.9 %, timeslices, a probe answering every minute of the days below) in November 2026, read at
CLOSED (1 Dec 00:15 KST, November frozen), all times Seoul:

    10 Nov 02:00-04:00  "Database upgrade", announced 7 days ahead    excluded 120 (cap left 120)  bad 02:10-02:40 (30)
    10 Nov 05:00-05:10  -                                             counts                       bad 10
    20 Nov 01:00-03:00  "Network switch", announced 2 days ahead      counts: too late             bad 01:00-01:05 (5)
    25 Nov 10:00-10:30  exclusion, caused by the customer             excluded 30                  bad 10:00-10:20 (20)
    27 Nov 00:00-03:00  "Storage migration", announced 7 days ahead   excluded 00:00-02:00 (120)   bad 01:00-01:10 (10)
                                                                      counts 02:00-03:00: over cap bad 02:30-02:45 (15)

Excluded 120 + 30 + 120 = 270 minutes; maintenance that counted 120 + 60 = 180. Bad minutes 90, of which 30 + 20 + 10
= 60 excluded: 30 consumed of a budget of 0.001 x (43,200 - 270) = 42.93 minutes.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache

from agreements.choices import ExclusionReason, MaintenanceStatus
from agreements.models import Exclusion, MaintenanceWindow
from monitoring.models import ComplianceSnapshot, TargetIndicator
from tests.factories import ServiceFactory, TargetFactory
from tests.monitoring.dashboard_helpers import figure, list_items, table_rows
from tests.monitoring.evaluation_helpers import (
    DECEMBER,
    NOVEMBER,
    active_agreement,
    evaluate,
    kst,
    measured_target,
    record_probe_minutes,
    snapshot,
)
from tests.monitoring.factories import ThresholdIndicatorFactory

pytestmark = pytest.mark.django_db
CLOSED = DECEMBER + dt.timedelta(minutes=15)
TARGET = "/agreements/acme-portal/targets/uptime/"
REPORT = "/agreements/acme-portal/report/?period=2026-11"
CSV_URL = "/agreements/acme-portal/report.csv?period=2026-11"


@pytest.fixture(autouse=True)
def at_closed(time_machine):
    time_machine.move_to(CLOSED, tick=False)
    cache.clear()
    yield
    cache.clear()


def approved_window(service, start, minutes, announced_days_ahead, title, **fields):
    """A window approved ``announced_days_ahead`` days before it starts (back-dated: the approval announces it)."""
    return MaintenanceWindow.objects.create(
        service=service,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        status=MaintenanceStatus.APPROVED,
        approved_at=start - dt.timedelta(days=announced_days_ahead),
        **fields,
    )


@pytest.fixture
def november(customer_a):
    agreement = active_agreement(
        customer=customer_a,
        code="acme-portal",
        valid_from=dt.date(2026, 11, 1),
        maintenance_notice_days=5,
        maintenance_cap_minutes=240,
    )
    service = agreement.services.first()
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    approved_window(service, kst(2026, 11, 10, 2), 120, 7, "Database upgrade")
    approved_window(service, kst(2026, 11, 20, 1), 120, 2, "Network switch")
    approved_window(service, kst(2026, 11, 27, 0), 180, 7, "Storage migration")
    Exclusion.objects.create(
        agreement=agreement,
        service=service,
        starts_at=kst(2026, 11, 25, 10),
        ends_at=kst(2026, 11, 25, 10, 30),
        reason=ExclusionReason.CUSTOMER_CAUSED,
        description="Customer's firewall change",
        customer_agreement="J. Kim, by e-mail",
    )
    record_probe_minutes(target, kst(2026, 11, 10), 1440, bad=[*range(130, 160), *range(300, 310)])
    record_probe_minutes(target, kst(2026, 11, 20), 1440, bad=range(60, 65))
    record_probe_minutes(target, kst(2026, 11, 25), 1440, bad=range(600, 620))
    record_probe_minutes(target, kst(2026, 11, 27), 1440, bad=[*range(60, 70), *range(150, 165)])
    evaluate(target, CLOSED)
    return target


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


EXCLUDED_ROWS = [
    ["10 Nov 2026, 02:00 KST", "04:00", "120 min", "Maintenance “Database upgrade”", "Not counted"],
    ["20 Nov 2026, 01:00 KST", "03:00", "120 min", "Maintenance “Network switch”", "Counted: announced too late"],
    [
        "25 Nov 2026, 10:00 KST",
        "10:30",
        "30 min",
        "Excluded, caused by the customer: Customer's firewall change",
        "Not counted",
    ],
    ["27 Nov 2026, 00:00 KST", "02:00", "120 min", "Maintenance “Storage migration”", "Not counted"],
    [
        "27 Nov 2026, 02:00 KST",
        "03:00",
        "60 min",
        "Maintenance “Storage migration”",
        "Counted: over the monthly maintenance cap",
    ],
]


def test_the_snapshot_counts_what_the_readout_explains(november):
    row = snapshot(november)
    assert row.is_closed
    assert row.budget_total == Decimal("42.93")
    assert row.budget_consumed == Decimal("30")


# --- the SLA report and its CSV ------------------------------------------------------------------------------------


def test_the_report_lists_each_interval_with_why_it_counted_or_not_and_the_totals(client, november, alice):
    html = get(client, alice, REPORT).text
    service = november.agreement.services.first().name

    assert table_rows(html, 'id="report-excluded"') == [[service, *row] for row in EXCLUDED_ROWS]
    totals = html.split('id="report-excluded-totals">', 1)[1].split("</p>", 1)[0]
    assert " ".join(totals.split()) == (
        "Excluded in total: 270 min, left out of every figure. Maintenance that counted: 180 min."
    )


def test_the_reports_outages_say_which_did_not_count(client, november, manager):
    html = get(client, manager, REPORT).text
    rows = table_rows(html, 'id="report-outages"')
    assert [(row[1], row[3], row[5]) for row in rows] == [
        ("10 Nov 2026, 02:10 KST", "30 min", "Not counted — Maintenance “Database upgrade”"),
        ("10 Nov 2026, 05:00 KST", "10 min", "—"),
        ("20 Nov 2026, 01:00 KST", "5 min", "Counted: announced too late — Maintenance “Network switch”"),
        (
            "25 Nov 2026, 10:00 KST",
            "20 min",
            "Not counted — Excluded, caused by the customer: Customer's firewall change",
        ),
        ("27 Nov 2026, 01:00 KST", "10 min", "Not counted — Maintenance “Storage migration”"),
        (
            "27 Nov 2026, 02:30 KST",
            "15 min",
            "Counted: over the monthly maintenance cap — Maintenance “Storage migration”",
        ),
    ]


def test_the_csv_has_the_excluded_and_counted_maintenance_columns_worked_by_hand(client, november, alice):
    (row,) = csv_rows(get(client, alice, CSV_URL))
    assert (row["bad_minutes"], row["budget_consumed"], row["budget_total"]) == ("90", "30", "42.93")
    assert row["excluded_minutes"] == "270"
    assert row["excluded_bad_minutes"] == "60"
    assert row["exclusions"] == (
        "2026-11-10T02:00+09:00/2026-11-10T04:00+09:00 maintenance: Database upgrade; "
        "2026-11-25T10:00+09:00/2026-11-25T10:30+09:00 customer_caused: Customer's firewall change; "
        "2026-11-27T00:00+09:00/2026-11-27T02:00+09:00 maintenance: Storage migration"
    )
    assert row["counted_maintenance_minutes"] == "180"
    assert row["counted_maintenance"] == (
        "2026-11-20T01:00+09:00/2026-11-20T03:00+09:00 late_notice: Network switch; "
        "2026-11-27T02:00+09:00/2026-11-27T03:00+09:00 over_cap: Storage migration"
    )


def test_the_csv_keeps_its_columns_and_adds_the_new_ones_at_the_end(client, november, alice):
    header = get(client, alice, CSV_URL).content.decode().splitlines()[0].split(",")
    assert header[:19] == [
        "agreement",
        "customer",
        "report_period",
        "month",
        "target",
        "indicator",
        "objective_percent",
        "attainment_percent",
        "status",
        "budget_unit",
        "budget_total",
        "budget_consumed",
        "budget_remaining",
        "credit_percent",
        "credit_amount",
        "currency",
        "closed",
        "bad_minutes",
        "outages",
    ]
    assert header[19:24] == [
        "excluded_minutes",
        "excluded_bad_minutes",
        "exclusions",
        "counted_maintenance_minutes",
        "counted_maintenance",
    ]
    assert header[24] == "ticket_clock"  # the ticket figures' columns come after these (test_ticket_figures.py)


def test_a_month_without_maintenance_says_so_and_its_csv_columns_are_empty(client, customer_a, alice):
    agreement = active_agreement(customer=customer_a, code="acme-portal", valid_from=dt.date(2026, 11, 1))
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    record_probe_minutes(target, kst(2026, 11, 2), 60, bad=range(3))
    evaluate(target, CLOSED)

    html = get(client, alice, REPORT).text
    (row,) = csv_rows(get(client, alice, CSV_URL))

    assert 'id="report-excluded-none"' in html
    assert 'id="report-excluded"' not in html
    assert "Maintenance or exclusion" not in html  # the outages carry no such column when nothing was excluded
    assert [row[key] for key in ("excluded_minutes", "excluded_bad_minutes", "exclusions")] == ["0", "0", ""]
    assert [row[key] for key in ("counted_maintenance_minutes", "counted_maintenance")] == ["0", ""]


def test_a_closed_periods_report_does_not_change_when_a_window_changes_afterwards(client, november, manager):
    page_before = table_rows(get(client, manager, REPORT).text, 'id="report-excluded"')
    csv_before = get(client, manager, CSV_URL).content

    # Afterwards the first window is cancelled and renamed, the second re-approved in time, the exclusion deleted;
    # a later evaluation does not touch the frozen month.
    MaintenanceWindow.objects.filter(title="Database upgrade").update(
        status=MaintenanceStatus.CANCELLED, title="Renamed"
    )
    MaintenanceWindow.objects.filter(title="Network switch").update(approved_at=kst(2026, 11, 1))
    Exclusion.objects.all().delete()
    evaluate(november, CLOSED + dt.timedelta(days=2))

    assert table_rows(get(client, manager, REPORT).text, 'id="report-excluded"') == page_before
    assert get(client, manager, CSV_URL).content == csv_before


def test_a_customer_does_not_read_the_title_of_a_window_kept_from_customers(client, november, alice, manager):
    MaintenanceWindow.objects.filter(title="Database upgrade").update(customer_visible=False)

    customers = table_rows(get(client, alice, REPORT).text, 'id="report-excluded"')
    managers = table_rows(get(client, manager, REPORT).text, 'id="report-excluded"')
    (row,) = csv_rows(get(client, alice, CSV_URL))

    assert customers[0][4] == "Planned maintenance"
    assert managers[0][4] == "Maintenance “Database upgrade”"
    assert row["exclusions"].startswith("2026-11-10T02:00+09:00/2026-11-10T04:00+09:00 maintenance; ")
    assert "Database upgrade" not in get(client, alice, REPORT).text


# --- the drill-down ------------------------------------------------------------------------------------------------


def test_the_drill_down_marks_the_minutes_that_did_not_count_and_says_how_many(client, november, alice):
    html = get(client, alice, TARGET + "bad-minutes/?day=2026-11-27").text

    total = html.split('id="excluded-total">', 1)[1].split("</p>", 1)[0]
    assert " ".join(total.split()) == (
        "Of 25 bad minutes, 10 did not count: they lay in maintenance or an agreed exclusion (marked below)."
    )
    assert table_rows(html, 'id="outages"') == [
        ["27 Nov 2026, 01:00 KST", "01:10", "10 min", "0 / 10", "Not counted — Maintenance “Storage migration”"],
        [
            "27 Nov 2026, 02:30 KST",
            "02:45",
            "15 min",
            "0 / 15",
            "Counted: over the monthly maintenance cap — Maintenance “Storage migration”",
        ],
    ]
    minutes = table_rows(html, 'id="bad-minutes"')
    assert len(minutes) == 25
    assert minutes[0] == ["01:00", "0", "1", "Not counted — Maintenance “Storage migration”"]
    assert minutes[-1] == [
        "02:44",
        "0",
        "1",
        "Counted: over the monthly maintenance cap — Maintenance “Storage migration”",
    ]
    assert html.count("data-excluded") == 1 + 10  # the outage and its ten minutes


def test_the_drill_down_of_a_day_in_an_exclusion_names_its_reason(client, november, alice):
    html = get(client, alice, TARGET + "bad-minutes/?day=2026-11-25").text
    assert table_rows(html, 'id="outages"') == [
        [
            "25 Nov 2026, 10:00 KST",
            "10:20",
            "20 min",
            "0 / 20",
            "Not counted — Excluded, caused by the customer: Customer's firewall change",
        ]
    ]
    assert "Of 20 bad minutes, 20 did not count" in html


def test_a_day_not_evaluated_yet_is_marked_by_the_windows_as_they_stand(client, customer_a, alice):
    agreement = active_agreement(
        customer=customer_a, code="acme-portal", valid_from=dt.date(2026, 11, 1), maintenance_cap_minutes=240
    )
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    approved_window(agreement.services.first(), kst(2026, 11, 10, 2), 120, 7, "Database upgrade")
    record_probe_minutes(target, kst(2026, 11, 10), 1440, bad=range(130, 135))
    assert not ComplianceSnapshot.objects.exists()

    html = get(client, alice, TARGET + "bad-minutes/?day=2026-11-10").text

    assert table_rows(html, 'id="outages"')[0][-1] == "Not counted — Maintenance “Database upgrade”"


# --- grey bands on the time charts ---------------------------------------------------------------------------------


def bands(chart):
    return [
        (shape["x0"], shape["x1"], shape["name"], shape["showlegend"], shape["fillcolor"])
        for shape in chart["layout"]["shapes"]
    ]


GREY, CLEAR = "#adb5bd", "rgba(0,0,0,0)"
# November's days are categories 0 (1 Nov) .. 29 (30 Nov), day n drawn from n - 0.5 to n + 0.5: 10 Nov 02:00 is
# 9 - 0.5 + 2/24 = 8.5833.
DAY_BANDS = [
    (8.5833, 8.6667, "Maintenance (not counted)", True, GREY),
    (18.5417, 18.625, "Maintenance that counted", True, CLEAR),
    (23.9167, 23.9375, "Excluded: caused by the customer", True, GREY),
    (25.5, 25.5833, "Maintenance (not counted)", False, GREY),
    (25.5833, 25.625, "Maintenance that counted", False, CLEAR),
]


def test_the_daily_charts_draw_the_periods_excluded_time_as_grey_bands_behind_the_data(client, november, alice):
    html = get(client, alice, TARGET + "?period=2026-11").text

    for figure_id in ("daily-bars-figure", "burn-down-figure"):
        chart = figure(html, figure_id)
        assert bands(chart) == DAY_BANDS, figure_id
        assert {(shape["layer"], shape["yref"], shape["y0"], shape["y1"]) for shape in chart["layout"]["shapes"]} == {
            ("below", "paper", 0, 1)
        }
    assert len(figure(html, "daily-bars-figure")["data"][0]["x"]) == 30


def test_the_target_page_lists_the_periods_maintenance_and_exclusions(client, november, alice):
    html = get(client, alice, TARGET + "?period=2026-11").text
    assert table_rows(html, 'id="excluded-intervals"') == [
        [row[0], row[1], row[2], f"{row[3]} · bad minutes of the day", row[4]] for row in EXCLUDED_ROWS
    ]
    assert f'href="{TARGET}bad-minutes/?day=2026-11-27"' in html


def test_a_period_without_maintenance_draws_no_band(client, customer_a, alice):
    agreement = active_agreement(customer=customer_a, code="acme-portal", valid_from=dt.date(2026, 11, 1))
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    record_probe_minutes(target, kst(2026, 11, 2), 60, bad=range(3))
    evaluate(target, CLOSED)

    html = get(client, alice, TARGET + "?period=2026-11").text

    assert "shapes" not in figure(html, "daily-bars-figure")["layout"]
    assert 'id="excluded-time"' not in html


def test_the_indicator_history_draws_the_bands_at_their_local_times(client, november, alice):
    code = november.indicator_link.indicator.code
    html = get(client, alice, f"/indicators/{code}/?range=30d").text
    chart = figure(html, "good-share-figure")
    assert bands(chart) == [
        ("2026-11-10 02:00", "2026-11-10 04:00", "Maintenance (not counted)", True, GREY),
        ("2026-11-20 01:00", "2026-11-20 03:00", "Maintenance that counted", True, CLEAR),
        ("2026-11-25 10:00", "2026-11-25 10:30", "Excluded: caused by the customer", True, GREY),
        ("2026-11-27 00:00", "2026-11-27 02:00", "Maintenance (not counted)", False, GREY),
        ("2026-11-27 02:00", "2026-11-27 03:00", "Maintenance that counted", False, CLEAR),
    ]


# --- in maintenance ------------------------------------------------------------------------------------------------

IN_WINDOW = kst(2026, 11, 16, 2, 30)


@pytest.fixture
def in_maintenance(customer_a, time_machine):
    """Uptime evaluated at 16 Nov 02:30, inside a window 02:00-04:00 announced a week ahead; "api" (another service
    of the same agreement) burning at the same instant."""
    time_machine.move_to(IN_WINDOW, tick=False)
    agreement = active_agreement(
        customer=customer_a,
        code="acme-portal",
        valid_from=dt.date(2026, 11, 1),
        maintenance_notice_days=5,
        maintenance_cap_minutes=240,
    )
    target = measured_target(agreement=agreement, code="uptime", name="Uptime")
    approved_window(agreement.services.first(), kst(2026, 11, 16, 2), 120, 7, "Database upgrade")
    record_probe_minutes(target, NOVEMBER, 15 * 1440 + 150, bad=range(15 * 1440 + 120, 15 * 1440 + 150))
    evaluate(target, IN_WINDOW)
    return target


BADGE = '<span class="badge activity-in_maintenance text-bg-info"'


def test_a_target_in_maintenance_carries_the_badge_on_its_page_and_the_agreement_page(client, in_maintenance, alice):
    assert snapshot(in_maintenance).in_maintenance
    page = get(client, alice, TARGET).text
    summary = page.split('id="period-summary"', 1)[1].split("</div></div></div>", 1)[0]
    assert BADGE in summary
    assert ">In maintenance</span>" in summary
    agreement_page = get(client, alice, in_maintenance.agreement.get_absolute_url()).text
    assert agreement_page.count(BADGE) == 1


def test_the_customer_dashboard_and_the_overview_show_the_badge_on_the_targets_row(
    client, in_maintenance, alice, manager
):
    dashboard = get(client, alice, "/customers/acme/dashboard/").text
    row = dashboard.split('id="row-acme-portal-uptime"', 1)[1].split("</tr>", 1)[0]
    assert BADGE in row
    overview = get(client, manager, "/overview/").text
    rows = overview.split('id="overview-targets"', 1)[1].split("</table>", 1)[0]
    assert rows.count(BADGE) == 1


def test_the_badge_is_in_korean_too(client, in_maintenance, alice):
    client.force_login(alice)
    html = client.get(TARGET, HTTP_ACCEPT_LANGUAGE="ko").text
    assert ">유지보수 중</span>" in html


def test_the_fastest_burning_list_leaves_a_target_in_maintenance_out(client, in_maintenance, manager):
    agreement = in_maintenance.agreement
    other = ServiceFactory()  # no maintenance there
    agreement.services.add(other)
    burning = TargetFactory(agreement=agreement, code="api", name="API answers")
    TargetIndicator.objects.create(target=burning, indicator=ThresholdIndicatorFactory(service=other))
    record_probe_minutes(burning, NOVEMBER, 15 * 1440 + 150)
    evaluate(burning, IN_WINDOW)
    assert not snapshot(burning).in_maintenance
    # Both as fast as each other: only the target not in maintenance is burning.
    ComplianceSnapshot.objects.filter(is_current=True).update(fastest_burn=Decimal(20), fastest_burn_window=60)

    listed = list_items(get(client, manager, "/overview/").text, "fastest-burning")

    assert listed == ["acme-portal · API answers 20.0× over 1 h"]


def test_a_running_periods_band_stops_at_now_where_its_data_stops(client, in_maintenance, alice):
    # 16 Nov (category 15) from 02:00 to now, 02:30; the window goes on until 04:00.
    chart = figure(get(client, alice, TARGET).text, "burn-down-figure")
    assert bands(chart) == [(14.5833, 14.6042, "Maintenance (not counted)", True, GREY)]
    assert chart["layout"]["xaxis"]["range"] == [-0.5, 15.5]  # each day as wide as under the bars


def test_a_closed_or_finished_period_shows_no_badge(client, november, alice):
    assert BADGE not in get(client, alice, TARGET + "?period=2026-11").text
