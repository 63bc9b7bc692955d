from requirements_analysis.models.requirements import PriorityWeights, ServiceLevelRequirement
from requirements_analysis.models.surveys import (
    CategoryRating,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    hash_survey_token,
)

__all__ = [
    "CategoryRating",
    "PriorityWeights",
    "ServiceLevelRequirement",
    "ServiceRating",
    "SurveyCampaign",
    "SurveyInvitation",
    "SurveyResponse",
    "hash_survey_token",
]
