"""Signal receivers of the monitoring app (connected in MonitoringConfig.ready)."""

from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from agreements.choices import MaintenanceStatus
from agreements.models import MaintenanceWindow
from monitoring.models import HourRollup, Indicator, Measurement
from monitoring.signals import notifications_pending
from monitoring.tasks import send_maintenance_notices, send_pending_notifications


@receiver(pre_delete, sender=Indicator, dispatch_uid="monitoring-delete-indicator-rows")
def delete_indicator_rows(sender, instance, **kwargs):
    """The measurement tables have no foreign-key constraint (for ingestion speed): clean up here."""
    for model in (Measurement, HourRollup):
        model.objects.filter(indicator_id=instance.pk).delete()


@receiver(notifications_pending, dispatch_uid="monitoring-queue-notifications")
def queue_notifications(sender, **kwargs):
    """Send the new notifications once the evaluation that wrote them has committed (a worker reads them then)."""
    transaction.on_commit(send_pending_notifications.delay)


@receiver(post_save, sender=MaintenanceWindow, dispatch_uid="monitoring-announce-approved-maintenance")
def announce_approved_maintenance(sender, instance, **kwargs):
    """A window approved (or changed while approved) is announced at once, not at beat's next run: the notices task
    runs once the change has committed. The agreements app knows nothing of it (Django's own signal)."""
    announced = instance.status == MaintenanceStatus.APPROVED or (
        instance.status == MaintenanceStatus.CANCELLED and instance.approved_at is not None
    )
    if announced and instance.customer_visible:
        transaction.on_commit(send_maintenance_notices.delay)
