"""The service review pack of a customer for a period (the ITIL service review meeting): compliance, breaches,
credits, improvement plans and their progress, satisfaction results and open requirements — all read through the
lower apps' own functions, so the pack shows the numbers the reports and the API show."""

import io
from decimal import Decimal

from django.db.models import Count, Q

from agreements.models import Agreement
from core.formatting import money_amount, person_name, plain_number
from core.spreadsheets import csv_writer
from improvement.choices import ActionStatus
from improvement.models import ImprovementPlan
from monitoring.readout.reports import agreement_report
from monitoring.readout.tickets import business_minutes
from monitoring.windows import quarter_of_month
from requirements_analysis.analysis import campaign_results
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign


def review_pack(user, customer, period):
    agreements = list(Agreement.objects.for_user(user).filter(customer=customer).active().order_by("code"))
    reports = [(agreement, agreement_report(agreement, period, user)) for agreement in agreements]
    credits = {}
    for agreement, report in reports:  # agreements may bill in different currencies: never add them up
        credits[agreement.currency] = credits.get(agreement.currency, Decimal(0)) + report["credit_total"]
    breaches = [breach for _agreement, report in reports for breach in report["breaches"]]
    plans = (
        ImprovementPlan.objects.for_user(user)
        .concerning(customer)
        .annotate(
            actions_total=Count("actions", distinct=True),
            actions_done=Count("actions", filter=Q(actions__status=ActionStatus.DONE), distinct=True),
        )
        .select_related("owner")
        .order_by("status", "-created_at")
    )
    campaigns = SurveyCampaign.objects.for_user(user).filter(customer=customer, period_label__in=_labels(period))
    requirements = (
        ServiceLevelRequirement.objects.for_user(user).filter(customer=customer).open().select_related("service")
    )
    return {
        "customer": customer,
        "period": period,
        "reports": reports,
        "credits": sorted(credits.items()),
        "breaches": breaches,
        "has_tickets": any(report["tickets"] for _agreement, report in reports),
        "plans": list(plans),
        "surveys": [(campaign, campaign_results(campaign)) for campaign in campaigns],
        "requirements": list(requirements),
    }


def _labels(period):
    """Survey periods that fall in the review period: its label, its months, and the quarter of its months."""
    return {period.label, *period.months, *(quarter_of_month(month) for month in period.months)}


CSV_HEADER = ["section", "item", "detail", "value", "status", "owner"]


def review_pack_csv(pack):
    """The pack as CSV: one line per item, the first column naming its section; ``owner`` is a plan's owner by name.
    Ticket figures are one line per figure (``_ticket_lines``) of each ticket indicator, month and priority."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_HEADER)

    def line(*cells):  # every line has every column
        writer.writerow([*cells, *[""] * (len(CSV_HEADER) - len(cells))])

    for agreement, report in pack["reports"]:
        for row in report["targets"]:
            for month in row["months"]:
                target = f"{agreement.code}/{row['target'].code}"
                line("compliance", target, month["month"], month["attainment_percent"] or "", month["status"])
    for agreement, report in pack["reports"]:
        for figures in report["tickets"]:
            for row in figures.rows:
                _ticket_lines(line, f"{agreement.code}/{figures.code}/{row.priority or 'all'}", figures.label, row)
    for breach in pack["breaches"]:
        line("breach", f"{breach.target.agreement.code}/{breach.target.code}", breach.period_label, breach.kind)
    for currency, amount in pack["credits"]:
        line("credits", pack["customer"].code, pack["period"].label, money_amount(amount, currency), currency)
    for plan in pack["plans"]:
        done = f"{plan.actions_done}/{plan.actions_total}"
        line("plan", plan.code, plan.title, done, plan.status, person_name(plan.owner))
    for campaign, results in pack["surveys"]:
        # Means of the ratings given (N/A left out); a service nobody rated has an empty value, not 0.
        if results["overall"]["ratings"]:
            line("satisfaction", campaign.code, "overall", results["overall"]["mean"])
        for service in results["services"]:
            line("satisfaction", campaign.code, service["service"], "" if service["csat"] is None else service["csat"])
    for requirement in pack["requirements"]:
        line("requirement", requirement.code, requirement.service.name, requirement.importance, requirement.status)
    return buffer.getvalue()


def _ticket_lines(line, item, month, row):
    """The figures of one priority (item "agreement/indicator/P1", or ".../all") in one month: the share within goal
    (its status "within/counted"), breached, in flight, and the median and 90th-percentile business minutes."""
    share = row.share_within_goal
    counted = f"{row.within_goal}/{row.counted}"
    line("tickets_within_goal_percent", item, month, "" if share is None else plain_number(share), counted)
    line("tickets_breached", item, month, row.breached)
    line("tickets_in_flight", item, month, row.in_flight)
    line("tickets_median_business_minutes", item, month, plain_number(business_minutes(row.median)))
    line("tickets_p90_business_minutes", item, month, plain_number(business_minutes(row.p90)))
