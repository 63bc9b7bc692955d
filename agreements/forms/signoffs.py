"""Forms of the sign-off: the manager's message when sending, the customer's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SendForSignOffForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the terms, for example what changed since the last version."),
    )


class SignOffAnswerForm(forms.Form):
    ACCEPT, REJECT = "accept", "reject"

    answer = forms.ChoiceField(
        label=_("Do you sign these terms?"),
        choices=[(ACCEPT, _("Accept these terms")), (REJECT, _("Reject these terms"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you accept or reject these terms.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject the terms: say what should change."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == self.REJECT and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why the terms are rejected."))
        return cleaned

    @property
    def accepts(self):
        return self.cleaned_data["answer"] == self.ACCEPT
