"""The targets a service level target rests on: an SLA's promise on the OLA and UC targets behind it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models.agreements import ServiceLevelTarget
from core.tenancy import TenantQuerySet


class UnderpinningQuerySet(TenantQuerySet):
    customer_path = "target__agreement__customer"


class Underpinning(models.Model):
    """``target`` rests on ``underpinning``: an SLA target on an OLA or UC target, an OLA target on a UC target.

    Which links are allowed (no target on itself, no loop, only the kinds that underpin) is ``agreements.underpinning``;
    the forms and ``clean`` ask it. Every link made or removed is kept in the history of the agreement above.
    """

    target = models.ForeignKey(
        ServiceLevelTarget, on_delete=models.CASCADE, related_name="underpinning_links", verbose_name=_("target")
    )
    underpinning = models.ForeignKey(
        ServiceLevelTarget,
        on_delete=models.CASCADE,
        related_name="supporting_links",
        verbose_name=_("rests on"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = UnderpinningQuerySet.as_manager()

    class Meta:
        ordering = ["target", "underpinning"]
        verbose_name = _("underpinning link")
        verbose_name_plural = _("underpinning links")
        constraints = [
            models.UniqueConstraint(fields=["target", "underpinning"], name="underpinning_once"),
            models.CheckConstraint(condition=~models.Q(target=models.F("underpinning")), name="underpinning_not_self"),
        ]

    def __str__(self):
        upper, lower = self.target, self.underpinning
        return f"{upper.agreement.code}/{upper.code} → {lower.agreement.code}/{lower.code}"

    def clean(self):
        from agreements.underpinning import link_problems  # the rules read the stored links: no import cycle

        if not (self.target_id and self.underpinning_id):
            return
        others = [
            link.underpinning
            for link in Underpinning.objects.filter(target_id=self.target_id)
            .exclude(pk=self.pk)
            .select_related("underpinning__agreement")
        ]
        problems = link_problems(self.target, self.target.agreement.kind, [*others, self.underpinning])
        if problems:
            raise ValidationError({"underpinning": problems})
