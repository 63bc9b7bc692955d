from agreements.models.agreements import Agreement, ServiceCreditTier, ServiceLevelTarget
from agreements.models.business_calendars import BusinessCalendar, Holiday, WorkingPeriod
from agreements.models.catalogue import Customer, Membership, Service

__all__ = [
    "Agreement",
    "BusinessCalendar",
    "Customer",
    "Holiday",
    "Membership",
    "Service",
    "ServiceCreditTier",
    "ServiceLevelTarget",
    "WorkingPeriod",
]
