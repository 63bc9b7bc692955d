"""Celery tasks of the agreements app: thin wrappers around plain functions that tests call directly."""

from celery import shared_task
from django.utils import timezone

from agreements.expiry import expire_ended


@shared_task(time_limit=300, soft_time_limit=280)
def expire_agreements():
    """Daily: agreements whose end has passed are marked expired (and so leave evaluation)."""
    return expire_ended(timezone.localdate(), timezone.now())
