from agreements.models.agreements import Agreement, ServiceCreditTier, ServiceLevelTarget
from agreements.models.business_calendars import BusinessCalendar, Holiday, WorkingPeriod
from agreements.models.catalogue import Customer, Membership, Service
from agreements.models.feeds import CalendarFeed
from agreements.models.invitations import Invitation
from agreements.models.maintenance import Exclusion, MaintenanceWindow
from agreements.models.signoffs import SignOff
from agreements.models.underpinning import Underpinning

__all__ = [
    "Agreement",
    "BusinessCalendar",
    "CalendarFeed",
    "Customer",
    "Exclusion",
    "Holiday",
    "Invitation",
    "MaintenanceWindow",
    "Membership",
    "Service",
    "ServiceCreditTier",
    "ServiceLevelTarget",
    "Underpinning",
    "SignOff",
    "WorkingPeriod",
]
