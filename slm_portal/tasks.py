from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from slm_portal.models import Heartbeat

CELERY_HEARTBEAT = "celery"
EVALUATION_HEARTBEAT = "evaluation"


def record_named_heartbeat(name, now=None, hostname=""):
    """Upsert the heartbeat row called ``name``; returns it."""
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now or timezone.now(), "hostname": hostname[:255]}
    )
    return beat


def record_heartbeat(hostname="", now=None):
    return record_named_heartbeat(CELERY_HEARTBEAT, now, hostname)


def record_evaluation(sender, **kwargs):
    """Receiver of monitoring's evaluation_finished: the health page reports how long ago evaluation last ran."""
    record_named_heartbeat(EVALUATION_HEARTBEAT)


@shared_task(bind=True, time_limit=30, soft_time_limit=20)
def heartbeat(self):
    record_heartbeat(hostname=self.request.hostname or "")


@worker_ready.connect
def beat_once_at_start(sender, **kwargs):
    """A fresh worker reports at once instead of waiting for beat's first tick."""
    heartbeat.delay()
