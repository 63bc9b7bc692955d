"""Demo data of service requirements analysis: requirements in every state, and a finished satisfaction survey
whose answers make the service desk a watermelon (SLA met, users unhappy), one person leaving the mobile app and its
performance "not applicable". Idempotent."""

import datetime as dt

from django.utils import timezone

from agreements.models import Customer, Service
from monitoring.windows import QUARTER, label_of
from requirements_analysis.choices import CampaignStatus, Category, RequirementStatus, Source
from requirements_analysis.models import (
    CategoryRating,
    PriorityWeights,
    ServiceLevelRequirement,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)

# customer, service, category, importance, performance, source, desired level, status, statement
REQUIREMENTS = [
    ("hanbit-bank", "internet-banking", Category.AVAILABILITY, 5, 3, Source.COMPLAINT, "99.95 % availability",
     RequirementStatus.ANALYSED, "Internet banking must not go down during salary days; last month it did twice."),
    ("hanbit-bank", "mobile-api", Category.PERFORMANCE, 4, 2, Source.SURVEY, "95 % of requests under 200 ms",
     RequirementStatus.PROPOSED, "The app feels slow when opening the account list in the morning."),
    ("hanbit-bank", "service-desk", Category.RESPONSIVENESS, 4, 2, Source.INTERVIEW, "Calls answered within 60 s",
     RequirementStatus.PROPOSED, "We wait too long on the phone when we call the service desk."),
    ("saebyeok-logistics", "wms", Category.CONTINUITY, 5, 4, Source.CONTRACT_REVIEW, "Recovery within 4 hours",
     RequirementStatus.AGREED, "Warehouses must keep shipping if the data centre is lost."),
    ("saebyeok-logistics", "email", Category.USABILITY, 2, 4, Source.INTERVIEW, "",
     RequirementStatus.DEFERRED, "A dark theme for the web mail."),
]  # fmt: skip

# overall, (csat per service code), (importance, performance per category), comment; None is "not applicable"
ANSWERS = [
    (3, {"internet-banking": 3, "mobile-api": 2, "service-desk": 2},
     {Category.AVAILABILITY: (5, 3), Category.PERFORMANCE: (4, 2), Category.RESPONSIVENESS: (5, 2)},
     "The desk is friendly but it takes ages to get through."),
    (3, {"internet-banking": 4, "mobile-api": None, "service-desk": 2},
     {Category.AVAILABILITY: (5, 4), Category.PERFORMANCE: (4, None), Category.RESPONSIVENESS: (4, 2)}, ""),
    (4, {"internet-banking": 4, "mobile-api": 2, "service-desk": 3},
     {Category.AVAILABILITY: (5, 4), Category.PERFORMANCE: (3, 2), Category.RESPONSIVENESS: (4, 3)},
     "Mobile is slow in the morning."),
]  # fmt: skip


def seed_requirements_demo(people):
    PriorityWeights.current()
    for customer, service, category, importance, performance, source, level, status, statement in REQUIREMENTS:
        ServiceLevelRequirement.objects.update_or_create(
            customer=Customer.objects.get(code=customer),
            statement=statement,
            defaults={
                "service": Service.objects.get(code=service),
                "category": category,
                "importance": importance,
                "performance": performance,
                "source": source,
                "desired_level": level,
                "status": status,
                "status_reason": "Not this year." if status == RequirementStatus.DEFERRED else "",
                "submitted_by": people.get("hanbit" if customer == "hanbit-bank" else "saebyeok"),
            },
        )
    now = timezone.now()
    campaign, _created = SurveyCampaign.objects.update_or_create(
        code="hanbit-survey-demo",
        defaults={
            "customer": Customer.objects.get(code="hanbit-bank"),
            "title": "How do you rate our services?",
            "period_label": label_of(QUARTER, now.date()),
            "opens_at": now - dt.timedelta(days=20),
            "closes_at": now + dt.timedelta(days=10),
            "status": CampaignStatus.OPEN,
            "created_by": people.get("manager"),
        },
    )
    services = {code: Service.objects.get(code=code) for code in ("internet-banking", "mobile-api", "service-desk")}
    campaign.services.set(services.values())
    for number, (overall, csat, categories, comment) in enumerate(ANSWERS, start=1):
        invitation = SurveyInvitation.objects.filter(
            campaign=campaign, email=f"staff{number}@hanbit-bank.example"
        ).first()
        if invitation is None:
            invitation = SurveyInvitation(campaign=campaign, email=f"staff{number}@hanbit-bank.example")
            invitation.issue_token()
            invitation.sent_at = now - dt.timedelta(days=19)
            invitation.save()
        response, _created = SurveyResponse.objects.update_or_create(
            invitation=invitation, defaults={"overall_satisfaction": overall, "comment": comment}
        )
        for code, value in csat.items():
            ServiceRating.objects.update_or_create(response=response, service=services[code], defaults={"csat": value})
        for category, (importance, performance) in categories.items():
            CategoryRating.objects.update_or_create(
                response=response, category=category, defaults={"importance": importance, "performance": performance}
            )
    return campaign
