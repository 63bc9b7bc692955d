"""Sending survey invitations: each person gets a personal link, by e-mail, exactly once per sending."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from requirements_analysis.models import SurveyInvitation


def send_invitations(campaign_id, resend=False, portal_url=None):
    """E-mail every invitation of the campaign not sent yet (or all, with ``resend``: their old links stop working).

    ``portal_url``: the address the page that sent them was reached at, for the links (``SurveyInvitation.link``:
    SLM_PORTAL_URL wins when it is set).

    Each invitation is claimed with a conditional UPDATE that also sets its new token's hash, so a task that runs
    twice sends each e-mail once. Returns how many were sent.
    """
    invitations = SurveyInvitation.objects.filter(campaign_id=campaign_id).select_related("campaign__customer")
    if not resend:
        invitations = invitations.filter(sent_at__isnull=True)
    sent = 0
    for invitation in invitations:
        previous = invitation.sent_at
        token = invitation.issue_token()
        claimed = SurveyInvitation.objects.filter(pk=invitation.pk, sent_at=previous).update(
            token_hash=invitation.token_hash, sent_at=timezone.now()
        )
        if not claimed:
            continue
        campaign = invitation.campaign
        with override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "requirements_analysis/email/invitation.txt",
                {"invitation": invitation, "campaign": campaign, "link": SurveyInvitation.link(token, portal_url)},
            )
            subject = _("%(portal)s: how do you rate our services? (%(period)s)") % {
                "portal": settings.SLM_PORTAL_NAME,
                "period": campaign.period_label,
            }
        try:
            send_mail(subject, body, None, [invitation.email], fail_silently=False)
        except Exception:
            # Not delivered to the mail server: release the claim, or this person would count as invited and never
            # get a link; the next sending tries again.
            SurveyInvitation.objects.filter(pk=invitation.pk).update(sent_at=previous)
            raise
        sent += 1
    return sent
