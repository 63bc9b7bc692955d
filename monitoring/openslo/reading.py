"""Read an OpenSLO v1 file safely and check it against the specification, strictly.

The file is refused before parsing when it is over ``MAX_BYTES``; YAML aliases are refused outright (a "billion
laughs" file expands without end through them, and OpenSLO needs none). Every problem names its YAML path:
``#2 spec.timeWindow[0].duration`` is the second document's window duration.
"""

import datetime as dt
import re
from dataclasses import dataclass

import yaml
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 10 * 1024 * 1024
API_VERSION = "openslo/v1"
KINDS = ("Service", "SLI", "SLO", "AlertPolicy", "AlertCondition")
UNMAPPED_KINDS = ("DataSource", "AlertNotificationTarget")  # OpenSLO v1 kinds the portal keeps elsewhere
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DURATION = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")
START_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
BUDGETING_METHODS = ("Occurrences", "Timeslices", "RatioTimeslices")
OPERATORS = ("lt", "lte", "gt", "gte")
SEVERITIES = None  # free text in the specification


class OpenSloError(Exception):
    """The file cannot be read at all (too big, not YAML, an alias); nothing in it is used."""


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise OpenSloError(
                _("YAML aliases are not accepted (line %(line)s).") % {"line": event.start_mark.line + 1}
            )
        return super().compose_node(parent, index)


def load(data):
    """The documents of a file (bytes or text), each a dict or whatever the YAML holds; raises ``OpenSloError``."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise OpenSloError(_("The file is over 10 MB."))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise OpenSloError(_("The file is not UTF-8 text.")) from None
    try:
        documents = [doc for doc in yaml.load_all(text, Loader=_NoAliasLoader) if doc is not None]  # noqa: S506
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise OpenSloError(_("The file is not valid YAML (line %(line)s).") % {"line": line}) from None
    if not documents:
        raise OpenSloError(_("The file holds no document."))
    return documents


class Checker:
    """Collects problems while walking a document; each ``need_*`` returns the value or None."""

    def __init__(self):
        self.problems = []

    def problem(self, path, message):
        if all(problem.path != path for problem in self.problems):  # one problem a path: the first says it
            self.problems.append(Problem(path, str(message)))

    def mapping(self, value, path, required=(), optional=()):
        if not isinstance(value, dict):
            self.problem(path, _("must be a mapping"))
            return None
        for key in value:
            if key not in required and key not in optional:
                self.problem(f"{path}.{key}", _("is not a field of OpenSLO v1 here"))
        for key in required:
            if key not in value:
                self.problem(f"{path}.{key}", _("is required"))
        return value

    def string(self, value, path, allow_empty=True):
        if not isinstance(value, str) or (not allow_empty and not value):
            self.problem(path, _("must be a string") if allow_empty else _("must be a non-empty string"))
            return None
        return value

    def boolean(self, value, path):
        if not isinstance(value, bool):
            self.problem(path, _("must be true or false"))
            return None
        return value

    def number(self, value, path):
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, _("must be a number"))
            return None
        return value

    def name(self, value, path):
        if not isinstance(value, str) or not NAME.match(value):
            self.problem(
                path, _("must be a name of lower-case letters, digits and hyphens, at most 63, as in RFC 1123")
            )
            return None
        return value

    def duration(self, value, path):
        if not isinstance(value, str) or not DURATION.match(value):
            self.problem(path, _("must be a duration such as 5m, 1h, 28d, 1w, 1M, 1Q or 1Y"))
            return None
        return value

    def choice(self, value, path, choices):
        if value not in choices:
            self.problem(path, _("must be one of %(choices)s") % {"choices": ", ".join(choices)})
            return None
        return value

    def sequence(self, value, path, allow_empty=False):
        if not isinstance(value, list) or (not allow_empty and not value):
            self.problem(path, _("must be a list") if allow_empty else _("must be a non-empty list"))
            return None
        return value


def check_metadata(checker, metadata, path):
    metadata = checker.mapping(metadata, path, ("name",), ("displayName", "labels", "annotations"))
    if metadata is None:
        return
    checker.name(metadata.get("name"), f"{path}.name")
    if "displayName" in metadata:
        checker.string(metadata["displayName"], f"{path}.displayName")
    labels = metadata.get("labels", {})
    if checker.mapping(labels, f"{path}.labels", (), tuple(labels) if isinstance(labels, dict) else ()) is not None:
        for key, value in labels.items():
            ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            if not isinstance(key, str) or not ok:
                checker.problem(f"{path}.labels.{key}", _("a label is a string or a list of strings"))
    notes = metadata.get("annotations", {})
    if checker.mapping(notes, f"{path}.annotations", (), tuple(notes) if isinstance(notes, dict) else ()) is not None:
        for key, value in notes.items():
            if not isinstance(key, str) or not isinstance(value, str):
                checker.problem(f"{path}.annotations.{key}", _("an annotation is a string"))


def check_metric_source(checker, value, path):
    source = checker.mapping(value, path, ("metricSource",))
    if source is None:
        return
    inner = checker.mapping(source["metricSource"], f"{path}.metricSource", ("type", "spec"), ("metricSourceRef",))
    if inner is not None:
        checker.string(inner.get("type"), f"{path}.metricSource.type", allow_empty=False)
        checker.mapping(inner.get("spec"), f"{path}.metricSource.spec", (), tuple(inner.get("spec") or ()))


def check_sli_spec(checker, spec, path):
    spec = checker.mapping(spec, path, (), ("description", "thresholdMetric", "ratioMetric"))
    if spec is None:
        return
    if "description" in spec:
        checker.string(spec["description"], f"{path}.description")
    if ("thresholdMetric" in spec) == ("ratioMetric" in spec):
        checker.problem(path, _("needs exactly one of thresholdMetric and ratioMetric"))
    if "thresholdMetric" in spec:
        check_metric_source(checker, spec["thresholdMetric"], f"{path}.thresholdMetric")
    if "ratioMetric" in spec:
        ratio = checker.mapping(
            spec["ratioMetric"], f"{path}.ratioMetric", (), ("counter", "good", "bad", "total", "rawType", "raw")
        )
        if ratio is None:
            return
        if "counter" in ratio:  # the specification's own examples leave it out
            checker.boolean(ratio["counter"], f"{path}.ratioMetric.counter")
        if "raw" in ratio:
            check_metric_source(checker, ratio["raw"], f"{path}.ratioMetric.raw")
            checker.choice(ratio.get("rawType"), f"{path}.ratioMetric.rawType", ("success", "failure"))
            if {"good", "bad", "total"} & set(ratio):
                checker.problem(f"{path}.ratioMetric", _("a raw ratio has no good, bad or total"))
            return
        if "total" not in ratio or ("good" in ratio) == ("bad" in ratio):
            checker.problem(f"{path}.ratioMetric", _("needs total and exactly one of good and bad"))
        for part in ("good", "bad", "total"):
            if part in ratio:
                check_metric_source(checker, ratio[part], f"{path}.ratioMetric.{part}")


def check_slo_spec(checker, spec, path):
    fields = ("description", "service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod")
    spec = checker.mapping(spec, path, ("service", "budgetingMethod", "objectives"), (*fields, "alertPolicies"))
    if spec is None:
        return
    if "description" in spec:
        checker.string(spec["description"], f"{path}.description")
    checker.name(spec.get("service"), f"{path}.service")
    checker.choice(spec.get("budgetingMethod"), f"{path}.budgetingMethod", BUDGETING_METHODS)
    if "indicator" in spec and "indicatorRef" in spec:
        checker.problem(path, _("has both indicator and indicatorRef"))
    if "indicatorRef" in spec:
        checker.name(spec["indicatorRef"], f"{path}.indicatorRef")
    if "indicator" in spec:
        inline = checker.mapping(spec["indicator"], f"{path}.indicator", ("metadata", "spec"))
        if inline is not None:
            check_metadata(checker, inline["metadata"], f"{path}.indicator.metadata")
            check_sli_spec(checker, inline["spec"], f"{path}.indicator.spec")
    windows = spec.get("timeWindow")
    if "timeWindow" in spec and checker.sequence(windows, f"{path}.timeWindow") is not None:
        for index, window in enumerate(windows):
            here = f"{path}.timeWindow[{index}]"
            window = checker.mapping(window, here, ("duration", "isRolling"), ("calendar",))
            if window is None:
                continue
            checker.duration(window.get("duration"), f"{here}.duration")
            rolling = checker.boolean(window.get("isRolling"), f"{here}.isRolling")
            if rolling is False and "calendar" not in window:
                checker.problem(f"{here}.calendar", _("is required when isRolling is false"))
            if "calendar" in window:
                calendar = checker.mapping(window["calendar"], f"{here}.calendar", ("startTime", "timeZone"))
                if calendar is not None:
                    start = calendar.get("startTime")
                    if isinstance(start, dt.datetime) and start.tzinfo is None:  # YAML reads an unquoted time itself
                        start = calendar["startTime"] = start.strftime("%Y-%m-%d %H:%M:%S")
                    if not isinstance(start, str) or not START_TIME.match(start):
                        checker.problem(f"{here}.calendar.startTime", _("must be a time such as 2022-01-01 12:00:00"))
                    checker.string(calendar.get("timeZone"), f"{here}.calendar.timeZone", allow_empty=False)
    objectives = spec.get("objectives")
    if checker.sequence(objectives, f"{path}.objectives") is not None:
        for index, objective in enumerate(objectives):
            here = f"{path}.objectives[{index}]"
            optional = ("displayName", "op", "value", "target", "targetPercent", "timeSliceTarget", "timeSliceWindow")
            objective = checker.mapping(
                objective, here, (), (*optional, "indicator", "indicatorRef", "compositeWeight")
            )
            if objective is None:
                continue
            if ("target" in objective) == ("targetPercent" in objective):
                checker.problem(here, _("needs exactly one of target and targetPercent"))
            for key in ("target", "targetPercent", "value", "timeSliceTarget", "compositeWeight"):
                if key in objective:
                    checker.number(objective[key], f"{here}.{key}")
            if "op" in objective:
                checker.choice(objective["op"], f"{here}.op", OPERATORS)
            if "timeSliceWindow" in objective:
                checker.duration(objective["timeSliceWindow"], f"{here}.timeSliceWindow")
            if "displayName" in objective:
                checker.string(objective["displayName"], f"{here}.displayName")
    if spec.get("alertPolicies") is None:  # "alertPolicies:" with nothing after it, as the specification's examples
        spec.pop("alertPolicies", None)
    elif checker.sequence(spec["alertPolicies"], f"{path}.alertPolicies", True) is not None:
        for index, policy in enumerate(spec["alertPolicies"]):
            checker.name(policy, f"{path}.alertPolicies[{index}]")


def check_alert_condition_spec(checker, spec, path):
    spec = checker.mapping(spec, path, ("severity", "condition"), ("description",))
    if spec is None:
        return
    if "description" in spec:
        checker.string(spec["description"], f"{path}.description")
    checker.string(spec.get("severity"), f"{path}.severity", allow_empty=False)
    condition = checker.mapping(
        spec.get("condition"), f"{path}.condition", ("kind", "op", "threshold", "lookbackWindow", "alertAfter")
    )
    if condition is not None:
        checker.choice(condition.get("kind"), f"{path}.condition.kind", ("burnrate",))
        checker.choice(condition.get("op"), f"{path}.condition.op", OPERATORS)
        checker.number(condition.get("threshold"), f"{path}.condition.threshold")
        checker.duration(condition.get("lookbackWindow"), f"{path}.condition.lookbackWindow")
        checker.duration(condition.get("alertAfter"), f"{path}.condition.alertAfter")


def check_alert_policy_spec(checker, spec, path):
    optional = ("description", "alertWhenNoData", "alertWhenResolved", "alertWhenBreaching", "notificationTargets")
    spec = checker.mapping(spec, path, ("conditions",), optional)
    if spec is None:
        return
    for key in ("alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"):
        if key in spec:
            checker.boolean(spec[key], f"{path}.{key}")
    conditions = checker.sequence(spec.get("conditions"), f"{path}.conditions")
    if conditions is not None:
        if len(conditions) > 1:
            checker.problem(f"{path}.conditions", _("holds one condition in OpenSLO v1"))
        for index, condition in enumerate(conditions):
            here = f"{path}.conditions[{index}]"
            if isinstance(condition, dict) and "conditionRef" in condition:
                checker.mapping(condition, here, ("conditionRef",))
                checker.name(condition.get("conditionRef"), f"{here}.conditionRef")
            else:
                inline = checker.mapping(condition, here, ("kind", "metadata", "spec"))
                if inline is not None:
                    checker.choice(inline.get("kind"), f"{here}.kind", ("AlertCondition",))
                    check_metadata(checker, inline.get("metadata"), f"{here}.metadata")
                    check_alert_condition_spec(checker, inline.get("spec"), f"{here}.spec")
    if "notificationTargets" in spec:
        checker.sequence(spec["notificationTargets"], f"{path}.notificationTargets", allow_empty=True)


SPEC_CHECKS = {
    "Service": lambda checker, spec, path: (
        checker.mapping(spec, path, (), ("description",)) is not None
        and "description" in spec
        and checker.string(spec["description"], f"{path}.description")
    ),
    "SLI": check_sli_spec,
    "SLO": check_slo_spec,
    "AlertPolicy": check_alert_policy_spec,
    "AlertCondition": check_alert_condition_spec,
}


def check(documents):
    """The problems of the documents against OpenSLO v1 (an empty list: the file is valid)."""
    checker = Checker()
    seen = set()
    for number, document in enumerate(documents, start=1):
        path = f"#{number}"
        document = checker.mapping(document, path, ("apiVersion", "kind", "metadata", "spec"))
        if document is None:
            continue
        if document.get("apiVersion") != API_VERSION:
            checker.problem(f"{path} apiVersion", _("must be openslo/v1"))
            continue
        if document.get("kind") in UNMAPPED_KINDS:
            checker.problem(
                f"{path} kind",
                _("%(kind)s documents cannot map: data sources and notification channels are set up in the portal")
                % {"kind": document["kind"]},
            )
            continue
        kind = checker.choice(document.get("kind"), f"{path} kind", KINDS)
        check_metadata(checker, document.get("metadata"), f"{path} metadata")
        if kind is None:
            continue
        SPEC_CHECKS[kind](checker, document.get("spec"), f"{path} spec")
        name = (document.get("metadata") or {}).get("name") if isinstance(document.get("metadata"), dict) else None
        if (kind, name) in seen:
            checker.problem(f"{path} metadata.name", _("another %(kind)s has this name") % {"kind": kind})
        seen.add((kind, name))
    return checker.problems
