"""Reminders of service reviews: the agreement's owner hears that its next review is coming, and that it has passed.

Who. The owner of an active agreement with a next review date, when the owner's account is active and has an
e-mail address (as the action digest: one person, by e-mail). An agreement without an owner reminds nobody.

When (``send_review_reminders(today)``: Celery beat once a day, and any run after it):

* ``ahead``: from SLM_REVIEW_REMINDER_DAYS (14) days before the next review date up to that day itself;
* ``overdue``: from the day after the next review date, while no review has moved it on.

A reminder first due on a day beat missed goes out on the next run; an agreement whose date has already passed when
first seen gets only the ``overdue`` one. Holding a review sets a new date, and the new date's reminders follow the
same rules.

Guarantees. Each reminder is one ``ReviewReminder`` row, unique per (agreement, review date, kind), claimed before
the e-mail goes: a run repeated, or two runs at once, send each reminder at most once. A reminder the mail server
refused gives its claim back, so the next run tries again. The e-mail is written in the portal's language
(LANGUAGE_CODE) and its dates in the portal's form, as the other e-mails the workers send.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Agreement
from improvement.choices import ReminderKind
from improvement.models import ReviewReminder

logger = logging.getLogger(__name__)


def lead_days():
    return settings.SLM_REVIEW_REMINDER_DAYS


def due_kind(next_review, today, lead=None):
    """Which reminder a review on ``next_review`` is due on ``today``: ``ahead``, ``overdue`` or None."""
    lead = lead_days() if lead is None else lead
    if next_review is None:
        return None
    if today > next_review:
        return ReminderKind.OVERDUE
    if next_review - dt.timedelta(days=lead) <= today:
        return ReminderKind.AHEAD
    return None


def due_reminders(today, lead=None):
    """[(agreement, kind)] of the reminders due on ``today`` that were not sent yet."""
    lead = lead_days() if lead is None else lead
    agreements = (
        Agreement.objects.active()
        .filter(next_review__isnull=False, next_review__lte=today + dt.timedelta(days=lead), owner__is_active=True)
        .exclude(owner__email="")
        .select_related("owner", "customer")
        .order_by("next_review", "code")
    )
    sent = set(
        ReviewReminder.objects.filter(agreement__in=agreements).values_list("agreement_id", "review_date", "kind")
    )
    due = []
    for agreement in agreements:
        kind = due_kind(agreement.next_review, today, lead)
        if kind is not None and (agreement.pk, agreement.next_review, kind.value) not in sent:
            due.append((agreement, kind))
    return due


def message(agreement, kind, today):
    """(subject, text) of a reminder, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        days = (agreement.next_review - today).days
        names = {"code": agreement.code, "title": agreement.title, "customer": agreement.customer.name}
        if kind == ReminderKind.AHEAD:
            headline = _("The review of %(code)s with %(customer)s is coming") % names
        else:
            headline = _("The review of %(code)s with %(customer)s is overdue") % names
        portal_url = settings.SLM_PORTAL_URL.rstrip("/")
        text = render_to_string(
            "improvement/email/review_reminder.txt",
            {
                "agreement": agreement,
                "kind": kind.value,
                "days": days,
                "days_late": -days,
                "headline": headline,
                "agreement_url": portal_url + agreement.get_absolute_url(),
                "record_url": portal_url + reverse("improvement:review_create", kwargs={"code": agreement.code}),
            },
        )
    return f"{settings.SLM_PORTAL_NAME}: {headline}", text


def send_review_reminders(today=None):
    """Send the reminders due ``today`` (default: the portal's today); returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for agreement, kind in due_reminders(today):
        address = agreement.owner.email
        try:
            with transaction.atomic():
                claim = ReviewReminder.objects.create(
                    agreement=agreement, review_date=agreement.next_review, kind=kind, recipient=address
                )
        except IntegrityError:
            continue  # another run claimed it
        subject, text = message(agreement, kind, today)
        try:
            send_mail(subject, text, None, [address], fail_silently=False)
        except Exception as error:  # noqa: BLE001 - any failure of the mail server: the next run tries again
            logger.warning("review reminder for %s not sent: %s", agreement.code, error)
            claim.delete()
            continue
        sent += 1
    return sent
