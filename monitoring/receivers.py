"""Signal receivers of the monitoring app (connected in MonitoringConfig.ready)."""

from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from monitoring.models import HourRollup, Indicator, Measurement
from monitoring.signals import notifications_pending
from monitoring.tasks import send_pending_notifications


@receiver(pre_delete, sender=Indicator, dispatch_uid="monitoring-delete-indicator-rows")
def delete_indicator_rows(sender, instance, **kwargs):
    """The measurement tables have no foreign-key constraint (for ingestion speed): clean up here."""
    for model in (Measurement, HourRollup):
        model.objects.filter(indicator_id=instance.pk).delete()


@receiver(notifications_pending, dispatch_uid="monitoring-queue-notifications")
def queue_notifications(sender, **kwargs):
    """Send the new notifications once the evaluation that wrote them has committed (a worker reads them then)."""
    transaction.on_commit(send_pending_notifications.delay)
