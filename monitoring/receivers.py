"""Signal receivers of the monitoring app (connected in MonitoringConfig.ready)."""

from threading import local

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from agreements.choices import MaintenanceStatus
from agreements.models import BusinessCalendar, Holiday, MaintenanceWindow, WorkingPeriod
from monitoring.kinds import TICKET
from monitoring.models import HourRollup, Indicator, Measurement
from monitoring.signals import notifications_pending
from monitoring.tasks import (
    rebuild_service_ticket_clocks,
    rebuild_ticket_clocks,
    send_maintenance_notices,
    send_pending_notifications,
)


@receiver(pre_delete, sender=Indicator, dispatch_uid="monitoring-delete-indicator-rows")
def delete_indicator_rows(sender, instance, **kwargs):
    """The measurement tables have no foreign-key constraint (for ingestion speed): clean up here."""
    for model in (Measurement, HourRollup):
        model.objects.filter(indicator_id=instance.pk).delete()
    if instance.kind == TICKET.value and instance.customer_id:
        pair = (instance.customer_id, instance.service_id)
        transaction.on_commit(lambda: rebuild_service_ticket_clocks.delay(*pair))


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


_calendars_changed = local()


def _calendar_changed(calendar_id):
    """Open tickets' clocks run on the business hours of their ticket indicators: rebuild them after an edit of those
    hours (working periods, holidays, the time zone), once, when the edit has committed."""
    if not hasattr(_calendars_changed, "ids"):
        _calendars_changed.ids = set()
    _calendars_changed.ids.add(calendar_id)
    transaction.on_commit(_rebuild_after_calendar_edits)


def _rebuild_after_calendar_edits():
    """The first callback after a commit takes every calendar edited; the others find nothing left to do."""
    calendar_ids, _calendars_changed.ids = _calendars_changed.ids, set()
    if not calendar_ids:
        return
    indicators = list(
        Indicator.objects.filter(kind=TICKET.value, business_hours_id__in=calendar_ids).values_list("pk", flat=True)
    )
    if indicators:
        rebuild_ticket_clocks.delay(indicators)


@receiver(post_save, sender=WorkingPeriod, dispatch_uid="monitoring-ticket-hours-saved")
@receiver(post_delete, sender=WorkingPeriod, dispatch_uid="monitoring-ticket-hours-deleted")
@receiver(post_save, sender=Holiday, dispatch_uid="monitoring-ticket-holiday-saved")
@receiver(post_delete, sender=Holiday, dispatch_uid="monitoring-ticket-holiday-deleted")
def business_hours_changed(sender, instance, **kwargs):
    _calendar_changed(instance.calendar_id)


@receiver(post_save, sender=BusinessCalendar, dispatch_uid="monitoring-ticket-calendar-saved")
def business_calendar_saved(sender, instance, created, **kwargs):
    if not created:  # its time zone may have changed
        _calendar_changed(instance.pk)
