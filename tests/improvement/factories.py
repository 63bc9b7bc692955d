"""Factories and builders of the improvement tests: plans and actions, compliance rows written directly (the effect
review and the pack read them back), requirements and survey answers, and a reader of a rendered form's values.

Months are the portal's (Asia/Seoul in the tests): ``closed_month(target, "2026-10", "0.998")`` is the closed
snapshot of October 2026, 2026-09-30T15:00Z .. 2026-10-31T15:00Z, as evaluation would have written it.
"""

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

import factory
from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from improvement.choices import ActionStatus, PlanStatus
from improvement.models import Action, ImprovementPlan
from monitoring.choices import BreachKind, BudgetUnit, SnapshotStatus
from monitoring.models import Breach, ComplianceSnapshot
from monitoring.windows import month_bounds
from requirements_analysis.choices import CampaignStatus, Category, Source
from requirements_analysis.models import (
    ServiceLevelRequirement,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from tests.factories import MembershipFactory, ServiceFactory, UserFactory


class PlanFactory(factory.django.DjangoModelFactory):
    """A proposed plan on one new service (pass ``services=[...]`` for others)."""

    class Meta:
        model = ImprovementPlan
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Improvement plan {n}")
    problem = "Too many outages on salary day."

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create:
            self.services.set(extracted if extracted is not None else [ServiceFactory()])

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if create and extracted:
            self.targets.set(extracted)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    plan = factory.SubFactory(PlanFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    status = ActionStatus.OPEN


def plan_in(status, **fields):
    """A plan already in ``status``, with the start and completion instants that status implies (set directly, as
    the workflow would have: in progress and later have started_at, completed and verified have completed_at)."""
    now = timezone.now()
    started = status in (PlanStatus.IN_PROGRESS, PlanStatus.COMPLETED, PlanStatus.VERIFIED)
    completed = status in (PlanStatus.COMPLETED, PlanStatus.VERIFIED)
    fields.setdefault("started_at", now - dt.timedelta(days=30) if started else None)
    fields.setdefault("completed_at", now - dt.timedelta(days=1) if completed else None)
    return PlanFactory(status=status, **fields)


# --- compliance rows, as evaluation writes them ---------------------------------------------------------------------


def closed_month(target, month, attainment, *, breached=None, closed=True):
    """The snapshot of ``target`` for ``month`` ("2026-10") with ``attainment`` (a fraction, or None for no data);
    breached when under the target's objective unless told."""
    start, end = month_bounds(month, settings.TIME_ZONE)
    attainment = None if attainment is None else Decimal(attainment)
    if breached is None:
        breached = attainment is not None and attainment < target.objective_fraction
    if attainment is None:
        status = SnapshotStatus.NO_DATA
    else:
        status = SnapshotStatus.BREACHED if breached else SnapshotStatus.MET
    return ComplianceSnapshot.objects.create(
        target=target,
        period_start=start,
        period_end=end,
        period_label=month,
        is_closed=closed,
        objective=target.objective,
        method=target.budgeting_method,
        attainment=attainment,
        budget_unit=BudgetUnit.EVENTS,
        status=status,
        computed_at=end + dt.timedelta(minutes=30),
    )


def breach_in(target, month, attainment):
    """The breach evaluation records when ``month`` ends under the objective."""
    start, end = month_bounds(month, settings.TIME_ZONE)
    return Breach.objects.create(
        target=target,
        period_start=start,
        period_end=end,
        period_label=month,
        kind=BreachKind.PERIOD_MISSED,
        detected_at=end + dt.timedelta(minutes=30),
        attainment=Decimal(attainment),
        objective=target.objective,
    )


# --- requirements and satisfaction --------------------------------------------------------------------------------


class RequirementFactory(factory.django.DjangoModelFactory):
    """A proposed availability requirement: importance 4, performance 2."""

    class Meta:
        model = ServiceLevelRequirement

    service = factory.SubFactory(ServiceFactory)
    statement = factory.Sequence(lambda n: f"Requirement {n}: the bank must be up on salary day")
    category = Category.AVAILABILITY
    importance = 4
    performance = 2
    source = Source.INTERVIEW


def survey_answers(customer, services, period_label, csats, code=None):
    """A closed campaign of ``customer`` for ``period_label`` whose invited people rated each of ``services``:
    ``csats`` holds one list of satisfaction answers per service. Every answer comes from its own invitation."""
    opens = timezone.now() - dt.timedelta(days=20)
    campaign = SurveyCampaign.objects.create(
        customer=customer,
        code=code or f"survey-{customer.code}-{period_label.lower()}",
        title=f"{customer.name} satisfaction {period_label}",
        period_label=period_label,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=14),
        status=CampaignStatus.CLOSED,
    )
    campaign.services.set(services)
    number = 0
    for service, answers in zip(services, csats, strict=True):
        for csat in answers:
            number += 1
            invitation = SurveyInvitation.objects.create(
                campaign=campaign,
                email=f"person{number}@{customer.code}.example",
                token_hash=f"{campaign.code}-{number}",
            )
            response = SurveyResponse.objects.create(invitation=invitation)
            ServiceRating.objects.create(response=response, service=service, csat=csat)
    return campaign


# --- people ----------------------------------------------------------------------------------------------------------


def coordinator_of(customer, username="carol"):
    """A person of ``customer`` who may start improvement plans (the add permission only, no manager role): the
    sources a plan starts from are looked up through her ``.for_user()``, which shows her own organisation only."""
    user = MembershipFactory(user=UserFactory(username=username), customer=customer).user
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="improvement", codename="add_improvementplan")
    )
    return user


# --- reading a rendered form -------------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        if "disabled" in attrs:  # a browser does not submit a disabled field
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            else:
                self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
            self.values[self._select] = [] if "multiple" in attrs else ""
        elif tag == "option" and self._select and "selected" in attrs:
            if isinstance(self.values[self._select], list):
                self.values[self._select].append(attrs.get("value", ""))
            else:
                self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html, form_id):
    """{name: value} of the form ``id=form_id`` as a browser would submit it untouched: text inputs and textareas
    as strings, single selects as the selected value, multiple selects as lists; disabled fields left out."""
    reader = _FormReader(form_id)
    reader.feed(html)
    values = reader.values
    for name, value in values.items():  # Django renders a textarea's content after a newline
        if isinstance(value, str) and value.startswith("\n"):
            values[name] = value[1:]
    return values
