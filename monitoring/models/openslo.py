"""What an OpenSLO file said that the portal has no field for: labels, annotations and another tool's metric
sources, kept per agreement and document so that an export writes them back."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from core.tenancy import TenantQuerySet


class OpenSloMetadataQuerySet(TenantQuerySet):
    customer_path = "agreement__customer"


class OpenSloMetadata(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="openslo_metadata")
    kind = models.CharField(_("kind"), max_length=20)
    name = models.CharField(_("name"), max_length=63)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    annotations = models.JSONField(_("annotations"), default=dict, blank=True)
    metric = models.JSONField(_("metric source"), default=dict, blank=True)

    objects = OpenSloMetadataQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "kind", "name"]
        verbose_name = _("OpenSLO metadata")
        verbose_name_plural = _("OpenSLO metadata")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "name"], name="openslo_metadata_unique_document"),
        ]

    def __str__(self):
        return f"{self.agreement.code} {self.kind}/{self.name}"
