from celery import shared_task
from django.conf import settings
from django.utils import timezone

from slm_portal.identity.record import prune


@shared_task(time_limit=300, soft_time_limit=240, acks_late=True)
def prune_sign_in_record():
    """Events older than SLM_SIGN_IN_RECORD_DAYS leave the record (a second run deletes nothing more)."""
    return prune(timezone.now(), settings.SLM_SIGN_IN_RECORD_DAYS)
