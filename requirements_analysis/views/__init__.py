from requirements_analysis.views.priorities import priorities
from requirements_analysis.views.requirements import (
    RequirementListView,
    requirement_create,
    requirement_decide,
    requirement_detail,
    requirement_edit,
    requirement_targets,
)
from requirements_analysis.views.surveys import (
    CampaignCreateView,
    CampaignListView,
    CampaignUpdateView,
    campaign_detail,
    campaign_invite,
    campaign_send,
    campaign_status,
    survey_answer,
)

__all__ = [
    "CampaignCreateView",
    "CampaignListView",
    "CampaignUpdateView",
    "RequirementListView",
    "campaign_detail",
    "campaign_invite",
    "campaign_send",
    "campaign_status",
    "priorities",
    "requirement_create",
    "requirement_decide",
    "requirement_detail",
    "requirement_edit",
    "requirement_targets",
    "survey_answer",
]
