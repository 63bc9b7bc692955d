"""The link between a portal account and a person of an OpenID Connect provider.

The provider's issuer and the person's ``sub`` claim identify them (OpenID Connect Core §5.7: only this pair is
stable and unique); the e-mail address, which a person may change or a second provider may also claim, never does.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SingleSignOnAccount(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="single_sign_on_accounts",
        verbose_name=_("user"),
    )
    provider = models.SlugField(_("provider"), max_length=50)
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255, help_text=_("The provider's sub claim."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        ordering = ["provider", "subject"]
        verbose_name = _("single sign-on account")
        verbose_name_plural = _("single sign-on accounts")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="single_sign_on_account_unique_subject"),
        ]

    def __str__(self):
        return f"{self.provider}: {self.subject}"
