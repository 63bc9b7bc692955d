"""The service review pack of a customer for a period (the ITIL service review meeting): compliance, breaches,
credits, improvement plans and their progress, satisfaction results and open requirements — all read through the
lower apps' own functions, so the pack shows the numbers the reports and the API show."""

import io
from decimal import Decimal

from django.db.models import Count, Q

from agreements.models import Agreement
from core.formatting import money_amount
from core.spreadsheets import csv_writer
from improvement.choices import ActionStatus
from improvement.models import ImprovementPlan
from monitoring.readout.reports import agreement_report
from monitoring.windows import quarter_of_month
from requirements_analysis.analysis import campaign_results
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign


def review_pack(user, customer, period):
    agreements = list(Agreement.objects.for_user(user).filter(customer=customer).active().order_by("code"))
    reports = [(agreement, agreement_report(agreement, period)) for agreement in agreements]
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
        "plans": list(plans),
        "surveys": [(campaign, campaign_results(campaign)) for campaign in campaigns],
        "requirements": list(requirements),
    }


def _labels(period):
    """Survey periods that fall in the review period: its label, its months, and the quarter of its months."""
    return {period.label, *period.months, *(quarter_of_month(month) for month in period.months)}


def review_pack_csv(pack):
    """The pack as CSV: one line per item, the first column naming its section."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["section", "item", "detail", "value", "status"])
    for agreement, report in pack["reports"]:
        for row in report["targets"]:
            for month in row["months"]:
                writer.writerow(
                    [
                        "compliance",
                        f"{agreement.code}/{row['target'].code}",
                        month["month"],
                        month["attainment_percent"] or "",
                        month["status"],
                    ]
                )
    for breach in pack["breaches"]:
        writer.writerow(
            ["breach", f"{breach.target.agreement.code}/{breach.target.code}", breach.period_label, breach.kind, ""]
        )
    for currency, amount in pack["credits"]:
        amount = money_amount(amount, currency)
        writer.writerow(["credits", pack["customer"].code, pack["period"].label, amount, currency])
    for plan in pack["plans"]:
        writer.writerow(["plan", plan.code, plan.title, f"{plan.actions_done}/{plan.actions_total}", plan.status])
    for campaign, results in pack["surveys"]:
        # Means of the ratings given (N/A left out); a service nobody rated has an empty value, not 0.
        if results["overall"]["ratings"]:
            writer.writerow(["satisfaction", campaign.code, "overall", results["overall"]["mean"], ""])
        for service in results["services"]:
            csat = "" if service["csat"] is None else service["csat"]
            writer.writerow(["satisfaction", campaign.code, service["service"], csat, ""])
    for requirement in pack["requirements"]:
        writer.writerow(
            ["requirement", requirement.code, requirement.service.name, requirement.importance, requirement.status]
        )
    return buffer.getvalue()
