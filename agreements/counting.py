"""How an agreement counts a maintenance window, in words, for the window's page and the agreement's.

The terms ("Announced maintenance is excluded up to 4 h a month when announced at least 5 days ahead"), and for each
occurrence of a window and each agreement covering its service, every part of it: excluded, counted because it was
announced too late, or counted because the month's cap was already spent. The minutes come from the rules the
evaluation uses (``agreements.maintenance``, through ``excluded_parts`` for approved windows); this module only says
them, so that a manager can check each minute the evaluation leaves out, and why.

A planned window excludes nothing. Its page shows what approving it now would give, as a preview, with the same
rules: the notice counts from the approval.
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements import maintenance
from agreements.choices import MaintenanceStatus, Recurrence
from agreements.models.maintenance import MaintenanceWindow, excluded_parts
from core.formatting import minutes_text


def duration_text(delta):
    """A length in days and hours, or hours and minutes under a day, zeros left out: "2 d 3 h", "1 h 30 min",
    "45 min", "0 min". (How far ahead a window was announced reads in days; minutes would only be noise there.)"""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    words = []
    if days:
        words.append(_("%(count)s d") % {"count": days})
    if hours:
        words.append(_("%(count)s h") % {"count": hours})
    if (minutes and not days) or not words:
        words.append(_("%(count)s min") % {"count": minutes})
    return " ".join(words)


def notice_text(days):
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


def terms_text(agreement):
    """The agreement's maintenance clause in one sentence."""
    if not agreement.maintenance_cap_minutes:
        return _("Maintenance always counts: this agreement excludes none of it.")
    cap = minutes_text(agreement.maintenance_cap_minutes)
    if not agreement.maintenance_notice_days:
        return _("Approved maintenance is excluded up to %(cap)s a month when it is approved before it starts.") % {
            "cap": cap
        }
    return _("Announced maintenance is excluded up to %(cap)s a month when announced at least %(notice)s ahead.") % {
        "cap": cap,
        "notice": notice_text(agreement.maintenance_notice_days),
    }


def month_label(instant):
    """The calendar month of the cap (the portal's zone) an instant falls in: "Dec 2026"."""
    return formats.date_format(timezone.localtime(instant, ZoneInfo(settings.TIME_ZONE)), "YEAR_MONTH_FORMAT")


def month_start(instant):
    local = timezone.localtime(instant, ZoneInfo(settings.TIME_ZONE))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


@dataclass
class PartLine:
    start: dt.datetime
    end: dt.datetime
    outcome: str  # maintenance.EXCLUDED, LATE_NOTICE or OVER_CAP
    why: str

    @property
    def minutes(self):
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def excluded(self):
        return self.outcome == maintenance.EXCLUDED


@dataclass
class OccurrenceLine:
    start: dt.datetime
    end: dt.datetime
    parts: list = field(default_factory=list)


@dataclass
class AgreementCount:
    """How one agreement counts the occurrences shown."""

    agreement: object
    terms: str
    occurrences: list

    @property
    def excluded_minutes(self):
        return sum(part.minutes for line in self.occurrences for part in line.parts if part.excluded)

    @property
    def counted_minutes(self):
        return sum(part.minutes for line in self.occurrences for part in line.parts if not part.excluded)


def shown_occurrences(window, now, past=3, coming=6):
    """(the last ``past`` occurrences over at ``now``, the next ``coming`` ones not over yet, how many more follow)."""
    every = window.schedule.occurrences()
    over = [occurrence for occurrence in every if occurrence[1] <= now]
    ahead = [occurrence for occurrence in every if occurrence[1] > now]
    return over[-past:], ahead[:coming], max(len(ahead) - coming, 0)


def _parts_if_approved(window, agreements, since, until, now):
    """The parts of each agreement as if ``window`` were approved at ``now``, beside the service's counting windows."""
    others = (
        MaintenanceWindow.objects.counting()
        .filter(service_id=window.service_id, starts_at__lt=until)
        .filter(Q(ends_at__gt=since - dt.timedelta(days=31)) | ~Q(recurrence=Recurrence.NONE))
        .exclude(pk=window.pk)
        .select_related("calendar")
    )
    facts = [other.facts for other in others]
    facts.append(maintenance.WindowFacts(window.pk, window.title, window.schedule, now))
    return {
        (agreement.pk, window.service_id): maintenance.window_parts(
            facts,
            agreement.maintenance_notice,
            agreement.maintenance_cap_minutes,
            settings.TIME_ZONE,
            since,
            until,
        )
        for agreement in agreements
    }


def _why(part, window, agreement, announced_at, spent, hidden=frozenset()):
    """Why a part is excluded or counts, said after its badge (the badge names the outcome)."""
    notice = notice_text(agreement.maintenance_notice_days)
    cap = minutes_text(agreement.maintenance_cap_minutes)
    if part.outcome == maintenance.EXCLUDED:
        used = sum(spent[month_label(part.start)].values(), dt.timedelta(0))
        return _(
            "announced %(ahead)s ahead (notice: %(notice)s); %(used)s of the %(cap)s cap of %(month)s used so far"
        ) % {
            "ahead": duration_text(part.start - announced_at),
            "notice": notice,
            "used": duration_text(used),
            "cap": cap,
            "month": month_label(part.start),
        }
    if part.outcome == maintenance.LATE_NOTICE:
        if announced_at is None:
            return _("never approved, so never announced")
        if announced_at > part.start:
            return _("approved %(late)s after its start; the agreement asks for notice of %(notice)s") % {
                "late": duration_text(announced_at - part.start),
                "notice": notice,
            }
        return _("announced only %(ahead)s before its start; the agreement asks for notice of %(notice)s") % {
            "ahead": duration_text(part.start - announced_at),
            "notice": notice,
        }
    if not agreement.maintenance_cap_minutes:
        return _("the agreement's monthly cap is 0: maintenance always counts")
    names = [
        (_("this window") if pk == window.pk else _("other maintenance") if pk in hidden else f"“{title}”")
        + " "
        + duration_text(length)
        for (pk, title), length in spent[month_label(part.start)].items()
    ]
    return _("the %(cap)s cap of %(month)s is used up: %(spent)s") % {
        "cap": cap,
        "month": month_label(part.start),
        "spent": ", ".join(names),
    }


def _hidden_from(user, parts):
    """Ids of the windows among ``parts`` whose titles ``user`` may not read (kept from customers); one query."""
    if user is None or user.has_perm("agreements.view_maintenancewindow"):
        return frozenset()
    ids = {part.source_pk for found in parts.values() for part in found if part.source == "window"}
    return frozenset(MaintenanceWindow.objects.filter(pk__in=ids, customer_visible=False).values_list("pk", flat=True))


def how_agreements_count(window, agreements, occurrences, now=None, user=None):
    """[AgreementCount] for each of ``agreements`` (covering the window's service): each of ``occurrences`` (start,
    end pairs of the window, oldest first) cut into its parts, each with why it is excluded or counts.

    Approved and completed windows are read as the evaluation reads them; a planned one as if approved at ``now``;
    a cancelled one excludes nothing (an empty list)."""
    now = now or timezone.now()
    agreements = list(agreements)
    if window.status == MaintenanceStatus.CANCELLED or not occurrences or not agreements:
        return []
    # From the first month's start: an earlier window of the month may already have spent its cap.
    since, until = month_start(occurrences[0][0]), occurrences[-1][1]
    if window.status == MaintenanceStatus.PLANNED:
        announced_at = now
        parts = _parts_if_approved(window, agreements, since, until, now)
    else:
        announced_at = window.approved_at
        parts = excluded_parts([(agreement, window.service_id) for agreement in agreements], since, until)
    hidden = _hidden_from(user, parts)
    counts = []
    for agreement in agreements:
        spent = {}  # month label -> {(window pk, title): excluded so far}, in the order the cap was spent
        lines = [OccurrenceLine(start, end) for start, end in occurrences]
        for part in parts[(agreement.pk, window.service_id)]:
            if part.source != "window":
                continue
            used = spent.setdefault(month_label(part.start), {})
            if part.excluded:
                key = (part.source_pk, part.title)
                used[key] = used.get(key, dt.timedelta(0)) + (part.end - part.start)
            if part.source_pk != window.pk:
                continue
            line = next((line for line in lines if line.start <= part.start and part.end <= line.end), None)
            if line is not None:
                line.parts.append(
                    PartLine(
                        part.start, part.end, part.outcome, _why(part, window, agreement, announced_at, spent, hidden)
                    )
                )
        counts.append(AgreementCount(agreement, terms_text(agreement), lines))
    return counts
