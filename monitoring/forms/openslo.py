from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.openslo.reading import MAX_BYTES


class OpenSloUploadForm(forms.Form):
    file = forms.FileField(
        label=_("OpenSLO file"),
        help_text=_("OpenSLO v1 YAML: Service, SLI, SLO, AlertPolicy and AlertCondition documents; at most 10 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # checked before anything is read or parsed
            raise forms.ValidationError(_("The file is over 10 MB."))
        return upload.name, upload.read()
