"""SLI kinds: what a sample of an indicator carries, how it is read and judged, and how the kind is shown.

Each kind is defined here once, as a ``SliKind``. The indicator's ``kind`` field takes its choices from ``KINDS``;
ingestion, CSV import, the model's check and constraint, the forms, the rollups and the templates ask the kind of an
indicator (``indicator.sli_kind``) rather than comparing names. A new kind is a new subclass added to ``KINDS``.
"""

import math
import operator

from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from monitoring.choices import PAUSABLE, Operator, TicketMetric
from monitoring.intake.samples import MAX_COUNT, Sample, finite, problem, utc_instant, whole_number

COMPARISONS = {
    Operator.LT: operator.lt,
    Operator.LTE: operator.le,
    Operator.GT: operator.gt,
    Operator.GTE: operator.ge,
    Operator.EQ: operator.eq,
}


class SliKind:
    """One kind of indicator. ``fields`` are what a sample carries besides its time ``t``, in the order a CSV header
    names them; ``counts`` are those of them that are whole numbers of events; ``judged`` kinds carry a value that
    the indicator's operator and threshold judge good or bad."""

    value = ""
    label = ""
    fields = ()
    counts = frozenset()
    judged = False
    example = ""  # one CSV line after the time, for the upload page
    pushed = True  # samples arrive by the API, CSV uploads and probes (False: the portal derives them itself)
    tickets = False  # counted from a service desk's tickets: the indicator has goals, clocks and ticket pages

    @property
    def header(self):
        return ",".join(("t", *self.fields))

    def condition(self):
        """What the database requires of an indicator of this kind (part of its check constraint)."""
        return models.Q(kind=self.value)

    def clean(self, indicator):
        """{field: message} of what the indicator lacks for this kind; clears what it must not keep."""
        return {}

    def rule(self, indicator):
        """What a good sample is, in a few words for the indicator pages."""
        raise NotImplementedError

    def read(self, indicator, raw, index):
        """(value, good, total, problems) of a sample whose keys are exactly ``t`` and ``fields``."""
        raise NotImplementedError

    def quick(self, indicator, latest):
        """A check for the common, well-formed sample: returns a Sample, or None to send it the thorough way
        (``read``). It must accept exactly what the thorough way accepts, only faster."""
        raise NotImplementedError

    def quick_batch(self, indicator, latest):
        """``quick`` for a whole list at once (one loop, no call per sample): the Samples, or None as soon as one
        sample is unusual (the batch then goes sample by sample). Repeated times are not its concern."""
        quick = self.quick(indicator, latest)

        def quick_batch(raws):
            samples = [quick(raw) for raw in raws]
            return None if None in samples else samples

        return quick_batch


class RatioKind(SliKind):
    value = "ratio"
    label = _("Ratio (good and total event counts)")
    fields = ("good", "total")
    counts = frozenset(fields)
    example = "998,1000"

    def clean(self, indicator):
        indicator.operator, indicator.threshold = "", None
        return {}

    def rule(self, indicator):
        return gettext("good / total events")

    def read(self, indicator, raw, index):
        good, good_problem = whole_number(raw["good"], index, "good")
        total, total_problem = whole_number(raw["total"], index, "total")
        problems = [p for p in (good_problem, total_problem) if p]
        if not problems and good > total:
            problems.append(problem(index, "good", "must not be more than total"))
        return None, good, total, problems

    def quick(self, indicator, latest):
        def quick(raw):
            if type(raw) is not dict or len(raw) != 3:
                return None
            t, good, total = raw.get("t"), raw.get("good"), raw.get("total")
            if type(t) is not str or type(good) is not int or type(total) is not int:
                return None
            if not 0 <= good <= total <= MAX_COUNT:
                return None
            instant = utc_instant(t)
            return Sample(instant, None, good, total) if instant is not None and instant <= latest else None

        return quick

    def quick_batch(self, indicator, latest):
        def quick_batch(raws, _instant=utc_instant, _new=tuple.__new__, _sample=Sample):
            samples = []
            append = samples.append
            for raw in raws:
                if type(raw) is not dict or len(raw) != 3:
                    return None
                t, good, total = raw.get("t"), raw.get("good"), raw.get("total")
                if type(t) is not str or type(good) is not int or type(total) is not int:
                    return None
                if not 0 <= good <= total <= MAX_COUNT:
                    return None
                instant = _instant(t)
                if instant is None or instant > latest:
                    return None
                append(_new(_sample, (instant, None, good, total)))
            return samples

        return quick_batch


class ThresholdKind(SliKind):
    value = "threshold"
    label = _("Threshold (a value compared with a limit)")
    fields = ("value",)
    judged = True
    example = "1"

    def condition(self):
        return models.Q(kind=self.value, operator__in=Operator.values, threshold__isnull=False)

    def clean(self, indicator):
        errors = {}
        if not indicator.operator:
            errors["operator"] = _("A threshold indicator needs an operator.")
        if indicator.threshold is None:
            errors["threshold"] = _("A threshold indicator needs a threshold.")
        return errors

    def rule(self, indicator):
        limit = floatformat(indicator.threshold, "-3")
        return f"value {indicator.get_operator_display()} {limit} {indicator.unit}".rstrip()

    def read(self, indicator, raw, index):
        value = raw["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, 0, 0, [problem(index, "value", "must be a number")]
        if not finite(value):
            return None, 0, 0, [problem(index, "value", "must be a finite number")]
        value = float(value)
        return value, (1 if indicator.is_good(value) else 0), 1, []

    def quick(self, indicator, latest):
        compare, limit = COMPARISONS[indicator.operator], indicator.threshold

        def quick(raw):
            if type(raw) is not dict or len(raw) != 2:
                return None
            t, value = raw.get("t"), raw.get("value")
            if type(t) is not str:
                return None
            if type(value) is int and -(2**53) <= value <= 2**53:
                value = float(value)
            elif type(value) is not float or not math.isfinite(value):
                return None
            instant = utc_instant(t)
            if instant is None or instant > latest:
                return None
            return Sample(instant, value, 1 if compare(value, limit) else 0, 1)

        return quick

    def quick_batch(self, indicator, latest):
        compare, limit = COMPARISONS[indicator.operator], indicator.threshold

        def quick_batch(raws, _instant=utc_instant, _new=tuple.__new__, _sample=Sample):
            samples = []
            append = samples.append
            for raw in raws:
                if type(raw) is not dict or len(raw) != 2:
                    return None
                t, value = raw.get("t"), raw.get("value")
                if type(t) is not str:
                    return None
                if type(value) is float:
                    if not math.isfinite(value):
                        return None
                elif type(value) is int and -(2**53) <= value <= 2**53:
                    value = float(value)
                else:
                    return None
                instant = _instant(t)
                if instant is None or instant > latest:
                    return None
                append(_new(_sample, (instant, value, 1 if compare(value, limit) else 0, 1)))
            return samples

        return quick_batch


class TicketKind(SliKind):
    """One customer's tickets of a service, each counted once: good when its clock stopped within its goal, bad at
    the instant it breached. The counts are derived from the tickets' clocks (``monitoring.tickets``), never pushed."""

    value = "ticket"
    label = _("Tickets (time to first response or to resolve)")
    counts = frozenset(("good", "total"))
    pushed = False
    tickets = True

    def condition(self):
        return models.Q(
            kind=self.value, customer__isnull=False, ticket_metric__in=TicketMetric.values, threshold__isnull=True
        )

    def clean(self, indicator):
        indicator.operator, indicator.threshold = "", None
        errors = {}
        if not indicator.customer_id:
            errors["customer"] = _("A ticket indicator counts the tickets of one customer.")
        if not indicator.ticket_metric:
            errors["ticket_metric"] = _("A ticket indicator needs its clock: first response or resolution.")
        pausing = indicator.pause_categories or []
        if not isinstance(pausing, list) or any(category not in PAUSABLE for category in pausing):
            errors["pause_categories"] = _("Only open and waiting categories can pause a ticket clock.")
        points = indicator.warning_points or []
        if not isinstance(points, list) or any(
            isinstance(point, bool) or not isinstance(point, int | float) or not 0 < point <= 100 for point in points
        ):
            errors["warning_points"] = _("Warning points are percentages above 0 and at most 100.")
        return errors

    def rule(self, indicator):
        return gettext("tickets within their goal / tickets counted")

    def read(self, indicator, raw, index):
        return None, 0, 0, [problem(index, None, "ticket indicators are counted from their service desk's tickets")]

    def quick(self, indicator, latest):
        return lambda raw: None


RATIO, THRESHOLD, TICKET = RatioKind(), ThresholdKind(), TicketKind()
KINDS = {kind.value: kind for kind in (RATIO, THRESHOLD, TICKET)}
IndicatorKind = models.TextChoices(
    "IndicatorKind", [(kind.value.upper(), (kind.value, kind.label)) for kind in KINDS.values()]
)
JUDGED = [kind.value for kind in KINDS.values() if kind.judged]  # kinds a probe can record into
PUSHED = [kind.value for kind in KINDS.values() if kind.pushed]  # kinds data sources and CSV uploads write to
TICKET_KINDS = [kind.value for kind in KINDS.values() if kind.tickets]  # kinds counted from tickets
