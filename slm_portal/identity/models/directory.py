"""The link between a portal account and its directory entry (LDAP / Active Directory sign-in).

Written by the directory sign-in (slm_portal/identity/directory.py) at every sign-in; an admin reads it to see whose
account is the directory's and which groups the directory gave at the last sign-in. The directory signs in only the
accounts it created or an admin linked here: a local account of the same user name is never taken over.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.formatting import login_name


class DirectoryAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="directory_account",
        verbose_name=_("user"),
    )
    dn = models.CharField(
        _("distinguished name"), max_length=500, blank=True, help_text=_("The person's entry in the directory.")
    )
    groups = models.JSONField(
        _("directory groups"), default=list, blank=True, help_text=_("The groups' names at the last sign-in.")
    )
    signed_in_at = models.DateTimeField(_("last directory sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")

    def __str__(self):
        return self.dn or login_name(self.user)
