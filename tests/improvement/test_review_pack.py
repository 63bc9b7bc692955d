"""The service review pack of a customer and period (/customers/<code>/review-pack/?period=2026-11 or 2026-Q4), and
its CSV: compliance as the SLA report has it, breaches, credits, the customer's plans with their actions done,
satisfaction results of the period's surveys and open requirements.

The scene: Acme's portal SLA (1,000,000 KRW a month) has an "uptime" probe target (99.9 %, 10 % credit under
99.9 %), up all of October and down 5 of 1,000 minutes in November (99.5 %: breached, 100,000 KRW credit),
evaluated at 1 December 2026 01:00 in Seoul.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from agreements.choices import AgreementKind
from agreements.models import Underpinning
from improvement.choices import ActionStatus, PlanStatus
from monitoring import windows
from requirements_analysis.choices import RequirementStatus
from tests.factories import AgreementFactory, CreditTierFactory, CustomerFactory, UserFactory
from tests.improvement.factories import ActionFactory, PlanFactory, RequirementFactory, plan_in, survey_answers
from tests.monitoring.evaluation_helpers import active_agreement, evaluate, kst, measured_target, record_probe_minutes
from tests.monitoring.factories import table_rows

pytestmark = pytest.mark.django_db
PACK = "/customers/acme/review-pack/"
PACK_CSV = "/customers/acme/review-pack.csv"


@pytest.fixture
def portal(customer_a):
    agreement = active_agreement(code="acme-portal", customer=customer_a, title="Acme portal")
    uptime = measured_target(agreement=agreement, code="uptime", name="Uptime")
    CreditTierFactory(target=uptime, below_attainment=Decimal("99.9"), credit_percent=Decimal("10"))
    record_probe_minutes(uptime, kst(2026, 10, 2), 1000)
    record_probe_minutes(uptime, kst(2026, 11, 2), 1000, bad=range(5))
    evaluate(uptime, kst(2026, 12, 1, 1))
    return agreement


@pytest.fixture
def service(portal):
    return portal.services.get()


@pytest.fixture
def plans(portal, service, customer_a, customer_b):
    fix = plan_in(PlanStatus.IN_PROGRESS, title="Stop November outages", customer=customer_a, services=[service])
    ActionFactory(plan=fix, status=ActionStatus.DONE, completion_note="Root cause found.")
    ActionFactory(plan=fix)
    ActionFactory(plan=fix, status=ActionStatus.IN_PROGRESS)
    everyone = PlanFactory(title="Portal for everyone", services=[service])  # for no one customer, on A's service
    globex = AgreementFactory(customer=customer_b)
    other = PlanFactory(title="Globex warehouse", customer=customer_b, services=list(globex.services.all()))
    return {"fix": fix, "everyone": everyone, "globex": other}


@pytest.fixture
def surveys(service, customer_a, customer_b):
    return {
        "november": survey_answers(customer_a, [service], "2026-11", [[4, 5]]),
        "quarter": survey_answers(customer_a, [service], "2026-Q4", [[3, 3, 4]]),
        "october": survey_answers(customer_a, [service], "2026-10", [[2]]),
        "september": survey_answers(customer_a, [service], "2026-09", [[1]]),
        "globex": survey_answers(customer_b, [service], "2026-11", [[5]]),
    }


@pytest.fixture
def requirements(service, customer_a, customer_b):
    def requirement(statement, status=RequirementStatus.PROPOSED, customer=customer_a):
        return RequirementFactory(customer=customer, service=service, statement=statement, status=status)

    return {
        "proposed": requirement("Up on salary day"),
        "analysed": requirement("Answers within 2 seconds", RequirementStatus.ANALYSED),
        "agreed": requirement("Weekend support", RequirementStatus.AGREED),
        "rejected": requirement("Free coffee", RequirementStatus.REJECTED),
        "globex": requirement("Globex needs", customer=customer_b),
    }


@pytest.fixture
def estate(portal, plans, surveys, requirements):
    return {"plans": plans, "surveys": surveys, "requirements": requirements}


def pack_page(client, user, period="2026-11"):
    client.force_login(user)
    response = client.get(f"{PACK}?period={period}")
    assert response.status_code == 200
    return response.text


def pack_lines(client, user, period="2026-11"):
    client.force_login(user)
    response = client.get(f"{PACK_CSV}?period={period}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="review-acme-{period}.csv"'
    return list(csv.reader(io.StringIO(response.content.decode())))


def section(lines, name):
    """The lines of a section, without the section's name and the owner column (only plans have owners)."""
    return [line[1:5] for line in lines if line[0] == name]


def test_compliance_rows_are_the_sla_reports_for_the_same_month(client, manager, estate):
    lines = pack_lines(client, manager)
    report = list(csv.DictReader(io.StringIO(client.get("/agreements/acme-portal/report.csv?period=2026-11").text)))
    assert section(lines, "compliance") == [
        [f"{row['agreement']}/{row['target']}", row["month"], row["attainment_percent"], row["status"]]
        for row in report
    ]
    assert section(lines, "compliance") == [["acme-portal/uptime", "2026-11", "99.5", "breached"]]
    rows = table_rows(pack_page(client, manager), "pack-compliance")
    assert rows == [["acme-portal", "Uptime", "2026-11", "99.9 %", "99.500 %", "Breached"]]


def test_a_quarter_has_a_compliance_row_per_month(client, manager, estate):
    lines = pack_lines(client, manager, "2026-Q4")
    assert section(lines, "compliance") == [
        ["acme-portal/uptime", "2026-10", "100", "met"],
        ["acme-portal/uptime", "2026-11", "99.5", "breached"],
        ["acme-portal/uptime", "2026-12", "", "no_data"],
    ]


def test_the_pack_lists_the_periods_breaches_and_credits(client, manager, estate):
    page = pack_page(client, manager)
    assert "acme-portal · Uptime · 2026-11 · Period ended under the objective" in page
    assert '<span id="pack-credits">100,000 KRW</span>' in page
    lines = pack_lines(client, manager)
    assert section(lines, "breach") == [["acme-portal/uptime", "2026-11", "period_missed", ""]]
    assert section(lines, "credits") == [["acme", "2026-11", "100000", "KRW"]]  # the won has no minor unit
    october = pack_page(client, manager, "2026-10")
    assert "No breaches in this period." in october
    assert '<span id="pack-credits">0 KRW</span>' in october


def test_credits_in_different_currencies_are_listed_apart(client, manager, estate, customer_a):
    shop = active_agreement(code="acme-shop", customer=customer_a, currency="USD", monthly_fee=Decimal("2000"))
    uptime = measured_target(agreement=shop, code="uptime", name="Uptime")
    CreditTierFactory(target=uptime, below_attainment=Decimal("99.9"), credit_percent=Decimal("25"))
    record_probe_minutes(uptime, kst(2026, 11, 2), 1000, bad=range(5))
    evaluate(uptime, kst(2026, 12, 1, 1))
    # Each in its currency's minor unit: no decimals for the won, cents for the dollar.
    assert '<span id="pack-credits">100,000 KRW · 500.00 USD</span>' in pack_page(client, manager)
    assert section(pack_lines(client, manager), "credits") == [
        ["acme", "2026-11", "100000", "KRW"],
        ["acme", "2026-11", "500.00", "USD"],
    ]


def test_the_pack_lists_the_customers_plans_with_their_actions_done(client, manager, estate):
    fix, everyone = estate["plans"]["fix"], estate["plans"]["everyone"]
    rows = table_rows(pack_page(client, manager), "pack-plans")
    assert sorted(rows) == sorted(
        [
            [f"Stop November outages {fix.code}", "In progress", "1 / 3", "—"],
            [f"Portal for everyone {everyone.code}", "Proposed", "0 / 0", "—"],
        ]
    )
    assert sorted(section(pack_lines(client, manager), "plan")) == sorted(
        [
            [fix.code, "Stop November outages", "1/3", "in_progress"],
            [everyone.code, "Portal for everyone", "0/0", "proposed"],
        ]
    )


def test_plan_owners_are_named_by_their_full_name_or_else_their_username(client, manager, estate):
    fix, everyone = estate["plans"]["fix"], estate["plans"]["everyone"]
    fix.owner = UserFactory(username="mpark", first_name="Minsu", last_name="Park")
    fix.save()
    everyone.owner = UserFactory(username="jlee")
    everyone.save()

    owners = {row[0]: row[3] for row in table_rows(pack_page(client, manager), "pack-plans")}
    assert owners == {f"Stop November outages {fix.code}": "Minsu Park", f"Portal for everyone {everyone.code}": "jlee"}
    lines = pack_lines(client, manager)
    assert {line[1]: line[5] for line in lines if line[0] == "plan"} == {fix.code: "Minsu Park", everyone.code: "jlee"}


def test_a_plan_title_that_a_spreadsheet_would_run_is_written_as_text(client, manager, estate):
    fix = estate["plans"]["fix"]
    fix.title = '=HYPERLINK("http://x")'
    fix.save()
    assert [fix.code, '\'=HYPERLINK("http://x")', "1/3", "in_progress"] in section(pack_lines(client, manager), "plan")


def test_the_pack_shows_the_satisfaction_of_the_periods_surveys(client, manager, service, estate):
    surveys = estate["surveys"]
    lines = pack_lines(client, manager)
    assert sorted(section(lines, "satisfaction")) == [
        ["survey-acme-2026-11", service.name, "4.50", ""],
        ["survey-acme-2026-q4", service.name, "3.33", ""],
    ]
    page = pack_page(client, manager)
    assert f"<strong>{surveys['november'].title}</strong> (2026-11): 2 of 2 invited people answered." in page
    assert f"{service.name}: CSAT 4.50" in page
    quarter = section(pack_lines(client, manager, "2026-Q4"), "satisfaction")
    assert sorted(row[0] for row in quarter) == ["survey-acme-2026-10", "survey-acme-2026-11", "survey-acme-2026-q4"]


def test_the_pack_lists_the_customers_open_requirements(client, manager, service, estate):
    requirements = estate["requirements"]
    lines = pack_lines(client, manager)
    assert sorted(section(lines, "requirement")) == sorted(
        [
            [requirements["proposed"].code, service.name, "4", "proposed"],
            [requirements["analysed"].code, service.name, "4", "analysed"],
        ]
    )
    page = pack_page(client, manager)
    assert "Up on salary day" in page
    assert "Answers within 2 seconds" in page
    assert "Weekend support" not in page
    assert "Free coffee" not in page
    assert "Globex needs" not in page


def test_the_csv_has_a_header_and_its_sections_in_order(client, manager, estate):
    lines = pack_lines(client, manager)
    assert lines[0] == ["section", "item", "detail", "value", "status", "owner"]
    assert {len(line) for line in lines} == {6}
    order = [line[0] for line in lines[1:]]
    assert order == sorted(order, key=["compliance", "breach", "credits", "plan", "satisfaction", "requirement"].index)
    assert {name: order.count(name) for name in dict.fromkeys(order)} == {
        "compliance": 1,
        "breach": 1,
        "credits": 1,
        "plan": 2,
        "satisfaction": 2,
        "requirement": 2,
    }


def test_a_customer_reads_the_same_pack_of_its_own_as_the_manager(client, manager, alice, estate):
    page = pack_page(client, alice)
    assert "Service review, 2026-11" in page
    assert "Stop November outages" in page
    assert "Globex warehouse" not in page
    assert pack_lines(client, alice) == pack_lines(client, manager)


@pytest.mark.parametrize("url", [PACK, PACK_CSV])
def test_another_customers_pack_is_not_found(client, alice, bob, nobody, estate, customer_b, url):
    for person in (bob, nobody):
        client.force_login(person)
        assert client.get(f"{url}?period=2026-11").status_code == 404
    client.force_login(alice)
    assert client.get(f"{url.replace('acme', 'globex')}?period=2026-11").status_code == 404


@pytest.mark.parametrize("period", ["2026-13", "november", "2026-Q5", "garbage"])
def test_a_period_that_is_none_shows_the_page_with_the_period_fields_error(client, manager, portal, period):
    client.force_login(manager)
    response = client.get(PACK, {"period": period})

    assert response.status_code == 400
    assert f'id="pack-period" name="period" value="{period}"' in response.text
    assert f"“{period}” is not a period: give a month as YYYY-MM or a quarter as YYYY-Qn" in response.text
    assert 'id="pack-compliance"' not in response.text
    assert "<div>Acme Bank</div>" in response.text  # the customer's name heads the page
    csv_response = client.get(PACK_CSV, {"period": period})
    assert csv_response.status_code == 400
    assert csv_response.content.decode().startswith(f"“{period}” is not a period")


def test_a_period_after_the_month_running_is_refused(client, manager, portal):
    now = timezone.now()
    this_month = windows.month_label(now, settings.TIME_ZONE)
    next_month = windows.label_of(windows.MONTH, windows.first_of_month(timezone.localdate(now), 1))
    client.force_login(manager)

    response = client.get(PACK, {"period": next_month})

    assert response.status_code == 400
    assert f"{next_month} has not begun yet: the latest period is {this_month}." in response.text
    assert client.get(PACK, {"period": this_month}).status_code == 200


def test_the_pack_offers_its_csv_for_the_same_period(client, manager, portal):
    page = pack_page(client, manager, "2026-Q4")
    assert f'id="download-pack-csv" href="{PACK_CSV}?period=2026-Q4"' in page


@pytest.fixture
def ola_under_uptime(portal):
    """Acme's uptime (99.9 %) rests on the operations team's platform target (99.8 %, an internal OLA), down 3 of
    1,000 November minutes: 99.7 %, breached."""
    operations = CustomerFactory(code="operations", name="IT Operations (internal)")
    ola = active_agreement(code="ops-ola", kind=AgreementKind.OLA, customer=operations)
    platform = measured_target(agreement=ola, code="platform", name="Platform up", objective="99.8")
    record_probe_minutes(platform, kst(2026, 11, 2), 1000, bad=range(3))
    evaluate(platform, kst(2026, 12, 1, 1))
    Underpinning.objects.create(target=portal.targets.get(code="uptime"), underpinning=platform)
    return platform


def test_the_pack_lists_the_chain_under_the_agreements_with_its_findings_and_possible_causes(
    client, manager, alice, estate, ola_under_uptime
):
    lines = pack_lines(client, manager)
    reason = "Lower objective: 99.8 % against the 99.9 % it underpins, on the same kind of indicator and method."
    assert section(lines, "underpinning") == [["acme-portal/uptime > ops-ola/platform", "objective", reason, "flagged"]]
    assert section(lines, "possible cause") == [
        ["acme-portal/uptime > ops-ola/platform", "2026-11", "99.7", "period_missed"]
    ]
    rows = table_rows(pack_page(client, manager), "pack-chain")
    assert rows == [
        [
            "acme-portal · Uptime ≥ 99.9 %",
            "OLA ops-ola · Platform up ≥ 99.8 %",
            reason,
            "2026-11 · Period ended under the objective",
        ]
    ]
    # October: the link and its finding, no breach below.
    assert section(pack_lines(client, manager, "2026-10"), "possible cause") == []
    # The customer's own pack says nothing of the provider's internal OLA.
    assert [line for line in pack_lines(client, alice) if line[0] in ("underpinning", "possible cause")] == []
    assert 'id="pack-chain"' not in pack_page(client, alice)
