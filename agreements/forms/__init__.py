from agreements.forms.agreements import AgreementForm, CreditTierFormSet, TargetForm, TargetFormSet
from agreements.forms.catalogue import (
    BusinessCalendarForm,
    CustomerForm,
    HolidayFormSet,
    ServiceForm,
    WorkingPeriodFormSet,
)
from agreements.forms.people import InvitationForm
from agreements.forms.signoffs import SendForSignOffForm, SignOffAnswerForm

__all__ = [
    "AgreementForm",
    "BusinessCalendarForm",
    "CreditTierFormSet",
    "CustomerForm",
    "HolidayFormSet",
    "InvitationForm",
    "SendForSignOffForm",
    "ServiceForm",
    "SignOffAnswerForm",
    "TargetForm",
    "TargetFormSet",
    "WorkingPeriodFormSet",
]
