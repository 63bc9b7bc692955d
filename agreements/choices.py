from django.db import models
from django.utils.translation import gettext_lazy as _

from core.statuses import Palette
from core.workflow import Step


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Retired")


class Criticality(models.IntegerChoices):
    MISSION_CRITICAL = 1, _("Tier 1 – mission critical")
    BUSINESS_CRITICAL = 2, _("Tier 2 – business critical")
    BUSINESS_OPERATIONAL = 3, _("Tier 3 – business operational")
    ADMINISTRATIVE = 4, _("Tier 4 – administrative")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AgreementKind(models.TextChoices):
    SLA = "sla", _("Service level agreement (SLA)")
    OLA = "ola", _("Operational level agreement (OLA)")
    UC = "uc", _("Underpinning contract (UC)")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


AGREEMENT_STATUS = Palette(
    "agreement",
    AgreementStatus,
    {
        AgreementStatus.ACTIVE: "success",
        AgreementStatus.DRAFT: "secondary",
        AgreementStatus.EXPIRED: "warning",
        AgreementStatus.TERMINATED: "dark",
    },
    css="status",
)


# The only moves an agreement's status may make, each named by what it does; anything else is refused.
AGREEMENT_TRANSITIONS = {
    AgreementStatus.DRAFT: (Step(AgreementStatus.ACTIVE, _("Activate"), "success"),),
    AgreementStatus.ACTIVE: (
        Step(AgreementStatus.EXPIRED, _("Mark expired"), "outline-secondary"),
        Step(AgreementStatus.TERMINATED, _("Terminate"), "outline-danger"),
    ),
    AgreementStatus.EXPIRED: (),
    AgreementStatus.TERMINATED: (),
}


class WindowKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar period")
    ROLLING = "rolling", _("Rolling days")


class CalendarPeriod(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class BudgetingMethod(models.TextChoices):
    """How a target counts good and bad: the one definition of each method. Its formula is in
    ``monitoring.slo`` (attainment and error budget, ``slo.Method`` has the same values); everything else asks the
    properties below instead of comparing names."""

    OCCURRENCES = "occurrences", _("Occurrences (good events / all events)")
    TIMESLICES = "timeslices", _("Timeslices (good slices / slices with data)")
    RATIO_TIMESLICES = "ratio_timeslices", _("Ratio timeslices (mean of slice ratios)")

    @property
    def counts_events(self):
        """Attainment counts events, and the error budget is a number of events; otherwise it counts time slices and
        the budget is in minutes."""
        return self is BudgetingMethod.OCCURRENCES

    @property
    def judges_slices(self):
        """A slice is good when its own good/total reaches the target's slice target (``slice_target``)."""
        return self is BudgetingMethod.TIMESLICES


class MissingData(models.TextChoices):
    IGNORE = "ignore", _("Leave slices with no data out")
    GOOD = "good", _("Count slices with no data as good")
    BAD = "bad", _("Count slices with no data as bad")


class MaintenanceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


MAINTENANCE_STATUS = Palette(
    "maintenance",
    MaintenanceStatus,
    {
        MaintenanceStatus.PLANNED: "secondary",
        MaintenanceStatus.APPROVED: "primary",
        MaintenanceStatus.COMPLETED: "success",
        MaintenanceStatus.CANCELLED: "dark",
    },
    css="status",
)

# Approving announces the window to the customers (the notice counts from then); a window completes once its last
# occurrence has ended (the portal does it); only a window that is not over yet may be cancelled.
MAINTENANCE_TRANSITIONS = {
    MaintenanceStatus.PLANNED: (
        Step(MaintenanceStatus.APPROVED, _("Approve"), "success"),
        Step(MaintenanceStatus.CANCELLED, _("Cancel"), "outline-danger"),
    ),
    MaintenanceStatus.APPROVED: (
        Step(MaintenanceStatus.COMPLETED, _("Mark completed"), "outline-secondary"),
        Step(MaintenanceStatus.CANCELLED, _("Cancel"), "outline-danger"),
    ),
    MaintenanceStatus.COMPLETED: (),
    MaintenanceStatus.CANCELLED: (),
}


class Recurrence(models.TextChoices):
    NONE = "none", _("Does not repeat")
    WEEKLY = "weekly", _("Every week, same weekday and time")
    MONTHLY = "monthly", _("Every month, same day and time")


class ExclusionReason(models.TextChoices):
    CUSTOMER_CAUSED = "customer_caused", _("Caused by the customer")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    OTHER = "other", _("Other agreed reason")


class MaintenanceOutcome(models.TextChoices):
    """How an agreement counts a part of a maintenance occurrence (``agreements.maintenance``'s outcomes)."""

    EXCLUDED = "excluded", _("Excluded")
    LATE_NOTICE = "late_notice", _("Counts: late notice")
    OVER_CAP = "over_cap", _("Counts: over the cap")


MAINTENANCE_OUTCOME = Palette(
    "maintenance_outcome",
    MaintenanceOutcome,
    {
        MaintenanceOutcome.LATE_NOTICE: "warning",
        MaintenanceOutcome.OVER_CAP: "warning",
        MaintenanceOutcome.EXCLUDED: "secondary",
    },
)


class ReviewCycle(models.TextChoices):
    """How often an agreement is reviewed with its customer; ``months`` is the step ``agreements.review_cycles``
    moves the next review date on by."""

    NONE = "none", _("No fixed cycle")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")

    @property
    def months(self):
        """Months between two reviews; 0 for no fixed cycle."""
        return {"none": 0, "monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.value]


class SignOffStatus(models.TextChoices):
    """Where a request for the customer's sign-off stands. A newer version sent while one waits withdraws it."""

    PENDING = "pending", _("Awaiting sign-off")
    ACCEPTED = "accepted", _("Signed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


SIGN_OFF_STATUS = Palette(
    "sign_off",
    SignOffStatus,
    {
        SignOffStatus.PENDING: "warning",
        SignOffStatus.REJECTED: "danger",
        SignOffStatus.ACCEPTED: "success",
        SignOffStatus.WITHDRAWN: "secondary",
    },
)
