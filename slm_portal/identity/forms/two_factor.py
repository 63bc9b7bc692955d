"""The two-factor code form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """One field for a code: the 6 digits of the authenticator app, or (where ``recovery`` allows) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, *args, recovery=True, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].help_text = _(
                "The 6 digits your authenticator app shows, or one of your recovery codes."
            )
        else:
            self.fields["code"].label = _("Code from your app")
            self.fields["code"].help_text = _("The 6 digits your authenticator app shows now.")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
