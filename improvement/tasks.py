"""Celery tasks of service level improvement: thin wrappers around plain functions."""

from celery import shared_task

from improvement.digest import send_digests
from improvement.review_reminders import send_review_reminders as send_due_review_reminders


@shared_task(time_limit=300, soft_time_limit=280)
def send_action_digests():
    return send_digests()


@shared_task(time_limit=300, soft_time_limit=280)
def send_review_reminders():
    return send_due_review_reminders()
