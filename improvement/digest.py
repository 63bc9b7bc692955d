"""The daily digest: each action owner gets one e-mail a day listing their overdue and soon-due actions."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from improvement.models import Action, DigestDelivery

SOON_DAYS = 7


def due_actions(today, soon_days=SOON_DAYS):
    """{owner: [actions]} of open actions overdue or due within ``soon_days``, for active owners with an e-mail."""
    actions = (
        Action.objects.open()
        .filter(due_date__isnull=False, due_date__lte=today + dt.timedelta(days=soon_days), owner__is_active=True)
        .exclude(owner__email="")
        .select_related("owner", "plan")
        .order_by("due_date", "pk")
    )
    by_owner = defaultdict(list)
    for action in actions:
        by_owner[action.owner].append(action)
    return by_owner


def send_digests(today=None):
    """Send today's digests; an owner already sent one today is skipped (claimed by a unique row). Returns the count."""
    today = today or timezone.localdate()
    sent = 0
    for owner, actions in due_actions(today).items():
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(owner=owner, day=today, actions=len(actions))
        except IntegrityError:
            continue  # another run already claimed this owner's digest for today
        overdue = [action for action in actions if action.due_date < today]
        soon = [action for action in actions if action.due_date >= today]
        body = render_to_string(
            "improvement/email/digest.txt",
            {
                "owner": owner,
                "overdue": overdue,
                "soon": soon,
                "today": today,
                "portal_url": settings.SLM_PORTAL_URL.rstrip("/"),
            },
        )
        subject = _("%(portal)s: %(overdue)s overdue and %(soon)s soon-due improvement actions") % {
            "portal": settings.SLM_PORTAL_NAME,
            "overdue": len(overdue),
            "soon": len(soon),
        }
        send_mail(subject, body, None, [owner.email], fail_silently=False)
        sent += 1
    return sent
