"""Which maintenance occurs in a span of time: what the calendar feed, the customer dashboard and the notices read.

A repeating window is one row whose occurrences are worked out by ``agreements.maintenance.Schedule``; the database
can only narrow the rows down to those that may occur in the span, and this module lists the occurrences.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import dateformat, formats, timezone

from agreements.choices import MaintenanceStatus, Recurrence


@dataclass(frozen=True)
class Occurrence:
    """One occurrence [start, end) of a maintenance window."""

    window: object  # a MaintenanceWindow
    start: dt.datetime
    end: dt.datetime

    def is_running(self, now):
        return self.start <= now < self.end

    @property
    def span(self):
        return span_text(self.start, self.end)

    @property
    def span_parts(self):
        """(from, until) of ``span``: a page keeps each on one line and wraps between them on a phone."""
        return tuple(self.span.split(" – ", 1))

    @property
    def is_cancelled(self):
        return self.window.status == MaintenanceStatus.CANCELLED


def may_occur_between(since, until):
    """A filter of the windows that may have an occurrence overlapping [since, until): one that starts before
    ``until`` and, if it does not repeat, ends after ``since``; if it repeats, until a local date no earlier than the
    day before ``since`` (a local date is at most a day away from the UTC one)."""
    repeats = ~Q(recurrence=Recurrence.NONE) & Q(repeat_until__gte=(since - dt.timedelta(days=1)).date())
    return Q(starts_at__lt=until) & (Q(ends_at__gt=since) | repeats)


def occurrences_between(windows, since, until):
    """The ``Occurrence`` s of ``windows`` overlapping [since, until), soonest first (then by service and title)."""
    found = [
        Occurrence(window, start, end)
        for window in windows
        for start, end in window.schedule.occurrences(since=since, until=until)
    ]
    return sorted(found, key=lambda o: (o.start, o.end, o.window.service.name, o.window.title, o.window.pk))


def span_text(start, end, zone=None):
    """[start, end) as the pages and e-mails write it, in ``zone`` (a name; the current zone when None) with the zone
    named: "4 Dec 2026, 02:00 KST – 04:00 KST", or with both dates when it ends another day."""
    zone = ZoneInfo(zone) if zone else timezone.get_current_timezone()
    start, end = start.astimezone(zone), end.astimezone(zone)
    first = formats.date_format(start, "DATETIME_FORMAT")
    if start.date() == end.date():
        last = formats.time_format(end, "TIME_FORMAT") + " " + dateformat.format(end, "T")
    else:
        last = formats.date_format(end, "DATETIME_FORMAT")
    return f"{first} – {last}"
