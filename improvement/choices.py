from django.db import models
from django.utils.translation import gettext_lazy as _

from core.statuses import Palette
from core.workflow import Step


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


PLAN_STATUS = Palette(
    "plan",
    PlanStatus,
    {
        PlanStatus.PROPOSED: "secondary",
        PlanStatus.APPROVED: "info",
        PlanStatus.IN_PROGRESS: "primary",
        PlanStatus.COMPLETED: "success",
        PlanStatus.VERIFIED: "success",
        PlanStatus.CANCELLED: "dark",
    },
)


# The only moves a plan's status may make, each named by what it does; verifying also needs an effect review on record.
PLAN_TRANSITIONS = {
    PlanStatus.PROPOSED: (
        Step(PlanStatus.APPROVED, _("Approve"), "primary"),
        Step(PlanStatus.CANCELLED, _("Cancel the plan"), "outline-danger"),
    ),
    PlanStatus.APPROVED: (
        Step(PlanStatus.IN_PROGRESS, _("Start work"), "primary"),
        Step(PlanStatus.CANCELLED, _("Cancel the plan"), "outline-danger"),
    ),
    PlanStatus.IN_PROGRESS: (
        Step(PlanStatus.COMPLETED, _("Mark as completed"), "primary"),
        Step(PlanStatus.CANCELLED, _("Cancel the plan"), "outline-danger"),
    ),
    PlanStatus.COMPLETED: (
        Step(PlanStatus.VERIFIED, _("Verify"), "success"),
        Step(PlanStatus.IN_PROGRESS, _("Reopen"), "outline-secondary"),
    ),
    PlanStatus.VERIFIED: (),
    PlanStatus.CANCELLED: (),
}
# A verified or cancelled plan is closed: its record stays as it is, with no edits, actions or reviews.
CLOSED_PLAN_STATUSES = (PlanStatus.VERIFIED, PlanStatus.CANCELLED)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Verdict(models.TextChoices):
    IMPROVED = "improved", _("Improved")
    NO_CHANGE = "no_change", _("No change")
    WORSE = "worse", _("Worse")
    NOT_ENOUGH_DATA = "not_enough_data", _("Not enough data")


class DecisionKind(models.TextChoices):
    """What a service review decides; each but the first leads to the form that carries it out."""

    KEEP = "keep", _("Keep the agreement as it is")
    CHANGE_TARGET = "change_target", _("Change a target")
    START_PLAN = "start_plan", _("Start an improvement plan")
    RECORD_REQUIREMENT = "record_requirement", _("Record a requirement")


class ReminderKind(models.TextChoices):
    AHEAD = "ahead", _("Review coming")
    OVERDUE = "overdue", _("Review overdue")


REVIEW_DUE = Palette("review_due", ReminderKind, {ReminderKind.OVERDUE: "danger", ReminderKind.AHEAD: "warning"})
