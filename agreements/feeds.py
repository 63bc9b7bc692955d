"""The maintenance calendar feed: the occurrences a person may see, as iCalendar (RFC 5545) for calendar programs.

Built with the ``icalendar`` library, and read by the same ``.for_user()`` checkpoint as the pages: a customer user
gets the windows of their organisation's services that customers see, a service manager every window. Each
occurrence is one event, with a UID that stays the same from one reading to the next (the window and the
occurrence's start), so a calendar updates its events instead of adding new ones. Times are in UTC; the calendar
program shows them in its own zone.
"""

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from agreements.choices import MaintenanceStatus
from agreements.models import MaintenanceWindow
from agreements.upcoming import may_occur_between, occurrences_between
from core.tenancy import customer_id_of

PAST = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=365)
# How often a calendar program should read the feed again (Outlook and Apple Calendar honour it; Google Calendar
# reads on its own schedule, every few hours).
REFRESH = dt.timedelta(hours=1)
EVENT_STATUS = {
    MaintenanceStatus.PLANNED: "TENTATIVE",
    MaintenanceStatus.APPROVED: "CONFIRMED",
    MaintenanceStatus.COMPLETED: "CONFIRMED",
    MaintenanceStatus.CANCELLED: "CANCELLED",
}


def feed_occurrences(user, now=None):
    """The occurrences in the feed of ``user``: those overlapping the last 30 days and the next 12 months, of the
    windows ``user`` may see. A cancelled window's occurrences stay in it, marked cancelled, so that a calendar that
    showed them takes them away."""
    now = now or timezone.now()
    since, until = now - PAST, now + AHEAD
    windows = (
        MaintenanceWindow.objects.for_user(user)
        .filter(may_occur_between(since, until))
        .select_related("service", "calendar")
    )
    return occurrences_between(windows, since, until)


def event_uid(occurrence, host):
    return f"maintenance-{occurrence.window.pk}-{occurrence.start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}@{host}"


def calendar_name(user):
    customer = user.customer_membership.customer if customer_id_of(user) else None
    if customer is None:
        return _("%(portal)s: maintenance") % {"portal": settings.SLM_PORTAL_NAME}
    return _("%(portal)s: maintenance of %(customer)s") % {"portal": settings.SLM_PORTAL_NAME, "customer": customer}


def build_calendar(user, base_url, language="", now=None):
    """The feed of ``user`` as iCalendar bytes; links start with ``base_url`` (the portal's address), text is in
    ``language`` (the portal's when empty)."""
    host = urlsplit(base_url).hostname or "slm-portal"
    base_url = base_url.rstrip("/")
    with translation.override(language or settings.LANGUAGE_CODE):
        calendar = icalendar.Calendar()
        calendar.add("prodid", f"-//{settings.SLM_PORTAL_NAME}//Maintenance//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", calendar_name(user))
        calendar.add("x-wr-caldesc", _("Planned maintenance of the services, from the service level portal."))
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH).to_ical().decode())  # "PT1H"
        stamp = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
        for occurrence in feed_occurrences(user, now):
            calendar.add_component(event(occurrence, base_url, host, stamp))
    return calendar.to_ical()


def event(occurrence, base_url, host, stamp):
    window = occurrence.window
    url = base_url + window.get_absolute_url()
    item = icalendar.Event()
    item.add("uid", event_uid(occurrence, host))
    # With METHOD:PUBLISH, DTSTAMP is when this copy was made (RFC 5545, 3.8.7.2); LAST-MODIFIED says when the
    # window last changed.
    item.add("dtstamp", stamp)
    item.add("last-modified", window.updated_at.astimezone(dt.UTC))
    item.add("dtstart", occurrence.start.astimezone(dt.UTC))
    item.add("dtend", occurrence.end.astimezone(dt.UTC))
    names = {"service": window.service.name, "title": window.title}
    summary = _("%(service)s maintenance: %(title)s") % names
    if window.status == MaintenanceStatus.CANCELLED:
        # A program that ignores STATUS still shows that it is not going ahead.
        summary = _("Cancelled: %(summary)s") % {"summary": summary}
    item.add("summary", summary)
    item.add("description", description(window, url))
    item.add("url", url)
    item.add("status", EVENT_STATUS[window.status])
    item.add("transp", "TRANSPARENT")  # maintenance of a service does not make its users busy
    item.add("categories", [pgettext("calendar category", "Maintenance")])
    return item


def description(window, url):
    lines = []
    if window.status == MaintenanceStatus.PLANNED:
        lines.append(_("Planned, not approved yet: the time may still change."))
    elif window.status == MaintenanceStatus.CANCELLED:
        lines.append(_("Cancelled."))
    if window.description:
        lines.append(window.description)
    lines.append(url)
    return "\n\n".join(lines)
