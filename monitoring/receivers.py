"""Signal receivers of the monitoring app (connected in MonitoringConfig.ready)."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from monitoring.models import HourRollup, Indicator, Measurement


@receiver(pre_delete, sender=Indicator, dispatch_uid="monitoring-delete-indicator-rows")
def delete_indicator_rows(sender, instance, **kwargs):
    """The measurement tables have no foreign-key constraint (for ingestion speed): clean up here."""
    for model in (Measurement, HourRollup):
        model.objects.filter(indicator_id=instance.pk).delete()
