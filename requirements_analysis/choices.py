from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.statuses import Palette
from core.workflow import Step


class Category(models.TextChoices):
    AVAILABILITY = "availability", _("Availability")
    PERFORMANCE = "performance", pgettext_lazy("requirement category", "Performance")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    CAPACITY = "capacity", _("Capacity")
    CONTINUITY = "continuity", _("Continuity")
    SECURITY = "security", _("Security")
    USABILITY = "usability", _("Usability")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    SURVEY = "survey", _("Survey")
    INCIDENT_TREND = "incident_trend", _("Incident trend")
    COMPLAINT = "complaint", _("Complaint")
    CONTRACT_REVIEW = "contract_review", _("Contract review")


class RequirementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ANALYSED = "analysed", _("Analysed")
    AGREED = "agreed", _("Agreed")
    REJECTED = "rejected", _("Rejected")
    DEFERRED = "deferred", _("Deferred")


REQUIREMENT_STATUS = Palette(
    "requirement",
    RequirementStatus,
    {
        RequirementStatus.PROPOSED: "secondary",
        RequirementStatus.ANALYSED: "info",
        RequirementStatus.DEFERRED: "warning",
        RequirementStatus.AGREED: "success",
        RequirementStatus.REJECTED: "dark",
    },
)


# The only moves a requirement's status may make, each named by what it does. Rejecting or deferring needs a reason.
REQUIREMENT_TRANSITIONS = {
    RequirementStatus.PROPOSED: (
        Step(RequirementStatus.ANALYSED, _("Mark as analysed"), "primary"),
        Step(RequirementStatus.REJECTED, _("Reject"), "outline-danger"),
    ),
    RequirementStatus.ANALYSED: (
        Step(RequirementStatus.AGREED, _("Agree"), "success"),
        Step(RequirementStatus.REJECTED, _("Reject"), "outline-danger"),
        Step(RequirementStatus.DEFERRED, _("Defer"), "outline-secondary"),
    ),
    RequirementStatus.DEFERRED: (Step(RequirementStatus.ANALYSED, _("Take up again"), "outline-primary"),),
    RequirementStatus.AGREED: (),
    RequirementStatus.REJECTED: (),
}
NEEDS_REASON = (RequirementStatus.REJECTED, RequirementStatus.DEFERRED)
OPEN_STATUSES = (RequirementStatus.PROPOSED, RequirementStatus.ANALYSED, RequirementStatus.DEFERRED)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", _("Closed")


SURVEY_STATUS = Palette(
    "survey",
    CampaignStatus,
    {CampaignStatus.OPEN: "success", CampaignStatus.DRAFT: "secondary", CampaignStatus.CLOSED: "dark"},
)


# A survey is opened once and closed once.
CAMPAIGN_TRANSITIONS = {
    CampaignStatus.DRAFT: (Step(CampaignStatus.OPEN, _("Open the survey"), "success"),),
    CampaignStatus.OPEN: (Step(CampaignStatus.CLOSED, _("Close the survey"), "outline-secondary"),),
    CampaignStatus.CLOSED: (),
}


class Quadrant(models.TextChoices):
    CONCENTRATE = "concentrate", _("Concentrate here")
    KEEP_UP = "keep_up", _("Keep up the good work")
    LOW_PRIORITY = "low_priority", _("Low priority")
    OVERKILL = "overkill", _("Possible overkill")
