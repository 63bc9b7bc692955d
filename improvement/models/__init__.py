from improvement.models.plans import (
    Action,
    DigestDelivery,
    EffectReview,
    ImprovementPlan,
    PlanStatusChange,
)
from improvement.models.reviews import ReviewDecision, ReviewMeeting, ReviewReminder

__all__ = [
    "Action",
    "DigestDelivery",
    "EffectReview",
    "ImprovementPlan",
    "PlanStatusChange",
    "ReviewDecision",
    "ReviewMeeting",
    "ReviewReminder",
]
