"""Agreements coming to their end: those ending soon, listed for their owners and on the overview, and the daily step
that marks an agreement expired once its end has passed.

An agreement is in force from the start of its *valid from* day up to the start of its *valid to* day, in each
target's time zone (``monitoring.evaluation.plan`` clips every period there). The day after its *valid to* day (in
the portal's zone) the daily task marks it expired, through the workflow like the button does; evaluation only ever
evaluates active agreements, so from then on nothing of it is evaluated. Before the status changes, the extensions
registered with ``agreements.extensions.agreement_expiry`` settle what must be done while it is still active (the
monitoring app closes and freezes its last periods) or ask to wait for a later run.
"""

import datetime as dt

from agreements.choices import AgreementStatus
from agreements.extensions import agreement_expiry
from agreements.models import Agreement
from core.workflow import TransitionNotAllowed

ENDING_SOON_DAYS = 60


def ending_within(agreements, today, days=ENDING_SOON_DAYS):
    """The active agreements of the queryset ``agreements`` whose *valid to* is at most ``days`` days after ``today``,
    soonest first; one whose end has passed but which the daily task has not marked yet is listed too."""
    return (
        agreements.filter(status=AgreementStatus.ACTIVE, valid_to__isnull=False)
        .filter(valid_to__lte=today + dt.timedelta(days=days))
        .select_related("customer", "owner")
        .order_by("valid_to", "code")
    )


def days_left(agreement, today):
    """Days from ``today`` to the agreement's *valid to* day (0 on the day, negative once it has passed)."""
    return (agreement.valid_to - today).days


def expire_ended(today, now):
    """Mark expired every active agreement whose *valid to* day is before ``today``; returns their codes.

    Idempotent: an expired agreement is not active, so a second run finds nothing. An agreement an extension is not
    ready to let go (a last period still in its grace somewhere west of here) stays active until a later run.
    """
    expired = []
    for agreement in Agreement.objects.active().filter(valid_to__lt=today).order_by("code"):
        if not all(extension.settle(agreement, now) for extension in agreement_expiry):
            continue
        try:
            agreement.transition_to(AgreementStatus.EXPIRED)
        except TransitionNotAllowed:
            continue  # someone moved it meanwhile (terminated it, say): the workflow's answer stands
        expired.append(agreement.code)
    return expired
