"""Service requirements analysis: each service's measured record (from monitoring), requirement and service scores,
the Importance-Performance Analysis points, satisfaction results and watermelon flags.

Every reader takes the viewing user and goes through `.for_user()`; each runs a fixed number of queries. A survey
rating left "not applicable" (NULL) is left out of every mean and count of ratings (``scoring.mean_rating``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from agreements.models import Service
from monitoring import slo
from monitoring.choices import SnapshotStatus
from monitoring.models import ComplianceSnapshot
from requirements_analysis import scoring
from requirements_analysis.choices import OPEN_STATUSES, Category, RequirementStatus
from requirements_analysis.models import (
    CategoryRating,
    PriorityWeights,
    ServiceLevelRequirement,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)

ONE = Decimal(1)


@dataclass
class Record:
    """A service's last closed periods, over every target measuring it (for one customer, or all)."""

    periods: int = 0
    breaches: int = 0
    spent: list = field(default_factory=list)  # each period's share of error budget used
    current_breached: bool = False

    @property
    def budget_spent(self):
        return scoring.mean(self.spent)

    @property
    def sla_met(self):
        """True when no recent period breached, False when one did, None without any result."""
        if not self.periods and not self.current_breached:
            return None
        return self.breaches == 0 and not self.current_breached


def service_records(user, service_ids, customer_id=None, periods=3):
    """{service id: Record} from each measuring target's last ``periods`` closed snapshots and its current one."""
    snapshots = ComplianceSnapshot.objects.for_user(user).filter(
        target__indicator_link__indicator__service_id__in=service_ids
    )
    if customer_id is not None:
        snapshots = snapshots.filter(target__agreement__customer_id=customer_id)
    # A closed period with no data at all has no result: it is neither met nor breached, and counting it would make a
    # service that was never measured look like one that always meets its SLA.
    closed = (
        snapshots.filter(is_closed=True)
        .exclude(status=SnapshotStatus.NO_DATA)
        .annotate(rank=Window(RowNumber(), partition_by=F("target_id"), order_by=F("period_start").desc()))
        .filter(rank__lte=periods)
        .values("target__indicator_link__indicator__service_id", "status", "budget_remaining")
    )
    records = defaultdict(Record)
    for row in closed:
        record = records[row["target__indicator_link__indicator__service_id"]]
        record.periods += 1
        record.breaches += row["status"] == SnapshotStatus.BREACHED
        if row["budget_remaining"] is not None:
            # Each period's share of budget used, capped at all of it: one disastrous month counts as one spent
            # budget, not as three.
            record.spent.append(min(ONE, max(Decimal(0), ONE - row["budget_remaining"])))
    current = snapshots.filter(is_current=True, status=SnapshotStatus.BREACHED).values_list(
        "target__indicator_link__indicator__service_id", flat=True
    )
    for service_id in current:
        records[service_id].current_breached = True
    return records


def _score(weights, record, importance, performance, tier):
    return scoring.score(
        weights,
        importance=importance,
        performance=performance,
        tier=tier,
        breaches=record.breaches,
        periods=record.periods,
        budget_spent=record.budget_spent,
    )


def requirement_scores(user, requirements, weights=None):
    """[(requirement, Score)] best first; ``requirements`` a queryset (already for_user)."""
    weights_row = weights or PriorityWeights.current()
    rows = list(requirements.select_related("customer", "service"))
    records = {}
    for customer_id in {row.customer_id for row in rows}:
        services = {row.service_id for row in rows if row.customer_id == customer_id}
        for service_id, record in service_records(user, services, customer_id, weights_row.record_periods).items():
            records[(customer_id, service_id)] = record
    scored = [
        (
            row,
            _score(
                weights_row.as_weights(),
                records.get((row.customer_id, row.service_id), Record()),
                row.importance,
                row.performance,
                row.service.criticality,
            ),
        )
        for row in rows
    ]
    return sorted(scored, key=lambda item: (-item[1].total, item[0].created_at))


@dataclass
class ServiceView:
    service: Service
    importance: Decimal
    performance: Decimal
    requirements: int
    ratings: int
    csat: Decimal | None
    record: Record
    score: scoring.Score
    flag: str | None


def _mean(values):
    return scoring.mean_rating(values)


def service_views(user, customer_id=None, weights=None):
    """Every service with open requirements or survey ratings: its score and its watermelon flag, best first.

    importance: the mean importance of its open requirements (3, the middle, when none);
    performance: the mean of its open requirements' performance and of its survey satisfaction (CSAT) ratings.
    """
    weights_row = weights or PriorityWeights.current()
    requirements = ServiceLevelRequirement.objects.for_user(user).filter(status__in=OPEN_STATUSES)
    ratings = ServiceRating.objects.filter(response__invitation__campaign__in=_campaigns(user, customer_id)).exclude(
        csat=None
    )
    if customer_id is not None:
        requirements = requirements.filter(customer_id=customer_id)
    importance, performance, counts = defaultdict(list), defaultdict(list), defaultdict(int)
    for service_id, imp, perf in requirements.values_list("service_id", "importance", "performance"):
        importance[service_id].append(imp)
        performance[service_id].append(perf)
        counts[service_id] += 1
    csat = defaultdict(list)
    for service_id, value in ratings.values_list("service_id", "csat"):
        csat[service_id].append(value)
    service_ids = set(importance) | set(csat)
    records = service_records(user, service_ids, customer_id, weights_row.record_periods)
    views = []
    for service in Service.objects.filter(pk__in=service_ids):
        mean_importance = _mean(importance[service.pk]) or Decimal(3)
        mean_performance = _mean(performance[service.pk] + csat[service.pk]) or Decimal(3)
        record = records.get(service.pk, Record())
        mean_csat = _mean(csat[service.pk])
        views.append(
            ServiceView(
                service=service,
                importance=slo.rounded(mean_importance, 2),
                performance=slo.rounded(mean_performance, 2),
                requirements=counts[service.pk],
                ratings=len(csat[service.pk]),
                csat=None if mean_csat is None else slo.rounded(mean_csat, 2),
                record=record,
                score=_score(
                    weights_row.as_weights(),
                    record,
                    mean_importance,
                    mean_performance,
                    service.criticality,
                ),
                flag=scoring.watermelon(record.sla_met, mean_csat),
            )
        )
    return sorted(views, key=lambda view: (-view.score.total, view.service.name))


def _campaigns(user, customer_id=None):
    campaigns = SurveyCampaign.objects.for_user(user)
    return campaigns.filter(customer_id=customer_id) if customer_id is not None else campaigns


def ipa_points(user, customer_id=None):
    """[{category, importance, performance, ratings, quadrant}] from survey category ratings and open or agreed
    requirements (each requirement counts as one rating of its category).

    Each axis is the mean of the ratings given on it (an importance left N/A still lets its performance count);
    ``ratings`` counts the answers that gave either. A category with no importance or no performance given has no
    place on the chart."""
    sums = defaultdict(lambda: [[], []])
    ratings = CategoryRating.objects.filter(response__invitation__campaign__in=_campaigns(user, customer_id))
    requirements = ServiceLevelRequirement.objects.for_user(user).exclude(status=RequirementStatus.REJECTED)
    if customer_id is not None:
        requirements = requirements.filter(customer_id=customer_id)
    for rows in (ratings, requirements):
        for category, importance, performance in rows.values_list("category", "importance", "performance"):
            if importance is None and performance is None:
                continue
            sums[category][0].append(importance)
            sums[category][1].append(performance)
    points = []
    for category, (importances, performances) in sorted(sums.items()):
        importance, performance = _mean(importances), _mean(performances)
        if importance is None or performance is None:
            continue
        points.append(
            {
                "category": category,
                "importance": slo.rounded(importance, 2),
                "performance": slo.rounded(performance, 2),
                "ratings": len(importances),
                "quadrant": scoring.quadrant(importance, performance),
            }
        )
    return points


def _rounded(mean):
    return None if mean is None else slo.rounded(mean, 2)


def campaign_results(campaign):
    """Response rate, overall satisfaction, CSAT per service, category means and the comments of one campaign.

    Every mean is of the ratings given (N/A left out), exact to two places (half to even); ``ratings`` counts the
    ratings given and ``not_applicable`` those left N/A. A service or category nobody rated shows with no mean.
    """
    invited = SurveyInvitation.objects.filter(campaign=campaign).count()
    responses = SurveyResponse.objects.filter(invitation__campaign=campaign)
    answered = responses.count()
    overall = list(responses.values_list("overall_satisfaction", flat=True))
    per_service = defaultdict(list)
    ratings = ServiceRating.objects.filter(response__in=responses).order_by("service__name", "service_id")
    for name, csat in ratings.values_list("service__name", "csat"):
        per_service[name].append(csat)
    per_category = defaultdict(lambda: ([], []))
    for category, importance, performance in CategoryRating.objects.filter(response__in=responses).values_list(
        "category", "importance", "performance"
    ):
        per_category[category][0].append(importance)
        per_category[category][1].append(performance)
    comments = list(responses.exclude(comment="").order_by("-updated_at").values_list("comment", "updated_at"))
    return {
        "invited": invited,
        "answered": answered,
        "response_rate": slo.rounded(scoring.percent_of(answered, invited), 1) if invited else None,
        "overall": {"mean": _rounded(scoring.mean_rating(overall)), "ratings": scoring.given(overall)},
        "services": [
            {
                "service": name,
                "csat": _rounded(scoring.mean_rating(values)),
                "ratings": scoring.given(values),
                "not_applicable": len(values) - scoring.given(values),
            }
            for name, values in per_service.items()
        ],
        "categories": [
            {
                "category": category,
                "label": Category(category).label,
                "importance": _rounded(scoring.mean_rating(importances)),
                "performance": _rounded(scoring.mean_rating(performances)),
                "ratings": sum(1 for pair in zip(importances, performances, strict=True) if pair != (None, None)),
            }
            for category, (importances, performances) in sorted(per_category.items())
        ],
        "comments": comments,
    }
