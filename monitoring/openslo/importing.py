"""Map an OpenSLO v1 file onto an agreement: a ``Plan`` that says, field by field, what each document becomes, and
what cannot map (with its YAML path and the reason). ``apply`` stores a plan with no problems, all or nothing.

A field the file leaves out keeps the portal's value (a new row takes the default). Labels, annotations the portal
does not read, and another tool's metric sources are kept (``OpenSloMetadata``) and written back on export.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agreements.choices import MissingData, WindowKind
from agreements.models import BusinessCalendar, ServiceLevelTarget
from monitoring.kinds import RATIO, THRESHOLD
from monitoring.models import BurnRateRule, Indicator, OpenSloMetadata
from monitoring.openslo import mapping
from monitoring.openslo.plan import Line, Plan, dict_text, fraction_percent, label, precise, shown, shown_field
from monitoring.openslo.reading import check, load

TARGET_FIELDS = (
    "name",
    "description",
    "objective",
    "window_kind",
    "calendar_period",
    "rolling_days",
    "budgeting_method",
    "slice_minutes",
    "slice_target",
    "warning_threshold",
    "missing_data",
    "service_hours",
    "minimum_events",
)
INDICATOR_FIELDS = ("name", "description", "kind", "operator", "threshold")


def plan_import(agreement, data, user=None):
    """The plan of importing ``data`` (bytes or text) into ``agreement``; raises ``OpenSloError`` when the file
    cannot be read at all. ``plan.problems`` lists what is invalid or cannot map."""
    documents = load(data)
    plan = Plan(agreement)
    plan.problems.extend(check(documents))
    if plan.problems:
        return plan
    if not agreement.is_editable:
        plan.problem(
            "#",
            _("the agreement is %(status)s: its targets no longer change") % {"status": agreement.get_status_display()},
        )
        return plan
    Importer(plan, documents, user).run()
    return plan


class Importer:
    def __init__(self, plan, documents, user):
        self.plan, self.documents, self.user = plan, documents, user
        self.agreement = plan.agreement
        self.by_kind = {}
        for number, document in enumerate(documents, start=1):
            self.by_kind.setdefault(document["kind"], []).append((f"#{number}", document))
        self.services = {service.code: service for service in self.agreement.services.all()}
        self.rules = {mapping.rule_name(rule.name): rule for rule in BurnRateRule.objects.active()}
        self.stored = {(row.kind, row.name): row for row in OpenSloMetadata.objects.filter(agreement=self.agreement)}
        self.sli_docs = {}
        self.sli_use = {}  # indicator code -> (op, value) asked by the SLOs

    def run(self):
        for path, document in self.by_kind.get("Service", []):
            self.service(path, document)
        for path, document in self.by_kind.get("SLI", []):
            self.sli_docs[document["metadata"]["name"]] = (f"{path} spec", document["metadata"], document["spec"], path)
        for path, document in self.by_kind.get("SLO", []):
            inline = document["spec"].get("indicator")
            if inline is not None:
                here = f"{path} spec.indicator"
                self.sli_docs.setdefault(
                    inline["metadata"]["name"], (f"{here}.spec", inline["metadata"], inline["spec"], here)
                )
        slos = self.by_kind.get("SLO", [])
        used = {self.slo_indicator(document["spec"]) for _path, document in slos}
        for name, (path, *_rest) in self.sli_docs.items():
            if name not in used:
                self.plan.problem(path, _("no SLO of this file uses this SLI, so it has no service to belong to"))
        for path, document in slos:
            self.slo(path, document)
        for name, (_here, metadata, _spec, path) in sorted(self.sli_docs.items()):
            if name in self.plan.indicators:
                self.keep_metadata(path, "SLI", metadata, metric=self.plan.indicators[name][3])
        for path, document in self.by_kind.get("AlertCondition", []):
            self.condition(path, document["metadata"]["name"], document["spec"])
            self.keep_metadata(path, "AlertCondition", document["metadata"])
        for path, document in self.by_kind.get("AlertPolicy", []):
            self.policy(path, document)
            self.keep_metadata(path, "AlertPolicy", document["metadata"])

    # -- metadata ---------------------------------------------------------------------------------------------------

    def keep_metadata(self, path, kind, metadata, metric=None, portal_notes=False):
        labels = metadata.get("labels", {})
        notes = {}
        for key, value in metadata.get("annotations", {}).items():
            if key.startswith(mapping.PREFIX):
                if not (portal_notes and key in mapping.PORTAL_ANNOTATIONS):
                    self.plan.problem(
                        f"{path} metadata.annotations.{key}", _("is not an annotation the portal reads here")
                    )
                continue
            notes[key] = value
        metric = metric or {}
        row = self.stored.get((kind, metadata["name"]))
        old = (row.labels, row.annotations, row.metric) if row else ({}, {}, {})
        for what, before, after in (("labels", old[0], labels), ("annotations", old[1], notes)):
            if before or after:
                self.plan.lines.append(
                    Line(
                        f"{path} metadata.{what}",
                        _("kept as written"),
                        dict_text(before) if row else None,
                        dict_text(after),
                    )
                )
        if old[2] or metric:
            self.plan.lines.append(
                Line(
                    f"{path} spec",
                    _("metric source, kept as written"),
                    dict_text(old[2]) if row else None,
                    dict_text(metric),
                )
            )
        if (labels, notes, metric) != old:
            self.plan.metadata.append((kind, metadata["name"], labels, notes, metric))

    # -- services ---------------------------------------------------------------------------------------------------

    def service(self, path, document):
        code = document["metadata"]["name"]
        service = self.services.get(code)
        if service is None:
            self.plan.problem(
                f"{path} metadata.name", _("%(code)s is not one of this agreement's services") % {"code": code}
            )
            return
        values = {}
        if "displayName" in document["metadata"]:
            values["name"] = document["metadata"]["displayName"]
        if "description" in document["spec"]:
            values["description"] = document["spec"]["description"]
        self.compare(path, service, values, {"name": "metadata.displayName", "description": "spec.description"})
        if any(getattr(service, key) != value for key, value in values.items()):
            self.check_row(path, type(service).objects.get(pk=service.pk), values)
            self.plan.services.append((service, values))
        self.keep_metadata(path, "Service", document["metadata"])

    def compare(self, path, row, values, paths, model=None):
        model = model or type(row)
        for key, value in values.items():
            old = shown_field(model, key, getattr(row, key)) if row is not None else None
            self.plan.lines.append(Line(f"{path} {paths[key]}", label(model, key), old, shown_field(model, key, value)))

    # -- SLOs -------------------------------------------------------------------------------------------------------

    @staticmethod
    def slo_indicator(spec):
        return (
            spec["indicatorRef"]
            if "indicatorRef" in spec
            else spec.get("indicator", {}).get("metadata", {}).get("name")
        )

    def slo(self, path, document):
        spec, metadata, here = document["spec"], document["metadata"], f"{path} spec"
        code, known_problems = metadata["name"], len(self.plan.problems)
        target = self.agreement.targets.filter(code=code).select_related("service_hours").first()
        values, paths = {}, {}

        def put(key, value, where):
            values[key], paths[key] = value, where

        name = metadata.get("displayName") or spec["objectives"][0].get("displayName")
        if name:
            put("name", name, "metadata.displayName")
        elif target is None:
            put("name", code, "metadata.name")
        if "description" in spec:
            put("description", spec["description"], "spec.description")
        if spec["service"] not in self.services:
            self.plan.problem(
                f"{here}.service", _("%(code)s is not one of this agreement's services") % {"code": spec["service"]}
            )
        indicator_code = self.slo_indicator(spec)
        if indicator_code not in self.sli_docs:
            self.plan.problem(f"{here}.indicatorRef", _("no SLI of this name is in the file"))
        tiers = self.annotations(path, metadata, put)
        hours = values.get("service_hours", target.service_hours if target else None)
        self.window(here, spec, put, hours.time_zone if hours else settings.TIME_ZONE)
        method = mapping.METHOD_OF[spec["budgetingMethod"]]
        put("budgeting_method", method, "spec.budgetingMethod")
        self.objective(here, spec, method, put, indicator_code)
        self.alert_policies(here, spec)
        if indicator_code in self.sli_docs and spec["service"] in self.services:
            self.indicator(indicator_code, self.services[spec["service"]], f"{here}.service")
        self.compare(
            path,
            target,
            values,
            {key: f"spec.{p}" if not p.startswith(("spec", "meta")) else p for key, p in paths.items()},
            ServiceLevelTarget,
        )
        old_link = getattr(target, "indicator_link", None) if target else None
        self.plan.lines.append(
            Line(
                f"{here}.indicatorRef",
                _("indicator"),
                old_link.indicator.code if old_link else None,
                str(indicator_code),
            )
        )
        old_tiers = [(t.below_attainment, t.credit_percent) for t in target.credit_tiers.all()] if target else []
        if tiers is not None:
            self.plan.lines.append(
                Line(
                    f"{path} metadata.annotations.{mapping.CREDITS}",
                    _("service credit tiers"),
                    shown(old_tiers) if target else None,
                    shown(tiers),
                )
            )
        if len(self.plan.problems) == known_problems:  # the model's own checks, once what the file says is readable
            self.check_target(path, target, code, values)
        self.plan.targets.append((target, code, values, indicator_code, tiers))
        self.keep_metadata(path, "SLO", metadata, portal_notes=True)

    def window(self, here, spec, put, zone):
        """The window; a calendar period runs in the target's time zone (its service hours', else the portal's)."""
        if "timeWindow" not in spec:
            return
        windows = spec["timeWindow"]
        if len(windows) > 1:
            self.plan.problem(f"{here}.timeWindow", _("a target has one window"))
            return
        window, where = windows[0], f"{here}.timeWindow[0]"
        number, unit = int(window["duration"][:-1]), window["duration"][-1]
        if window["isRolling"]:
            days = {"d": number, "w": 7 * number}.get(unit)
            if days is None or not 1 <= days <= 366:
                self.plan.problem(f"{where}.duration", _("a rolling window is 1 to 366 whole days (d or w)"))
                return
            put("window_kind", WindowKind.ROLLING, "spec.timeWindow[0].isRolling")
            put("rolling_days", days, "spec.timeWindow[0].duration")
            return
        period = mapping.PERIOD_OF.get(window["duration"])
        if period is None:
            self.plan.problem(
                f"{where}.duration", _("a calendar window is one week, month, quarter or year (1w, 1M, 1Q, 1Y)")
            )
            return
        calendar = window.get("calendar", {})
        if calendar.get("timeZone") != zone:
            self.plan.problem(
                f"{where}.calendar.timeZone",
                _("calendar periods run in the target's time zone (its service hours', else the portal's): %(zone)s")
                % {"zone": zone},
            )
        try:
            start = dt.datetime.strptime(calendar.get("startTime", ""), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            start = None
        if start is None or start.time() != dt.time() or mapping.period_start(period, start.date()) != start.date():
            self.plan.problem(f"{where}.calendar.startTime", _("must be midnight on the first day of a period"))
        put("window_kind", WindowKind.CALENDAR, "spec.timeWindow[0].isRolling")
        put("calendar_period", period, "spec.timeWindow[0].duration")

    def objective(self, here, spec, method, put, indicator_code):
        objectives = spec["objectives"]
        if len(objectives) > 1 or any({"indicator", "indicatorRef", "compositeWeight"} & set(o) for o in objectives):
            self.plan.problem(
                f"{here}.objectives", _("a composite SLO or several objectives cannot map: a target has one objective")
            )
            return
        objective, where = objectives[0], f"{here}.objectives[0]"
        if "target" in objective:
            value, key, scale = objective["target"], "target", 2
        else:
            value, key, scale = objective["targetPercent"], "targetPercent", 0
        percent = precise(value, scale, 3)
        if percent is None or not 0 < percent < 100:
            self.plan.problem(
                f"{where}.{key}", _("must be more than 0 and less than 100 %, to three decimals of a percent at most")
            )
        else:
            put("objective", percent, f"spec.objectives[0].{key}")
        slicing = not method.counts_events
        for key in ("timeSliceTarget", "timeSliceWindow"):
            wanted = slicing and (key == "timeSliceWindow" or method.judges_slices)
            if key in objective and not wanted:
                self.plan.problem(
                    f"{where}.{key}",
                    _("does not apply to budgeting method %(method)s") % {"method": spec["budgetingMethod"]},
                )
            elif wanted and key not in objective:
                self.plan.problem(
                    f"{where}.{key}",
                    _("is required with budgeting method %(method)s") % {"method": spec["budgetingMethod"]},
                )
        if "timeSliceTarget" in objective and method.judges_slices:
            slice_target = precise(objective["timeSliceTarget"], 2, 3)
            if slice_target is None or not 0 < slice_target <= 100:
                self.plan.problem(
                    f"{where}.timeSliceTarget",
                    _("must be more than 0 and at most 1, to three decimals of a percent at most"),
                )
            else:
                put("slice_target", slice_target, "spec.objectives[0].timeSliceTarget")
        if "timeSliceWindow" in objective and slicing:
            minutes = mapping.duration_minutes(objective["timeSliceWindow"])
            if minutes is None or minutes > 1440:
                self.plan.problem(f"{where}.timeSliceWindow", _("a slice is 1 minute to 1 day"))
            else:
                put("slice_minutes", minutes, "spec.objectives[0].timeSliceWindow")
        if ("op" in objective) != ("value" in objective):
            self.plan.problem(where, _("op and value go together"))
        elif "op" in objective:
            asked = (objective["op"], float(objective["value"]))
            if self.sli_use.setdefault(indicator_code, asked) != asked:
                self.plan.problem(where, _("another SLO compares this SLI with a different op or value"))
        return

    def annotations(self, path, metadata, put):
        """Read the portal's own annotations; returns the credit tiers asked for, or None to keep them."""
        notes, where = metadata.get("annotations", {}), f"{path} metadata.annotations."
        tiers = None
        if mapping.WARNING in notes:
            value = fraction_percent(notes[mapping.WARNING], 2)
            if value is None or not 0 <= value <= 100:
                self.plan.problem(where + mapping.WARNING, _("must be a percentage from 0 to 100, to two decimals"))
            else:
                put("warning_threshold", value, "metadata.annotations." + mapping.WARNING)
        if mapping.NO_DATA in notes:
            if notes[mapping.NO_DATA] not in MissingData.values:
                self.plan.problem(
                    where + mapping.NO_DATA,
                    _("must be one of %(choices)s") % {"choices": ", ".join(MissingData.values)},
                )
            else:
                put("missing_data", notes[mapping.NO_DATA], "metadata.annotations." + mapping.NO_DATA)
        if mapping.SERVICE_HOURS in notes:
            code = notes[mapping.SERVICE_HOURS]
            calendar = BusinessCalendar.objects.filter(code=code).first() if code else None
            if code and calendar is None:
                self.plan.problem(where + mapping.SERVICE_HOURS, _("no business calendar has this code"))
            else:
                put("service_hours", calendar, "metadata.annotations." + mapping.SERVICE_HOURS)
        if mapping.MINIMUM in notes:
            text = notes[mapping.MINIMUM]
            if text and not (text.isdigit() and int(text) > 0):
                self.plan.problem(where + mapping.MINIMUM, _("must be a whole number of events, or empty"))
            else:
                put("minimum_events", int(text) if text else None, "metadata.annotations." + mapping.MINIMUM)
        if mapping.CREDITS in notes:
            tiers = []
            for part in filter(None, (p.strip() for p in notes[mapping.CREDITS].split(","))):
                below, _sep, credit = part.partition(":")
                below, credit = fraction_percent(below, 3), fraction_percent(credit, 2)
                if below is None or credit is None or not (0 < below <= 100 and 0 < credit <= 100):
                    self.plan.problem(
                        where + mapping.CREDITS,
                        _("must be tiers such as “99.9:10, 99:25” (attainment below : credit %)"),
                    )
                    return None
                tiers.append((below.normalize(), credit.normalize()))
            if len({below for below, _credit in tiers}) != len(tiers):
                self.plan.problem(where + mapping.CREDITS, _("two tiers have the same attainment"))
                return None
            tiers.sort(reverse=True)
        return tiers

    def alert_policies(self, here, spec):
        if "alertPolicies" in spec and set(spec["alertPolicies"]) != set(self.rules):
            self.plan.problem(
                f"{here}.alertPolicies",
                _("the portal applies every active burn-rate rule to every target: list all of %(names)s")
                % {"names": ", ".join(sorted(self.rules)) or "—"},
            )

    def check_target(self, path, target, code, values):
        row = (
            ServiceLevelTarget(agreement=self.agreement, code=code)
            if target is None
            else ServiceLevelTarget.objects.get(pk=target.pk)
        )
        self.check_row(path, row, values, exclude=["agreement"])

    def check_row(self, path, row, values, exclude=()):
        """The model's own checks (lengths, ranges, reserved codes) on a copy of the row as it would be stored, so
        that what the database or the model would refuse is a problem of the plan, not an error while storing."""
        for key, value in values.items():
            setattr(row, key, value)
        try:
            row.full_clean(exclude=list(exclude), validate_unique=False)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                self.plan.problem(f"{path} ({key})", " ".join(messages))

    # -- SLIs -------------------------------------------------------------------------------------------------------

    def indicator(self, code, service, service_path):
        if code in self.plan.indicators:
            return
        here, metadata, spec, _path = self.sli_docs[code]
        rows = Indicator.objects.for_user(self.user) if self.user is not None else Indicator.objects.all()
        indicator = rows.filter(code=code).select_related("service").first()
        if indicator is None and Indicator.objects.filter(code=code).exists():
            self.plan.problem(here, _("an indicator of this code exists that you cannot see"))
            return
        threshold = "thresholdMetric" in spec
        values, paths = {}, {}
        if indicator is None:
            values["kind"], paths["kind"] = (
                (THRESHOLD.value if threshold else RATIO.value),
                ("thresholdMetric" if threshold else "ratioMetric"),
            )
        elif indicator.sli_kind.judged != threshold:
            self.plan.problem(
                here, _("indicator %(code)s is of kind %(kind)s") % {"code": code, "kind": indicator.get_kind_display()}
            )
            return
        elif indicator.service_id != service.pk:
            self.plan.problem(
                service_path,
                _("indicator %(code)s measures service %(service)s")
                % {"code": code, "service": indicator.service.code},
            )
            return
        name = metadata.get("displayName") or (None if indicator else code)
        if name:
            values["name"], paths["name"] = name, "metadata.displayName"
        if "description" in spec:
            values["description"], paths["description"] = spec["description"], "description"
        asked = self.sli_use.get(code)
        if threshold and asked is None:
            self.plan.problem(here, _("a thresholdMetric SLI needs op and value in the objective of its SLO"))
        elif not threshold and asked is not None:
            self.plan.problem(here, _("a ratioMetric SLI takes no op or value in its SLO's objective"))
        elif asked is not None:
            values["operator"], values["threshold"] = asked
            paths["operator"] = paths["threshold"] = "objectives[0].op/value"
        metric = self.metric(here, code, spec)
        self.compare(
            here.rsplit(" ", 1)[0],
            indicator,
            values,
            {k: f"spec.{p}" if not p.startswith("meta") else p for k, p in paths.items()},
            Indicator,
        )
        row = Indicator(code=code, service=service) if indicator is None else Indicator.objects.get(pk=indicator.pk)
        self.check_row(here.rsplit(" ", 1)[0], row, values)
        self.plan.indicators[code] = (indicator, values, service, metric)

    def metric(self, here, code, spec):
        """A foreign metric source to keep ({} for the portal's own); refuses what the portal cannot count."""
        key = "thresholdMetric" if "thresholdMetric" in spec else "ratioMetric"
        metric = spec[key]
        if key == "ratioMetric" and ("raw" in metric or "bad" in metric):
            self.plan.problem(
                f"{here}.ratioMetric",
                _("the portal counts good and total events: a ratio of bad or raw events cannot map"),
            )
            return {}
        sources = [metric] if key == "thresholdMetric" else [metric["good"], metric["total"]]
        portal = [s["metricSource"].get("type") == mapping.SOURCE_TYPE for s in sources]
        if all(portal):
            for part, source in zip(
                ("value",) if key == "thresholdMetric" else ("good", "total"), sources, strict=True
            ):
                wanted = {"indicator": code, "field": part}
                if source["metricSource"].get("spec") != wanted or "metricSourceRef" in source["metricSource"]:
                    self.plan.problem(
                        f"{here}.{key}",
                        _("a metric source of type %(type)s reads %(spec)s")
                        % {"type": mapping.SOURCE_TYPE, "spec": wanted},
                    )
            if key == "ratioMetric" and metric.get("counter"):
                self.plan.problem(
                    f"{here}.ratioMetric.counter",
                    _("the portal's samples are counts of their own minute, not counters: false"),
                )
            return {}
        if any(portal):
            self.plan.problem(f"{here}.{key}", _("mixes the portal's metric source with another"))
            return {}
        return {key: metric}

    # -- alerts -----------------------------------------------------------------------------------------------------

    def condition(self, path, name, spec):
        rule = self.rules.get(name)
        condition = spec["condition"]
        same = rule is not None and (
            spec["severity"] == rule.severity
            and condition["op"] == "gte"
            and precise(condition["threshold"], 0, 3) == rule.threshold.normalize()
            and condition["lookbackWindow"] == mapping.minutes_text(rule.long_window_minutes)
            and condition["alertAfter"] == mapping.minutes_text(rule.short_window_minutes)
        )
        if not same:
            self.plan.problem(
                f"{path} spec",
                _(
                    "burn-rate rules are shared by every target and kept by administrators; no active rule matches "
                    "this condition (name, severity, gte, threshold, lookbackWindow = long window, "
                    "alertAfter = short window)"
                ),
            )
        else:
            self.plan.lines.append(Line(f"{path} spec", _("burn-rate rule"), rule.name, rule.name))

    def policy(self, path, document):
        name, spec = document["metadata"]["name"], document["spec"]
        flags_ok = all(spec.get(key, value) == value for key, value in mapping.POLICY_FLAGS.items())
        condition = spec["conditions"][0]
        if "conditionRef" in condition:
            ref = condition["conditionRef"]
            if not any(doc["metadata"]["name"] == ref for _p, doc in self.by_kind.get("AlertCondition", [])):
                self.plan.problem(
                    f"{path} spec.conditions[0].conditionRef", _("no AlertCondition of this name is in the file")
                )
        else:
            ref = condition["metadata"]["name"]
            self.condition(f"{path} spec.conditions[0]", ref, condition["spec"])
        if name not in self.rules or ref != name or not flags_ok or spec.get("notificationTargets"):
            self.plan.problem(
                f"{path} spec",
                _(
                    "an alert policy maps to the active burn-rate rule of its name, with its condition of the same "
                    "name, alertWhenBreaching true, alertWhenResolved and alertWhenNoData false, and no "
                    "notificationTargets (notifications are set in the portal)"
                ),
            )
