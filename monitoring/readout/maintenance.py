"""Where the evaluation left time out, and why, as the pages show it: the grey bands of the time charts, the lists of
excluded intervals (the target page, the SLA report and its CSV) and the marks of the bad-minutes drill-down.

Read from a snapshot's record (``ComplianceSnapshot.maintenance``: the parts overlapping its period, frozen with it)
wherever a snapshot holds the time, so that a closed period's pages never change; elsewhere from the agreements'
windows and exclusions as they stand (``agreements.models.maintenance.excluded_parts``), counted by the same rules.
"""

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from agreements import maintenance
from agreements.choices import ExclusionReason
from agreements.models import MaintenanceWindow
from agreements.models.maintenance import excluded_parts
from monitoring import windows
from monitoring.models import ComplianceSnapshot

WINDOW, EXCLUSION = "window", "exclusion"


def snapshot_parts(snapshots, start=None, end=None):
    """The parts recorded on ``snapshots`` (``maintenance.Part``s), clipped to [start, end), oldest first."""
    parts = (maintenance.part_from_record(record) for snapshot in snapshots for record in snapshot.maintenance)
    return clipped(parts, start, end)


def clipped(parts, start=None, end=None):
    """The parts clipped to [start, end), oldest first; parts of the same window or exclusion and outcome that
    repeat or touch are merged (a rolling window's daily snapshots overlap; a quarter is read month by month)."""
    groups = {}
    for part in parts:
        lo = part.start if start is None else max(part.start, start)
        hi = part.end if end is None else min(part.end, end)
        if lo < hi:
            key = (part.outcome, part.reason, part.source, part.source_pk, part.title)
            groups.setdefault(key, []).append((lo, hi))
    merged = [
        maintenance.Part(lo, hi, *key) for key, intervals in groups.items() for lo, hi in maintenance.merged(intervals)
    ]
    return sorted(merged, key=lambda part: (part.start, part.end, part.source, part.source_pk))


def parts_of_day(target, day):
    """How ``target``'s agreement counted the maintenance and exclusions of its service on ``day`` (a Period): from
    the snapshot whose period holds the day's start, or, where none does (not evaluated yet), from the windows and
    exclusions as they stand."""
    snapshot = (
        ComplianceSnapshot.objects.filter(target=target, period_start__lte=day.start, period_end__gt=day.start)
        .only("maintenance")
        .order_by("-period_start")
        .first()
    )
    if snapshot is not None:
        return snapshot_parts([snapshot], day.start, day.end)
    return live_parts({(target.agreement, target.indicator_link.indicator.service_id)}, start=day.start, end=day.end)


def live_parts(pairs, start, end):
    """How agreements count their services' maintenance and exclusions in [start, end) by the rules as they stand
    (where no snapshot holds the time), clipped to it; ``pairs``: (agreement, service id). Two queries."""
    found = excluded_parts(pairs, start, end)
    return clipped((part for parts in found.values() for part in parts), start, end)


def hidden_windows(user, parts):
    """The ids of the windows among ``parts`` whose title ``user`` may not read: those kept from customers, for a
    viewer who does not manage maintenance. Their time is still shown, as "planned maintenance". One query, and
    none when there is no window or the viewer may read them all."""
    ids = {part.source_pk for part in parts if part.source == WINDOW}
    if not ids or user is None or user.has_perm("agreements.view_maintenancewindow"):
        return frozenset()
    return frozenset(MaintenanceWindow.objects.filter(pk__in=ids, customer_visible=False).values_list("pk", flat=True))


def _reason(part):
    try:
        label = str(ExclusionReason(part.reason).label)
    except ValueError:
        label = part.reason
    return label[:1].lower() + label[1:]


def legend(part):
    """What kind of time a band is, for a chart's legend: not counted (maintenance, or an exclusion and its
    reason), or maintenance that counted."""
    if part.source == EXCLUSION:
        return _("Excluded: %(reason)s") % {"reason": _reason(part)}
    if part.excluded:
        return _("Maintenance (not counted)")
    return _("Maintenance that counted")


def what(part, hidden=frozenset()):
    """What the time was: the maintenance window and its title, or the exclusion's reason and what happened."""
    if part.source == EXCLUSION:
        reason = _reason(part)
        return _("Excluded, %(reason)s: %(description)s") % {"reason": reason, "description": part.title}
    if part.source_pk in hidden:
        return _("Planned maintenance")
    return _("Maintenance “%(title)s”") % {"title": part.title}


def why(part):
    """Whether the time counted, and why."""
    if part.excluded:
        return _("Not counted")
    if part.outcome == maintenance.LATE_NOTICE:
        return _("Counted: announced too late")
    return _("Counted: over the monthly maintenance cap")


def note(part, hidden=frozenset()):
    """Whether a minute or an outage in ``part`` counted, why, and what the part was; "" outside any part."""
    if part is None:
        return ""
    return f"{why(part)} — {what(part, hidden)}"


def noted(items, hidden=frozenset()):
    """BadMinutes or Outages with their ``note`` said."""
    return [replace(item, note=note(item.part, hidden)) for item in items]


@dataclass(frozen=True)
class Interval:
    """A part as a page lists it: when, how long, which service, what it was and whether it counted."""

    part: maintenance.Part
    service: str
    what: str
    why: str

    @property
    def start(self):
        return self.part.start

    @property
    def end(self):
        return self.part.end

    @property
    def minutes(self):
        return self.part.minutes

    @property
    def excluded(self):
        return self.part.excluded


@dataclass(frozen=True)
class Listing:
    """The intervals of a period, oldest first, with the total excluded (overlaps counted once per service) and the
    total of maintenance that counted."""

    intervals: list
    excluded_minutes: int
    counted_minutes: int


def listing(parts_by_service, hidden=frozenset()):
    """A Listing of {service name: [parts]}."""
    intervals, excluded, counted = [], 0, 0
    for service, parts in parts_by_service.items():
        intervals += [Interval(part, service, what(part, hidden), why(part)) for part in parts]
        excluded += total_minutes(part for part in parts if part.excluded)
        counted += total_minutes(part for part in parts if not part.excluded)
    intervals.sort(key=lambda row: (row.start, row.end, row.service))
    return Listing(intervals, excluded, counted)


def total_minutes(parts):
    """Minutes of the parts' union: a window and an exclusion that overlap count once."""
    return sum(int((hi - lo).total_seconds() // 60) for lo, hi in maintenance.merged((p.start, p.end) for p in parts))


# --- marking minutes -------------------------------------------------------------------------------------------------


def marker(parts):
    """A function of a minute (its start) that answers the part it lies in, or None: an excluded part before one
    that counted (a window over the cap may overlap an exclusion, and then the minute did not count)."""
    ordered = sorted(parts, key=lambda part: (not part.excluded, part.start))
    if not ordered:
        return lambda minute: None

    def mark(minute):
        return next((part for part in ordered if part.start <= minute < part.end), None)

    return mark


# --- chart bands -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A part drawn on a chart: from x0 to x1 (aware datetimes on a time axis; positions on an axis of days),
    whether its time counted, and its legend."""

    x0: object
    x1: object
    counted: bool
    legend: str


def time_bands(parts, start, end):
    """Bands of the parts on a time axis running from ``start`` to ``end``."""
    bands = []
    for part in parts:
        lo, hi = max(part.start, start), min(part.end, end)
        if lo < hi:
            bands.append(Band(lo, hi, not part.excluded, legend(part)))
    return bands


def day_bands(parts, day_labels, time_zone, until=None):
    """Bands of the parts on an axis of local days (category ``n`` is the day ``day_labels[n]``, drawn from n − 0.5
    to n + 0.5), up to ``until`` (the charts' data stops at now): a part lies in its days by the share of each day
    it covers, so two hours on 10 November are a twelfth of that day's width, from 02:00."""
    if not day_labels:
        return []
    days = [windows.local_day(_noon(label, time_zone), time_zone) for label in day_labels]
    starts = [day.start for day in days]

    def position(instant):
        index = min(max(bisect_right(starts, instant) - 1, 0), len(days) - 1)
        day = days[index]
        share = (instant - day.start) / (day.end - day.start)
        return round(index - 0.5 + min(max(share, 0), 1), 4)

    bands = []
    for part in parts:
        lo, hi = max(part.start, days[0].start), min(part.end, days[-1].end, until or days[-1].end)
        if lo < hi:
            bands.append(Band(position(lo), position(hi), not part.excluded, legend(part)))
    return bands


def _noon(label, time_zone):
    return dt.datetime.combine(dt.date.fromisoformat(label), dt.time(12), tzinfo=ZoneInfo(time_zone))
