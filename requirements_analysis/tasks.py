"""Celery tasks of service requirements analysis: thin wrappers around plain functions."""

from celery import shared_task

from requirements_analysis.invitations import send_invitations


@shared_task(time_limit=300, soft_time_limit=280)
def send_survey_invitations(campaign_id, resend=False, portal_url=None):
    return send_invitations(campaign_id, resend=resend, portal_url=portal_url)
