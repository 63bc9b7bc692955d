from agreements.forms.agreements import AgreementForm, CreditTierFormSet, TargetForm, TargetFormSet
from agreements.forms.catalogue import (
    BusinessCalendarForm,
    CustomerForm,
    HolidayFormSet,
    ServiceForm,
    WorkingPeriodFormSet,
)

__all__ = [
    "AgreementForm",
    "BusinessCalendarForm",
    "CreditTierFormSet",
    "CustomerForm",
    "HolidayFormSet",
    "ServiceForm",
    "TargetForm",
    "TargetFormSet",
    "WorkingPeriodFormSet",
]
