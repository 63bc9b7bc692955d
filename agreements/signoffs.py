"""Sending an agreement to its customer for sign-off, and the customer's answer.

Rules.

* A service manager sends a draft or active agreement with at least one target. The request freezes the terms as
  they are (``agreements.terms``); the customer signs that copy, whatever is edited afterwards.
* Versions number the distinct terms sent. Terms sent again unchanged after a rejection (or a withdrawal) keep the
  number of the request before; any change to the terms makes the next number. Terms already signed, or already
  waiting, are not sent again: the sender is told which version they are.
* One request waits at a time: sending a new version withdraws the one waiting (its record stays).
* Only a person of the agreement's own customer whose membership says "may sign agreements" answers, once: accept
  (a comment if they like) or reject (a comment is required). Anyone else is refused (the views answer 404 for
  another customer's agreement and 403 without the right), and nothing is stored.

Guarantees. The answer is recorded with a conditional UPDATE on a waiting request, so two answers at once record
one; a request is sent inside a transaction that locks the agreement's row, so two sends at once make one version.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementStatus, SignOffStatus
from agreements.models import Agreement, SignOff
from agreements.terms import differences, freeze, terms_hash
from core.tenancy import MEMBERSHIP_ACCESSOR


class SignOffRefused(Exception):
    """The request or the answer cannot be made; ``messages`` say why."""

    def __init__(self, messages):
        super().__init__(" ".join(str(message) for message in messages))
        self.messages = list(messages)


def may_sign(user, agreement):
    """True when ``user`` is an active person of the agreement's customer with the right to sign."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    try:
        membership = getattr(user, MEMBERSHIP_ACCESSOR)
    except ObjectDoesNotExist:
        return False
    return membership.customer_id == agreement.customer_id and membership.may_sign_agreements


def sending_problems(agreement, terms_digest=None):
    """Why the agreement's current terms cannot be sent for sign-off now ([] when they can)."""
    problems = []
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.ACTIVE):
        problems.append(
            _("An agreement that is %(status)s is not sent for sign-off.") % {"status": agreement.get_status_display()}
        )
    if not agreement.targets.exists():
        problems.append(_("An agreement needs at least one service level target before it is sent for sign-off."))
    digest = terms_digest or terms_hash(freeze(agreement))
    signed = agreement.sign_offs.signed().order_by("-requested_at", "-pk").first()
    if signed is not None and signed.terms_hash == digest:
        problems.append(_("These terms are signed already (version %(version)s).") % {"version": signed.version})
    waiting = agreement.sign_offs.pending().first()
    if waiting is not None and waiting.terms_hash == digest:
        problems.append(
            _("These terms are waiting for the customer's sign-off already (version %(version)s).")
            % {"version": waiting.version}
        )
    return problems


def send_for_sign_off(agreement, user, message="", now=None):
    """Freeze the agreement's terms and send them to its customer; returns the new SignOff.

    Raises ``SignOffRefused`` with the reasons when the terms cannot be sent (``sending_problems``)."""
    now = now or timezone.now()
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        terms = freeze(agreement)
        digest = terms_hash(terms)
        problems = sending_problems(agreement, digest)
        if problems:
            raise SignOffRefused(problems)
        latest = agreement.sign_offs.order_by("-requested_at", "-pk").first()
        if latest is not None and latest.terms_hash == digest:
            version = latest.version  # the same terms again, after a rejection or a withdrawal
        else:
            version = (agreement.sign_offs.aggregate(last=Max("version"))["last"] or 0) + 1
        agreement.sign_offs.filter(status=SignOffStatus.PENDING).update(status=SignOffStatus.WITHDRAWN)
        return SignOff.objects.create(
            agreement=agreement,
            version=version,
            terms=terms,
            terms_hash=digest,
            message=message.strip(),
            requested_by=user,
            requested_at=now,
        )


def answer(sign_off, user, accept, comment="", now=None):
    """Record the customer's answer to a waiting request: accepted, or rejected with a comment.

    Raises ``SignOffRefused`` when ``user`` may not sign this agreement, when a rejection has no comment, or when the
    request is no longer waiting (answered or withdrawn in the meantime); nothing is stored then."""
    comment = comment.strip()
    if not may_sign(user, sign_off.agreement):
        raise SignOffRefused([_("Only a person of the customer who may sign agreements answers a sign-off.")])
    if not accept and not comment:
        raise SignOffRefused([_("Say why the terms are rejected.")])
    status = SignOffStatus.ACCEPTED if accept else SignOffStatus.REJECTED
    recorded = SignOff.objects.filter(pk=sign_off.pk, status=SignOffStatus.PENDING).update(
        status=status, decided_by=user, decided_at=now or timezone.now(), comment=comment
    )
    if not recorded:
        raise SignOffRefused([_("This request is no longer waiting for an answer.")])
    sign_off.refresh_from_db()
    return sign_off


@dataclass
class SignOffState:
    """What the agreement page says about sign-off: every request (newest first), the last signed version, the one
    waiting, and how the current terms differ from the signed ones."""

    requests: list
    signed: SignOff | None
    pending: SignOff | None
    current_hash: str
    differences: list = field(default_factory=list)

    @property
    def current_terms_signed(self):
        return self.signed is not None and self.signed.terms_hash == self.current_hash

    @property
    def current_terms_waiting(self):
        return self.pending is not None and self.pending.terms_hash == self.current_hash

    @property
    def current_terms_to_send(self):
        """The current terms are neither signed nor waiting: sending them makes sense."""
        return not self.current_terms_signed and not self.current_terms_waiting


def sign_off_state(agreement):
    """The agreement's sign-off record in a fixed number of queries, whatever the number of requests."""
    requests = list(agreement.sign_offs.select_related("requested_by", "decided_by").order_by("-requested_at", "-pk"))
    signed = next((row for row in requests if row.status == SignOffStatus.ACCEPTED), None)
    pending = next((row for row in requests if row.status == SignOffStatus.PENDING), None)
    current = freeze(agreement)
    digest = terms_hash(current)
    lines = differences(signed.terms, current) if signed is not None and signed.terms_hash != digest else []
    return SignOffState(requests, signed, pending, digest, lines)
