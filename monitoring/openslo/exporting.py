"""Write an agreement's targets as an OpenSLO v1 file: Services, SLIs, SLOs, AlertPolicies and AlertConditions.

The same agreement always gives the same bytes: documents in a fixed order (by kind, then name), keys in a fixed
order, and nothing that depends on the clock.
"""

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from core.formatting import plain_number
from monitoring.models import BurnRateRule, OpenSloMetadata
from monitoring.openslo import mapping
from monitoring.openslo.reading import API_VERSION


class ExportError(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def document(kind, name, display_name, spec, extra=None):
    metadata = {"name": name}
    if display_name:
        metadata["displayName"] = display_name
    labels = dict(sorted(extra.labels.items())) if extra else {}
    annotations = dict(extra.annotations) if extra else {}
    annotations.update(spec.pop("_annotations", {}))
    if labels:
        metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = dict(sorted(annotations.items()))
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def portal_source(indicator, field):
    return {"metricSource": {"type": mapping.SOURCE_TYPE, "spec": {"indicator": indicator.code, "field": field}}}


def sli_spec(indicator, extra):
    spec = {"description": indicator.description} if indicator.description else {}
    if extra and extra.metric:
        spec.update(extra.metric)
    elif indicator.sli_kind.judged:
        spec["thresholdMetric"] = portal_source(indicator, "value")
    else:
        spec["ratioMetric"] = {
            "counter": False,
            "good": portal_source(indicator, "good"),
            "total": portal_source(indicator, "total"),
        }
    return spec


def slo_annotations(target):
    notes = {mapping.WARNING: plain_number(target.warning_threshold), mapping.NO_DATA: target.missing_data}
    if target.service_hours_id:
        notes[mapping.SERVICE_HOURS] = target.service_hours.code
    if target.minimum_events:
        notes[mapping.MINIMUM] = str(target.minimum_events)
    tiers = list(target.credit_tiers.all())
    if tiers:
        notes[mapping.CREDITS] = ", ".join(
            f"{plain_number(tier.below_attainment)}:{plain_number(tier.credit_percent)}" for tier in tiers
        )
    return notes


def slo_spec(target, indicator, policies):
    spec = {"description": target.description} if target.description else {}
    spec["service"] = indicator.service.code
    spec["indicatorRef"] = indicator.code
    if target.window_kind == "rolling":
        spec["timeWindow"] = [{"duration": f"{target.rolling_days}d", "isRolling": True}]
    else:
        start = mapping.period_start(target.calendar_period, target.agreement.valid_from)
        zone = target.service_hours.time_zone if target.service_hours_id else settings.TIME_ZONE
        calendar = {"startTime": f"{start.isoformat()} 00:00:00", "timeZone": zone}
        spec["timeWindow"] = [
            {"duration": mapping.PERIODS[target.calendar_period], "isRolling": False, "calendar": calendar}
        ]
    spec["budgetingMethod"] = mapping.METHODS[target.method]
    objective = {"displayName": target.name}
    if indicator.sli_kind.judged:
        objective["op"] = indicator.operator
        objective["value"] = float(indicator.threshold)
    objective["target"] = float(target.objective_fraction)
    if target.method.judges_slices:
        objective["timeSliceTarget"] = float(target.slice_target.scaleb(-2))
    if not target.method.counts_events:
        objective["timeSliceWindow"] = mapping.minutes_text(target.slice_minutes)
    spec["objectives"] = [objective]
    if policies:
        spec["alertPolicies"] = policies
    spec["_annotations"] = slo_annotations(target)
    return spec


def export_documents(agreement):
    """The documents of the agreement's OpenSLO file; raises ``ExportError`` when a target cannot be written."""
    targets = list(
        agreement.targets.select_related("indicator_link__indicator__service", "service_hours", "agreement")
        .prefetch_related("credit_tiers")
        .order_by("code")
    )
    extras = {(row.kind, row.name): row for row in OpenSloMetadata.objects.filter(agreement=agreement)}
    problems, indicators, services = [], {}, {service.code: service for service in agreement.services.all()}
    for target in targets:
        link = getattr(target, "indicator_link", None)
        if link is None:
            problems.append(_("Target %(code)s measures no indicator.") % {"code": target.code})
            continue
        indicator = link.indicator
        if indicator.sli_kind.judged and indicator.operator not in ("lt", "lte", "gt", "gte"):
            problems.append(
                _("Indicator %(code)s compares with “%(op)s”, which OpenSLO has no operator for.")
                % {"code": indicator.code, "op": indicator.operator}
            )
        indicators[indicator.code] = indicator
        services[indicator.service.code] = indicator.service
    if problems:
        raise ExportError(problems)
    rules = sorted(BurnRateRule.objects.active(), key=lambda rule: mapping.rule_name(rule.name))
    policies = [mapping.rule_name(rule.name) for rule in rules]
    documents = []
    for code, service in sorted(services.items()):
        spec = {"description": service.description} if service.description else {}
        documents.append(document("Service", code, service.name, spec, extras.get(("Service", code))))
    for code, indicator in sorted(indicators.items()):
        extra = extras.get(("SLI", code))
        documents.append(document("SLI", code, indicator.name, sli_spec(indicator, extra), extra))
    for target in targets:
        spec = slo_spec(target, target.indicator_link.indicator, policies)
        documents.append(document("SLO", target.code, target.name, spec, extras.get(("SLO", target.code))))
    for name in policies:
        spec = {**mapping.POLICY_FLAGS, "conditions": [{"conditionRef": name}]}
        documents.append(document("AlertPolicy", name, "", spec, extras.get(("AlertPolicy", name))))
    for rule, name in zip(rules, policies, strict=True):
        condition = {
            "kind": "burnrate",
            "op": "gte",
            "threshold": float(rule.threshold),
            "lookbackWindow": mapping.minutes_text(rule.long_window_minutes),
            "alertAfter": mapping.minutes_text(rule.short_window_minutes),
        }
        spec = {"severity": rule.severity, "condition": condition}
        documents.append(document("AlertCondition", name, "", spec, extras.get(("AlertCondition", name))))
    return documents


def export_text(agreement):
    """The agreement's OpenSLO file as text (multi-document YAML)."""
    return yaml.safe_dump_all(
        export_documents(agreement), sort_keys=False, allow_unicode=True, explicit_start=True, width=120
    )
