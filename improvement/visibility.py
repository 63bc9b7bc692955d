"""What of a plan's links one reader may see.

A plan for no one customer, on a catalogue service several customers use, may address the breaches, targets and
requirements of the customers who use its services (``PlanForm`` refuses any other customer's), and its effect review
measures those customers' targets. Another customer's user reads the
plan (``PlanQuerySet.concerning``) but, of what it links, only the rows each linked model's own ``.for_user()`` lets
them see; the goal's target and its figures (baseline and desired attainment) only when they may see that target, and
the effect review's figures only of the targets they may see, and its verdict computed over those targets only
(``review_reading``). A service manager sees every row. The plan's page and
the API read a plan's links through here.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from agreements.models import Agreement, ServiceLevelTarget
from improvement import effect
from improvement.choices import Verdict
from monitoring.models import Breach
from requirements_analysis.models import ServiceLevelRequirement


class Visibility:
    """Which rows one reader may see: each model's ``.for_user()`` is asked once per row, and the answer kept (for
    one request, or one page of plans)."""

    def __init__(self, user):
        self.user = user
        self.known = {}  # model -> {pk: may see it}

    def learn(self, model, pks):
        known = self.known.setdefault(model, {})
        unknown = {pk for pk in pks if pk is not None and pk not in known}
        if unknown:
            seen = set(model.objects.for_user(self.user).filter(pk__in=unknown).values_list("pk", flat=True))
            known.update({pk: pk in seen for pk in unknown})
        return known

    def visible(self, model, rows):
        rows = list(rows)
        known = self.learn(model, [row.pk for row in rows])
        return [row for row in rows if known[row.pk]]

    def learn_plans(self, plans):
        """Ask about the links of a page of plans at once (their prefetched links): one query per model."""
        plans = list(plans)
        self.learn(Breach, [row.pk for plan in plans for row in plan.breaches.all()])
        self.learn(ServiceLevelRequirement, [row.pk for plan in plans for row in plan.requirements.all()])
        targets = [row.pk for plan in plans for row in plan.targets.all()] + [plan.goal_target_id for plan in plans]
        self.learn(ServiceLevelTarget, targets)


@dataclass
class PlanLinks:
    breaches: list
    targets: list
    requirements: list
    goal_target: object  # None when the plan has none, or the reader may not see it
    goal_hidden: bool  # the plan has a goal target the reader may not see: its figures are not shown either


def plan_links(plan, visibility, breaches=None, targets=None, requirements=None):
    """The plan's breaches, targets, requirements and goal target the reader may see (of the querysets given, or of
    the plan's own, prefetched or not)."""
    goal = plan.goal_target if plan.goal_target_id else None
    goal_seen = goal is not None and bool(visibility.visible(ServiceLevelTarget, [goal]))
    return PlanLinks(
        breaches=visibility.visible(Breach, plan.breaches.all() if breaches is None else breaches),
        targets=visibility.visible(ServiceLevelTarget, plan.targets.all() if targets is None else targets),
        requirements=visibility.visible(
            ServiceLevelRequirement, plan.requirements.all() if requirements is None else requirements
        ),
        goal_target=goal if goal_seen else None,
        goal_hidden=goal is not None and not goal_seen,
    )


def review_rows(review, user):
    """The effect review's rows (``EffectReview.rows``) of the targets ``user`` may see, and how many rows are not
    shown. A row names its target by codes, as it was when reviewed: a target since deleted is shown to whoever may
    see its agreement."""
    rows = review.rows
    if not rows:
        return [], 0
    named = Q(pk__in=[])
    for row in rows:
        named |= Q(agreement__code=row["agreement"], code=row["target"])
    existing = set(ServiceLevelTarget.objects.filter(named).values_list("agreement__code", "code"))
    seen = set(ServiceLevelTarget.objects.for_user(user).filter(named).values_list("agreement__code", "code"))
    agreements = set(
        Agreement.objects.for_user(user)
        .filter(code__in={row["agreement"] for row in rows})
        .values_list("code", flat=True)
    )

    def shown(row):
        key = (row["agreement"], row["target"])
        return key in seen if key in existing else row["agreement"] in agreements

    visible = [row for row in rows if shown(row)]
    return visible, len(rows) - len(visible)


@dataclass
class ReviewReading:
    """An effect review as one reader sees it."""

    rows: list  # the rows of the targets the reader may see (``EffectReview.rows``)
    hidden: int  # how many targets the review measured are not shown
    verdict: str | None  # over the rows shown; None (withheld) when the review measured targets but none is shown
    note: str  # a plain sentence when the verdict is not the review's over every target, else ""

    @property
    def verdict_label(self):
        return dict(Verdict.choices).get(self.verdict, "") if self.verdict else ""


def review_reading(review, user):
    """The review's rows ``user`` may see and the verdict they support. A reader who may not see every target the
    review measured does not get the verdict over all of them (it would rest on figures they are not shown, such as
    another customer's): the verdict is computed, by the same rule, over the targets shown, and said to be; with
    none shown, it is withheld."""
    rows, hidden = review_rows(review, user)
    if not hidden:
        return ReviewReading(rows, 0, review.verdict, "")
    if not rows:
        note = _("No verdict is shown: none of the targets this review measured is visible to you.")
        return ReviewReading(rows, hidden, None, note)
    note = _(
        "This verdict is over the targets shown here only: part of the evidence of this review is not visible to you."
    )
    return ReviewReading(rows, hidden, effect.combined_verdict(row["verdict"] for row in rows), note)
