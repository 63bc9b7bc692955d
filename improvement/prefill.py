"""Where a plan starts from: a breach, an at-risk target, a requirement, a service of the priorities page, or a
service review's decision.

Each returns the initial values of the plan form, read through `.for_user()`; None when the source is not found.
"""

from django.utils.translation import gettext as _

from agreements.models import Agreement, Service, ServiceLevelTarget
from core.formatting import plain_number
from improvement.choices import DecisionKind
from improvement.models import ReviewDecision, ReviewMeeting
from monitoring import slo
from monitoring.models import Breach, ComplianceSnapshot
from requirements_analysis.analysis import requirement_scores, service_views
from requirements_analysis.drafts import objective_from
from requirements_analysis.models import ServiceLevelRequirement


def _services_of(target):
    link = getattr(target, "indicator_link", None)
    return [link.indicator.service] if link else list(target.agreement.services.all())


def _percent(value):
    return None if value is None else slo.rounded(slo.to_percent(value), 4)


def from_breach(user, breach_id):
    breach = Breach.objects.for_user(user).select_related("target__agreement__customer").filter(pk=breach_id).first()
    if breach is None:
        return None
    target = breach.target
    return {
        "title": _("Bring %(target)s back over %(objective)s %%")
        % {"target": target.name, "objective": plain_number(target.objective)},
        "customer": target.agreement.customer,
        "services": _services_of(target),
        "problem": _("%(target)s (%(agreement)s) breached in %(period)s: %(kind)s, attainment %(attainment)s %%.")
        % {
            "target": target.name,
            "agreement": target.agreement.code,
            "period": breach.period_label,
            "kind": breach.get_kind_display(),
            "attainment": plain_number(_percent(breach.attainment)) if breach.attainment is not None else "—",
        },
        "breaches": [breach],
        "targets": [target],
        "goal_target": target,
        "baseline_attainment": _percent(breach.attainment),
        "desired_attainment": target.objective,
    }


def from_target(user, agreement_code, target_code):
    target = (
        ServiceLevelTarget.objects.filter(agreement__in=Agreement.objects.for_user(user))
        .select_related("agreement__customer")
        .filter(agreement__code=agreement_code, code=target_code)
        .first()
    )
    if target is None:
        return None
    current = ComplianceSnapshot.objects.filter(target=target, is_current=True).first()
    status = current.get_status_display() if current else _("no data")
    baseline = _percent(current.attainment) if current else None
    if baseline is not None and baseline >= target.objective:
        # At risk but still over the objective: the plan protects the objective rather than climbing to it, and a
        # baseline over the goal would make the pre-filled form fail its own check (the goal above the baseline).
        baseline = None
    return {
        "title": _("Protect %(target)s") % {"target": target.name},
        "customer": target.agreement.customer,
        "services": _services_of(target),
        "problem": _("%(target)s (%(agreement)s) is %(status)s in %(period)s.")
        % {
            "target": target.name,
            "agreement": target.agreement.code,
            "status": status,
            "period": current.period_label if current else "—",
        },
        "targets": [target],
        "goal_target": target,
        "baseline_attainment": baseline,
        "desired_attainment": target.objective,
    }


def from_requirement(user, code):
    requirement = (
        ServiceLevelRequirement.objects.for_user(user).filter(code=code).select_related("customer", "service").first()
    )
    if requirement is None:
        return None
    scored = requirement_scores(user, ServiceLevelRequirement.objects.filter(pk=requirement.pk))
    return {
        "title": requirement.statement[:200],
        "customer": requirement.customer,
        "services": [requirement.service],
        "problem": requirement.statement,
        "requirements": [requirement],
        "desired_attainment": objective_from(requirement.desired_level, default=None)
        if requirement.desired_level
        else None,
        "priority_score": scored[0][1].total if scored else None,
    }


def from_service(user, code):
    service = Service.objects.for_user(user).filter(code=code).first()
    if service is None:
        return None
    view = next((view for view in service_views(user) if view.service.pk == service.pk), None)
    return {
        "title": _("Improve %(service)s") % {"service": service.name},
        "services": [service],
        "problem": _("%(service)s ranks high on the priorities page.") % {"service": service.name},
        "priority_score": view.score.total if view else None,
    }


def from_decision(user, decision_id):
    """A service review's decision to start a plan: its words are the problem, the agreement's customer and services
    the plan's. Only a decision of that kind, of a review the user sees."""
    decision = (
        ReviewDecision.objects.filter(
            meeting__in=ReviewMeeting.objects.for_user(user), kind=DecisionKind.START_PLAN, pk=decision_id
        )
        .select_related("meeting__agreement__customer")
        .first()
    )
    if decision is None:
        return None
    agreement = decision.meeting.agreement
    first_line = decision.text.strip().splitlines()[0] if decision.text.strip() else agreement.title
    return {
        "title": first_line[:200],
        "customer": agreement.customer,
        "services": list(agreement.services.all()),
        "problem": _("%(text)s\n\n(Decided in the service review of %(agreement)s on %(date)s.)")
        % {"text": decision.text.strip(), "agreement": agreement.code, "date": decision.meeting.held_on.isoformat()},
        "decision": decision,
    }


def initial_for(user, params):
    """The plan form's initial values from the request's query (?breach=, ?target=AGREEMENT/TARGET, ?requirement=,
    ?service=, ?decision= a service review's decision), or {} when none is given; None when the one given is not
    found (the view answers 404)."""
    if "breach" in params:
        return from_breach(user, params["breach"]) if params["breach"].isdigit() else None
    if "target" in params:
        agreement_code, _sep, target_code = params["target"].partition("/")
        return from_target(user, agreement_code, target_code)
    if "requirement" in params:
        return from_requirement(user, params["requirement"])
    if "service" in params:
        return from_service(user, params["service"])
    if "decision" in params:
        return from_decision(user, params["decision"]) if params["decision"].isdigit() else None
    return {}
