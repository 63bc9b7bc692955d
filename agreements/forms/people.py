from django import forms
from django.utils.translation import gettext_lazy as _


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        if customer.domain_list:
            self.fields["email"].help_text = _("An address under %(domains)s.") % {
                "domains": ", ".join(customer.domain_list)
            }
