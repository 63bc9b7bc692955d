"""SLA reports: a month or a quarter of an agreement, as a page and as CSV, with the service manager's comment.

The scene: Acme's portal SLA (1,000,000 KRW a month) since August, evaluated at NOW (16 Nov 2026 12:00 KST).
"requests" (occurrences, 99.9 %) credits 10 % under 99.9 % and 25 % under 99 %: August 99.5 % (100,000 KRW),
September 100 %, October 98 % (250,000 KRW), November running. "uptime" (a probe, timeslices, 99.9 %) credits 5 %
under 99.5 %: August 99.5 % (no credit: not under), September and October 98 % (50,000 KRW each), November running.
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils.html import escape

from monitoring.evaluation import evaluate_targets
from monitoring.models import ReportComment
from monitoring.readout.reports import CSV_HEADER, last_month_label
from tests.factories import CreditTierFactory
from tests.ladder import Rung, climb
from tests.monitoring.dashboard_helpers import NOW, agreement_since, frozen_at_now, monthly_target, table_rows
from tests.monitoring.evaluation_helpers import kst, measured_target, record_probe_minutes

pytestmark = pytest.mark.django_db
D = Decimal
REPORT = "/agreements/acme-portal/report/"
CSV_URL = "/agreements/acme-portal/report.csv"
COMMENT = "/agreements/acme-portal/report/comment/"


@pytest.fixture(autouse=True)
def now(time_machine):
    yield from frozen_at_now(time_machine)


def portal(customer, at=NOW):
    agreement = agreement_since("2026-08", customer=customer, code="acme-portal", title="Acme portal")
    requests = monthly_target(
        agreement,
        {"2026-08": (995, 1000), "2026-09": (1000, 1000), "2026-10": (98, 100), "2026-11": (99_960, 100_000)},
        code="requests",
        name="Requests",
    )
    CreditTierFactory(target=requests, below_attainment=D("99.9"), credit_percent=D("10"))
    CreditTierFactory(target=requests, below_attainment=D("99"), credit_percent=D("25"))
    uptime = measured_target(agreement=agreement, code="uptime", name="Uptime")
    CreditTierFactory(target=uptime, below_attainment=D("99.5"), credit_percent=D("5"))
    for month, down in ((8, range(5)), (9, range(20)), (10, range(20)), (11, range(35))):
        record_probe_minutes(uptime, kst(2026, month, 2), 1000, bad=down)
    evaluate_targets([requests.pk, uptime.pk], at)
    return agreement


@pytest.fixture
def acme_portal(customer_a):
    return portal(customer_a)


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(REPORT + query)
    assert response.status_code == 200
    return response.text


def targets_table(html):
    return table_rows(html, 'id="report-targets"')


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- who may read and comment --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [REPORT, REPORT + "?period=2026-Q4", CSV_URL, CSV_URL + "?period=2026-10"])
def test_the_report_and_its_csv_climb_the_permission_ladder(client, agreement_a, alice, bob, manager, url):
    climb(client, Rung(url.replace("acme-portal", "acme-sla")), owner=alice, outsider=bob, manager=manager)


def test_only_the_service_manager_may_comment(client, agreement_a, alice, bob, manager):
    # A manager's empty comment removes nothing and is sent back to the report: 302.
    rung = Rung(COMMENT.replace("acme-portal", "acme-sla"), write=True, method="post")
    climb(client, rung, owner=alice, outsider=bob, manager=manager, allowed_status=302)


# --- periods -------------------------------------------------------------------------------------------------------


def test_a_month_and_a_quarter_are_report_periods(client, acme_portal, alice):
    assert "Service level report, 2026-11" in page(client, alice, "?period=2026-11")
    assert "Service level report, 2026-Q4" in page(client, alice, "?period=2026-Q4")


def test_the_report_is_of_last_month_by_default(client, acme_portal, alice):
    html = page(client, alice)
    assert "Service level report, 2026-10" in html
    assert 'href="/agreements/acme-portal/report.csv?period=2026-10"' in html
    assert last_month_label(kst(2027, 1, 5)) == "2026-12"


def test_an_agreement_that_came_into_force_this_month_reports_this_month_by_default(client, customer_a, alice):
    agreement_since("2026-11", customer=customer_a, code="acme-new")
    client.force_login(alice)
    response = client.get("/agreements/acme-new/report/")
    assert response.status_code == 200
    assert "Service level report, 2026-11" in response.text


def refused(client, user, period, url=REPORT):
    """The report page asked for a period it refuses: 400, the period as typed, its reason, and no figures."""
    client.force_login(user)
    response = client.get(url, {"period": period})
    assert response.status_code == 400
    html = response.text
    assert f'name="period" value="{escape(period)}"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="report-targets"' not in html
    assert 'id="download-csv"' not in html
    return html


def period_error(html):
    return re.search(r'<div class="alert alert-danger[^"]*" role="alert" id="period-error">(.*?)</div>', html).group(1)


@pytest.mark.parametrize(
    "period", ["garbage", "2026-13", "2026-Q5", "26-11", "2026-11-01", "November", "0000-01", "9999-12", "2026-1"]
)
def test_a_period_that_is_none_shows_the_page_with_the_period_fields_error(client, acme_portal, alice, period):
    html = refused(client, alice, period)

    expected = f"“{period}” is not a period: give a month as YYYY-MM or a quarter as YYYY-Qn, such as 2026-10 or "
    expected += "2026-Q4."
    assert period_error(html) == escape(expected)
    assert "Service level report</h1>" in html
    assert "Acme portal (acme-portal," in html
    csv_response = client.get(CSV_URL, {"period": period})
    assert (csv_response.status_code, csv_response["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert csv_response.content.decode() == expected


def test_a_period_after_the_month_running_is_refused_and_this_month_is_shown_so_far(client, acme_portal, alice):
    for future in ("2026-12", "2027-Q1", "2099-01"):
        expected = f"{future} has not begun yet: the latest period is 2026-11."
        assert period_error(refused(client, alice, future)) == expected
    assert "Service level report, 2026-11" in page(client, alice, "?period=2026-11")  # the month running: so far
    assert "Service level report, 2026-Q4" in page(client, alice, "?period=2026-Q4")


def test_a_period_before_the_agreement_or_after_its_end_is_refused(client, acme_portal, alice):
    expected = "The agreement came into force in 2026-08: choose 2026-08 or a later period."
    assert period_error(refused(client, alice, "2026-07")) == expected
    assert period_error(refused(client, alice, "2026-Q2")) == expected
    assert "Service level report, 2026-Q3" in page(client, alice, "?period=2026-Q3")  # August is in it

    acme_portal.valid_to = dt.date(2026, 10, 1)
    acme_portal.save()
    expected = "The agreement ended in 2026-10: choose 2026-10 or an earlier period."
    assert period_error(refused(client, alice, "2026-11")) == expected
    assert "Service level report, 2026-10" in page(client, alice, "?period=2026-10")


def test_a_comment_for_a_period_that_is_none_is_refused_and_stores_nothing(client, acme_portal, manager):
    client.force_login(manager)
    response = client.post(COMMENT, {"period": "2026-13", "text": "Fine."})
    assert response.status_code == 400
    assert "is not a period" in response.content.decode()
    assert not ReportComment.objects.exists()


# --- what it says --------------------------------------------------------------------------------------------------


def test_a_month_report_shows_each_targets_results_and_the_credits_due(client, acme_portal, alice):
    html = page(client, alice, "?period=2026-10")

    assert targets_table(html) == [
        ["Requests", "99.9 %", "98.000 %", "Breached", "2 / 0 events", "250,000 KRW (25 %)"],
        ["Uptime", "99.9 %", "98.000 %", "Breached", "20.0 / 44.6 min", "50,000 KRW (5 %)"],
    ]
    assert '<span id="credit-total">300,000 KRW</span>' in html


@pytest.mark.parametrize("month", ["2026-09", "2026-10", "2026-11"])
def test_the_reports_numbers_are_the_compliance_apis(client, acme_portal, alice, month):
    client.force_login(alice)
    body = client.get(f"/api/v1/agreements/acme-portal/compliance?period={month}").json()
    api = {row["code"]: row for row in body["targets"]}
    exported = {row["target"]: row for row in csv_rows(client.get(CSV_URL + f"?period={month}"))}
    shown = {row[0]: row for row in targets_table(page(client, alice, f"?period={month}"))}

    assert set(api) == set(exported) == {"requests", "uptime"}
    for code, target in api.items():
        row, budget, credit = exported[code], target["error_budget"], target["credit"]
        assert (row["attainment_percent"], row["status"], row["objective_percent"]) == (
            target["attainment_percent"],
            target["status"],
            target["objective_percent"],
        )
        assert (row["budget_unit"], row["budget_total"], row["budget_consumed"], row["budget_remaining"]) == (
            budget["unit"],
            budget["total"],
            budget["consumed"],
            budget["remaining"],
        )
        assert (row["credit_percent"], row["credit_amount"], row["currency"]) == (
            credit["percent"],
            credit["amount"],
            credit["currency"],
        )
        assert row["closed"] == ("yes" if target["period"]["closed"] else "no")
        on_page = shown[target["name"]]
        assert on_page[2] == f"{D(target['attainment_percent']):.3f} %"
        assert (
            on_page[3]
            == {"met": "Met", "on_track": "On track", "breached": "Breached", "at_risk": "At risk"}[target["status"]]
        )
        if target["period"]["closed"]:
            assert on_page[5] == f"{int(D(credit['amount'])):,} {credit['currency']} ({credit['percent']} %)"
        else:
            assert on_page[5] == "period still open"


def test_a_quarter_of_monthly_targets_has_a_row_per_target_and_month(client, acme_portal, alice):
    html = page(client, alice, "?period=2026-Q4")

    assert targets_table(html) == [
        ["Requests", "2026-10", "99.9 %", "98.000 %", "Breached", "2 / 0 events", "250,000 KRW (25 %)"],
        ["", "2026-11", "99.9 %", "99.960 %", "On track", "40 / 100 events", "period still open"],
        ["", "2026-12", "99.9 %", "—", "No data", "—", "—"],
        ["Uptime", "2026-10", "99.9 %", "98.000 %", "Breached", "20.0 / 44.6 min", "50,000 KRW (5 %)"],
        ["", "2026-11", "99.9 %", "96.500 %", "At risk", "35.0 / 43.2 min", "period still open"],
        ["", "2026-12", "99.9 %", "—", "No data", "—", "—"],
    ]
    assert '<span id="credit-total">300,000 KRW</span>' in html


def test_a_quarter_sums_the_credits_of_its_closed_months(client, acme_portal, alice):
    # August: requests 100,000; September: uptime 50,000; July was before the agreement.
    html = page(client, alice, "?period=2026-Q3")
    assert [row[1] for row in targets_table(html)] == ["2026-07", "2026-08", "2026-09"] * 2
    assert '<span id="credit-total">150,000 KRW</span>' in html


def test_a_month_not_yet_closed_credits_nothing_in_the_total(client, customer_a, alice):
    # Five minutes into November, October has ended but late data may still arrive: its snapshot is not closed.
    portal(customer_a, at=kst(2026, 11, 1, 0, 5))

    html = page(client, alice, "?period=2026-Q4")

    assert targets_table(html)[0][-1] == "period still open"
    assert '<span id="credit-total">0 KRW</span>' in html


def test_the_breaches_of_the_period_are_listed_with_their_bad_time(client, acme_portal, alice):
    breaches = table_rows(page(client, alice, "?period=2026-10"), 'id="report-breaches"')

    assert [row[:5] for row in breaches] == [
        ["Requests", "2026-10", "Period ended under the objective", "98.000 %", "2 events"],
        ["Uptime", "2026-10", "Period ended under the objective", "98.000 %", "20.0 min"],
    ]


def test_a_period_without_breaches_says_so(client, acme_portal, alice):
    breaches = table_rows(page(client, alice, "?period=2026-11"), 'id="report-breaches"')
    assert breaches == [["No breaches in this period."]]


# --- CSV -----------------------------------------------------------------------------------------------------------


def test_the_csv_has_a_line_per_target_and_month_in_plain_decimals(client, acme_portal, manager):
    client.force_login(manager)
    response = client.get(CSV_URL + "?period=2026-Q4")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme-portal-2026-Q4.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0] == ",".join(CSV_HEADER)
    rows = csv_rows(response)
    assert [(row["target"], row["month"]) for row in rows] == [
        (code, month) for code in ("requests", "uptime") for month in ("2026-10", "2026-11", "2026-12")
    ]
    requests_october, uptime_november = rows[0], rows[4]
    assert requests_october == {
        **requests_october,
        "agreement": "acme-portal",
        "customer": "Acme Bank",
        "report_period": "2026-Q4",
        "objective_percent": "99.9",
        "attainment_percent": "98",
        "status": "breached",
        "budget_unit": "events",
        "budget_total": "0.1",  # 0.001 x 100 events
        "budget_consumed": "2",
        "budget_remaining": "-19",
        "credit_percent": "25",
        "credit_amount": "250000",
        "currency": "KRW",
        "closed": "yes",
    }
    assert (uptime_november["attainment_percent"], uptime_november["budget_total"]) == ("96.5", "43.2")
    assert (uptime_november["budget_remaining"], uptime_november["closed"]) == ("0.189814814815", "no")
    assert (rows[2]["status"], rows[2]["attainment_percent"], rows[2]["budget_total"]) == ("no_data", "", "")


def test_a_name_that_a_spreadsheet_would_run_is_written_as_text(client, acme_portal, manager):
    acme_portal.customer.name = '=HYPERLINK("http://x")'
    acme_portal.customer.save()
    client.force_login(manager)
    rows = csv_rows(client.get(CSV_URL + "?period=2026-Q4"))
    assert {row["customer"] for row in rows} == {'\'=HYPERLINK("http://x")'}
    assert rows[0]["budget_remaining"] == "-19"  # a negative number is still a number


def test_the_customer_downloads_their_own_report(client, acme_portal, alice):
    client.force_login(alice)
    response = client.get(CSV_URL + "?period=2026-10")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-portal-2026-10.csv"'
    assert {row["agreement"] for row in csv_rows(response)} == {"acme-portal"}


# --- the service manager's comment ---------------------------------------------------------------------------------


def comment_of(html):
    return html.split('<section class="mb-4 report-comment">', 1)[1].split("</section>", 1)[0]


def test_the_managers_comment_is_saved_shown_replaced_and_removed(client, acme_portal, manager, alice):
    client.force_login(manager)
    response = client.post(COMMENT, {"period": "2026-10", "text": "October's outage: the card processor."})
    assert response.status_code == 302
    assert response["Location"] == REPORT + "?period=2026-10"
    saved = ReportComment.objects.get(agreement=acme_portal, period_label="2026-10")
    assert (saved.text, saved.author) == ("October's outage: the card processor.", manager)

    shown = comment_of(page(client, alice, "?period=2026-10"))
    assert "October&#x27;s outage: the card processor." in shown
    assert "Minsu Park" in shown
    assert "No comments." in comment_of(page(client, alice, "?period=2026-Q4"))  # a comment is of one period

    client.force_login(manager)
    client.post(COMMENT, {"period": "2026-10", "text": "Fixed by the new contract."})
    assert list(ReportComment.objects.values_list("text", flat=True)) == ["Fixed by the new contract."]

    client.post(COMMENT, {"period": "2026-10", "text": "   "})
    assert not ReportComment.objects.exists()
    assert "No comments." in comment_of(page(client, manager, "?period=2026-10"))


def test_the_customer_sees_the_comment_but_has_no_form_and_cannot_post(client, acme_portal, manager, alice):
    ReportComment.objects.create(agreement=acme_portal, period_label="2026-10", text="Noted.", author=manager)
    client.force_login(alice)

    shown = comment_of(page(client, alice, "?period=2026-10"))
    response = client.post(COMMENT, {"period": "2026-10", "text": "Not good enough."})

    assert "Noted." in shown
    assert "<form" not in shown
    assert response.status_code == 403
    assert list(ReportComment.objects.values_list("text", flat=True)) == ["Noted."]
    assert "<form" in comment_of(page(client, manager, "?period=2026-10"))


def test_the_report_and_its_csv_list_outages_as_intervals_in_the_calendars_zone(client, acme_portal, manager):
    shown = table_rows(page(client, manager, "?period=2026-Q4"), 'id="report-outages"')
    assert shown == [
        ["Uptime", "2 Oct 2026, 00:00 KST", "00:20", "20 min", "0 / 20"],
        ["Requests", "15 Oct 2026, 12:00 KST", "12:01", "1 min", "98 / 100"],  # its one sample of October
        ["Uptime", "2 Nov 2026, 00:00 KST", "00:35", "35 min", "0 / 35"],
        ["Requests", "15 Nov 2026, 12:00 KST", "12:01", "1 min", "99,960 / 100,000"],
    ]

    rows = csv_rows(client.get(CSV_URL + "?period=2026-Q4"))
    uptime = {row["month"]: (row["bad_minutes"], row["outages"]) for row in rows if row["target"] == "uptime"}
    assert uptime == {
        "2026-10": ("20", "2026-10-02T00:00+09:00/2026-10-02T00:20+09:00"),
        "2026-11": ("35", "2026-11-02T00:00+09:00/2026-11-02T00:35+09:00"),
        "2026-12": ("0", ""),
    }
