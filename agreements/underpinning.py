"""Which targets a service level target may rest on, and why a link is refused.

An SLA's promise rests on the operational level agreements (OLAs, with the provider's own teams) and underpinning
contracts (UCs, with suppliers) behind it; an OLA's promise may rest on a UC in turn. So a link goes down that ladder
only: an SLA target rests on OLA and UC targets, an OLA target on UC targets, a UC target on nothing. A target never
rests on itself, and no chain of links leads back to where it started (a loop would make each promise the support of
itself). Whether the weaker promise underpins the stronger one well enough is another question, asked by the
monitoring app, which knows what each target measures (``monitoring.readout.chain``).
"""

from collections import deque

from django.utils.translation import gettext as _

from agreements.choices import AgreementKind
from agreements.models import ServiceLevelTarget, Underpinning

# The kinds of agreement whose targets a target of each kind may rest on.
MAY_REST_ON = {
    AgreementKind.SLA: (AgreementKind.OLA, AgreementKind.UC),
    AgreementKind.OLA: (AgreementKind.UC,),
    AgreementKind.UC: (),
}
UNDERPINNING_KINDS = (AgreementKind.OLA, AgreementKind.UC)


def label(target):
    """How a link's end is named in messages and lists: "hanbit-ops-ola / platform-up"."""
    return f"{target.agreement.code} / {target.code}"


def candidates():
    """The targets any target may be linked to: those of OLAs and UCs (the kind rules narrow it per target)."""
    return (
        ServiceLevelTarget.objects.filter(agreement__kind__in=UNDERPINNING_KINDS)
        .select_related("agreement")
        .order_by("agreement__code", "code")
    )


def link_problems(target, kind, chosen):
    """Why ``target`` (of an agreement of ``kind``) may not rest on the targets ``chosen``: a list of messages,
    empty when it may. One message is enough to refuse, so the first rule broken is the only one named: the target
    itself, then a loop, then kinds that cannot underpin it."""
    chosen = list(chosen)
    if not chosen:
        return []
    if target.pk and any(other.pk == target.pk for other in chosen):
        return [_("A target cannot rest on itself.")]
    if target.pk:
        loop = loop_through(target, chosen)
        if loop:
            return [
                _("These links would make a loop: %(path)s. A target cannot rest, even indirectly, on itself.")
                % {"path": " → ".join(loop)}
            ]
    allowed = MAY_REST_ON[AgreementKind(kind)]
    wrong = [other for other in chosen if other.agreement.kind not in allowed]
    if not wrong:
        return []
    names = ", ".join(label(other) for other in wrong)
    if kind == AgreementKind.SLA:
        return [_("An SLA target may rest only on targets of OLAs and UCs, not on %(targets)s.") % {"targets": names}]
    if kind == AgreementKind.OLA:
        return [_("An OLA target may rest only on targets of UCs, not on %(targets)s.") % {"targets": names}]
    return [_("A target of an underpinning contract (UC) rests on no other target.")]


def loop_through(target, chosen):
    """The labels of a path target → one of ``chosen`` → … → target along the stored links (the target's own links
    replaced by ``chosen``), or None when the links lead nowhere back. Reads the links once: they are few."""
    below = {}
    for upper, lower in Underpinning.objects.values_list("target_id", "underpinning_id"):
        below.setdefault(upper, set()).add(lower)
    below[target.pk] = {other.pk for other in chosen}
    came_from = {}
    queue = deque(sorted(below[target.pk]))
    for first in queue:
        came_from[first] = target.pk
    while queue:
        current = queue.popleft()
        if current == target.pk:
            path = [current]
            step = came_from[current]
            while step != target.pk:
                path.append(step)
                step = came_from[step]
            path.append(target.pk)
            names = {
                row.pk: label(row) for row in ServiceLevelTarget.objects.filter(pk__in=path).select_related("agreement")
            }
            return [names[pk] for pk in reversed(path)]
        for lower in sorted(below.get(current, ())):
            if lower not in came_from:
                came_from[lower] = current
                queue.append(lower)
    return None


def kind_change_problems(agreement, new_kind):
    """Why ``agreement`` may not become an agreement of ``new_kind``: targets of other agreements rest on its targets
    and could not rest on a target of that kind. Its own targets' links are checked by their forms."""
    if not agreement.pk:
        return []
    supported = (
        ServiceLevelTarget.objects.filter(rests_on__agreement=agreement)
        .exclude(agreement=agreement)
        .select_related("agreement")
        .distinct()
        .order_by("agreement__code", "code")
    )
    blocked = [upper for upper in supported if new_kind not in MAY_REST_ON[AgreementKind(upper.agreement.kind)]]
    if not blocked:
        return []
    return [
        _(
            "Targets of other agreements rest on this agreement's targets (%(targets)s): an agreement of this kind "
            "could not underpin them. Remove those links first."
        )
        % {"targets": ", ".join(label(upper) for upper in blocked)}
    ]
