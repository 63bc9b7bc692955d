"""factory_boy factories of service requirements analysis, and builders for what its tests post and read back.

Survey links are never stored in plain text, so ``invitation_with_token(...)`` returns the saved invitation together
with its plaintext token: ``invitation, token = invitation_with_token(campaign=campaign)``.
"""

import datetime as dt
import hashlib
import secrets

import factory
from django.utils import timezone

from agreements.choices import AgreementStatus, BudgetingMethod
from requirements_analysis.choices import CampaignStatus, Category, Source
from requirements_analysis.models import (
    CategoryRating,
    ServiceLevelRequirement,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from tests.factories import AgreementFactory, CustomerFactory, ServiceFactory
from tests.monitoring.evaluation_helpers import evaluate, kst, measured_target, record_probe_minutes


class RequirementFactory(factory.django.DjangoModelFactory):
    """A proposed availability requirement, importance 4, performance 3."""

    class Meta:
        model = ServiceLevelRequirement

    customer = factory.SubFactory(CustomerFactory)
    service = factory.SubFactory(ServiceFactory)
    statement = factory.Sequence(lambda n: f"Requirement {n} in the user's words")
    category = Category.AVAILABILITY
    importance = 4
    performance = 3
    source = Source.INTERVIEW
    desired_level = ""


class CampaignFactory(factory.django.DjangoModelFactory):
    """An OPEN campaign (it takes answers now: opened yesterday, closes in two weeks) over one new service."""

    class Meta:
        model = SurveyCampaign
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    code = factory.Sequence(lambda n: f"survey-{n}")
    title = factory.Sequence(lambda n: f"How do you rate us? ({n})")
    period_label = "2026-Q4"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    status = CampaignStatus.OPEN

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create:
            self.services.set(extracted if extracted is not None else [ServiceFactory()])


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation whose link nobody knows (a random hash); use ``invitation_with_token`` to get a usable one."""

    class Meta:
        model = SurveyInvitation

    campaign = factory.SubFactory(CampaignFactory)
    email = factory.Sequence(lambda n: f"person{n}@acme.example")
    token_hash = factory.LazyFunction(lambda: hashlib.sha256(secrets.token_bytes(16)).hexdigest())


def invitation_with_token(**fields):
    """A saved invitation and the plaintext token of its personal link: (invitation, token)."""
    invitation = InvitationFactory.build(**fields)
    if invitation.campaign.pk is None:
        invitation.campaign.save()
    token = invitation.issue_token()
    invitation.save()
    return invitation, token


class ResponseFactory(factory.django.DjangoModelFactory):
    """An answered survey: overall 4 unless told, ``csat={service: 1..5 or None}``, ``categories={category:
    (importance, performance)}`` (None: not applicable)."""

    class Meta:
        model = SurveyResponse
        skip_postgeneration_save = True

    invitation = factory.SubFactory(InvitationFactory)
    overall_satisfaction = 4
    comment = ""

    @factory.post_generation
    def csat(self, create, extracted, **kwargs):
        for service, value in (extracted or {}).items():
            ServiceRating.objects.create(response=self, service=service, csat=value)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        for category, (importance, performance) in (extracted or {}).items():
            CategoryRating.objects.create(
                response=self, category=category, importance=importance, performance=performance
            )


NA = "na"  # what the survey page posts for "not applicable"


def survey_form_data(campaign, csat=None, categories=None, comment="", default=4, overall=4):
    """The POST body of the survey page: ``overall``, ``csat`` {service: value} and ``categories`` {category: (imp,
    perf)}; a value may be NA ("not applicable") or None (left out, not posted); every line not given is rated
    ``default``."""
    csat, categories = csat or {}, categories or {}
    data = {"comment": comment, "overall": overall}
    for service in campaign.services.all():
        data[f"csat_{service.pk}"] = csat.get(service, default)
    for category in Category.values:
        importance, performance = categories.get(category, (default, default))
        data[f"importance_{category}"] = importance
        data[f"performance_{category}"] = performance
    return {name: value for name, value in data.items() if value is not None}


def survey_rows():
    """How many responses and ratings are stored: (responses, service ratings, category ratings)."""
    return (SurveyResponse.objects.count(), ServiceRating.objects.count(), CategoryRating.objects.count())


# --- a measured record from monitoring data -------------------------------------------------------------------------

# Evaluated just after November 2026 closed (the close grace is 15 minutes): September, October and November are
# closed periods, December is the open one, with no data.
AFTER_NOVEMBER = kst(2026, 12, 1, 1)
MONTH_STARTS = {"2026-09": kst(2026, 9, 1), "2026-10": kst(2026, 10, 1), "2026-11": kst(2026, 11, 1)}


def measured_service(service, customer, bad_minutes, valid_from=dt.date(2026, 9, 1)):
    """An active agreement of ``customer`` over ``service`` with a 99 % timeslices probe target measuring it.

    ``bad_minutes`` maps "YYYY-MM" (of MONTH_STARTS) to how many of 1,440 probe minutes that month were down; the
    target is then evaluated at AFTER_NOVEMBER. A 30-day month's budget is 1 % of 43,200 = 432 minutes, so 216 bad
    minutes spend half of it (and 216 of 1,440 down is 85 %: breached); a month with no bad minute spends nothing.
    """
    agreement = AgreementFactory(customer=customer, services=[service], valid_from=valid_from)
    target = measured_target(agreement=agreement, method=BudgetingMethod.TIMESLICES, objective="99")
    for month, bad in bad_minutes.items():
        record_probe_minutes(target, MONTH_STARTS[month], 1440, bad=range(bad))
    agreement.status = AgreementStatus.ACTIVE
    agreement.save()
    evaluate(target, AFTER_NOVEMBER)
    return target
