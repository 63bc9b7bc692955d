"""The chain under a service level target: the OLA and UC targets it rests on, where they promise less than it does,
and which of their breaches may have caused its own.

Which links may exist is the agreements app's rule (``agreements.underpinning``); whether a link holds is asked here,
where what each target measures is known (its indicator, and a ticket indicator's goals). A target that rests on
another is flagged, with the reason in words, when the one below promises less (``weaknesses``):

- **a lower objective** on the same kind of indicator (for tickets, the same clock) and the same budgeting method:
  an OLA at 99.8 % under an SLA at 99.9 %, both timeslices of an up/down probe;
- **a longer ticket goal** for a priority both have, among the goals in force now (the latest version of each
  priority): a 6-hour resolution for P1 under a 4-hour one;
- **narrower service hours**: the week of the calendar below covers less of the time promised above (none is around
  the clock; the calendars are compared as instants, so their zones may differ), or its holidays close it on days the
  promise above is served, within the coming year.

Every function reads through ``.for_user()``: a person sees the links and breaches of the agreements they may see.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.calendars import time_not_covered, without_holidays, working_time_between
from agreements.choices import AgreementKind, AgreementStatus
from agreements.models import Agreement, ServiceLevelTarget, Underpinning
from core.formatting import minutes_text, plain_number
from monitoring.choices import BreachKind, TicketMetric
from monitoring.models import Breach, TicketGoal

OBJECTIVE, TICKET_GOAL, SERVICE_HOURS, HOLIDAYS = "objective", "ticket_goal", "service_hours", "holidays"
HOLIDAY_HORIZON = dt.timedelta(days=365)
DAYS_NAMED = 3  # holidays named in a reason; the rest are counted

_SIDE_ROWS = ("agreement", "service_hours", "indicator_link__indicator__service")
_SIDE_PREFETCH = ("service_hours__working_periods", "service_hours__holidays")


@dataclass(frozen=True)
class Weakness:
    """One way the target below promises less than the target above: its ``rule`` and the ``reason`` in words."""

    rule: str
    reason: str


@dataclass
class ChainLink:
    """``upper`` rests on ``lower``; ``weaknesses`` are where ``lower`` promises less."""

    upper: object
    lower: object
    weaknesses: list = field(default_factory=list)

    @property
    def flagged(self):
        return bool(self.weaknesses)


def indicator_of(target):
    """The indicator the target measures, or None."""
    try:
        return target.indicator_link.indicator
    except ObjectDoesNotExist:
        return None


def _same_measure(upper, lower):
    """(upper's indicator, lower's indicator) when both measure the same kind of indicator (tickets: the same clock),
    else None."""
    above, below = indicator_of(upper), indicator_of(lower)
    if above is None or below is None or above.kind != below.kind:
        return None
    if above.ticket_metric != below.ticket_metric:
        return None
    return above, below


# --- the rules -----------------------------------------------------------------------------------------------------


def objective_weakness(upper, lower):
    """A lower objective on the same kind of indicator and the same budgeting method, or None."""
    if _same_measure(upper, lower) is None or upper.method != lower.method:
        return None
    if lower.objective >= upper.objective:
        return None
    return Weakness(
        OBJECTIVE,
        _(
            "Lower objective: %(lower)s %% against the %(upper)s %% it underpins, on the same kind of indicator and "
            "method."
        )
        % {"lower": plain_number(lower.objective), "upper": plain_number(upper.objective)},
    )


def ticket_goal_weaknesses(upper, lower, goals):
    """A longer goal for each priority both ticket indicators have a goal for. ``goals``: {indicator id: {priority:
    minutes}} in force now (``goals_in_force``)."""
    measures = _same_measure(upper, lower)
    if measures is None or not measures[0].ticket_metric:
        return []
    above, below = measures
    metric = TicketMetric(above.ticket_metric).label
    promised, offered = goals.get(above.pk, {}), goals.get(below.pk, {})
    return [
        Weakness(
            TICKET_GOAL,
            _("Longer goal: %(metric)s for %(priority)s is %(lower)s against the %(upper)s it underpins.")
            % {
                "metric": metric,
                "priority": priority,
                "lower": minutes_text(offered[priority]),
                "upper": minutes_text(promised[priority]),
            },
        )
        for priority in sorted(promised.keys() & offered.keys())
        if offered[priority] > promised[priority]
    ]


def service_hours_weaknesses(upper, lower, now):
    """Narrower service hours below: a week that covers less of the hours promised above, and holidays in the coming
    year on which the promise above is served but the calendar below is closed."""
    if not lower.service_hours_id:
        return []  # around the clock below: nothing promised above is left uncovered
    required = upper.service_hours.as_working_calendar() if upper.service_hours_id else None
    offered = lower.service_hours.as_working_calendar()
    found = []
    week_zone = ZoneInfo(required.time_zone if required else settings.TIME_ZONE)
    today = now.astimezone(week_zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    week_start = dt.datetime(monday.year, monday.month, monday.day, tzinfo=week_zone)
    week_end = week_start + dt.timedelta(days=7)
    ordinary_above = without_holidays(required) if required else None
    ordinary_below = without_holidays(offered)
    gap = time_not_covered(ordinary_above, ordinary_below, week_start, week_end)
    if gap:
        promised = _hours_in(ordinary_above, week_start, week_end)
        found.append(
            Weakness(
                SERVICE_HOURS,
                _(
                    "Narrower service hours: %(covered)s of the %(promised)s a week promised (%(upper)s) fall "
                    "within %(lower)s."
                )
                % {
                    "lower": lower.service_hours.name,
                    "covered": hours_text(promised - gap),
                    "promised": hours_text(promised),
                    "upper": upper.service_hours.name if required else _("around the clock"),
                },
            )
        )
    closed = closed_days(required, offered, ordinary_below, now)
    if closed:
        named = ", ".join(formats.date_format(day, "DATE_FORMAT") for day in closed[:DAYS_NAMED])
        if len(closed) > DAYS_NAMED:
            named += ", …"
        found.append(
            Weakness(
                HOLIDAYS,
                ngettext(
                    "Narrower service hours: %(lower)s is closed on %(count)s day of the coming year when the promise "
                    "it underpins is served (%(days)s).",
                    "Narrower service hours: %(lower)s is closed on %(count)s days of the coming year when the promise "
                    "it underpins is served (%(days)s).",
                    len(closed),
                )
                % {"lower": lower.service_hours.name, "count": len(closed), "days": named},
            )
        )
    return found


def closed_days(required, offered, ordinary_offered, now):
    """The holidays of ``offered`` in the year from ``now`` on which ``required`` (None: around the clock) has working
    time that ``offered``'s ordinary week would have covered: the days its holidays alone leave uncovered."""
    zone = ZoneInfo(offered.time_zone)
    today = now.astimezone(zone).date()
    days = []
    for day in sorted(offered.holidays):
        if not today <= day < today + HOLIDAY_HORIZON:
            continue
        start = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
        end = start + dt.timedelta(days=1)
        needed = _hours_in(required, start, end)
        if needed and time_not_covered(required, ordinary_offered, start, end) < needed:
            days.append(day)
    return days


def _hours_in(calendar, start, end):
    """The working time of ``calendar`` (None: around the clock) in [start, end)."""
    if calendar is None:
        return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
    return working_time_between(calendar, start, end)


def hours_text(span):
    """A length in hours, as the portal writes hours: "45 h", "122.5 h" (to the minute)."""
    minutes = int(span.total_seconds() // 60)
    return _("%(count)s h") % {"count": plain_number(Decimal(minutes) / 60)}


def weaknesses(upper, lower, now, goals):
    """Every way ``lower`` promises less than ``upper`` (an empty list when it holds)."""
    found = [weakness for weakness in [objective_weakness(upper, lower)] if weakness]
    found += ticket_goal_weaknesses(upper, lower, goals)
    found += service_hours_weaknesses(upper, lower, now)
    return found


def goals_in_force(indicator_ids, now):
    """{indicator id: {priority: minutes}}: the latest goal of each priority effective by ``now``."""
    goals = {}
    for goal in TicketGoal.objects.filter(indicator_id__in=indicator_ids).in_force(now):
        goals.setdefault(goal.indicator_id, {}).setdefault(goal.priority, goal.minutes)
    return goals


# --- reading the chain ---------------------------------------------------------------------------------------------


def _visible_links(user):
    """Links whose two ends are both of agreements the person may see."""
    visible = Agreement.objects.for_user(user)
    return Underpinning.objects.filter(target__agreement__in=visible, underpinning__agreement__in=visible)


def _with_sides(links):
    rows = [f"{side}__{path}" for side in ("target", "underpinning") for path in _SIDE_ROWS]
    prefetch = [f"{side}__{path}" for side in ("target", "underpinning") for path in _SIDE_PREFETCH]
    return (
        links.select_related(*rows)
        .prefetch_related(*prefetch)
        .order_by("target__agreement__code", "target__code", "underpinning__agreement__code", "underpinning__code")
    )


def checked(links, now):
    """``ChainLink`` s of the ``Underpinning`` rows, each with its weaknesses."""
    links = list(links)
    ticket_indicators = {
        indicator.pk
        for link in links
        for indicator in (indicator_of(link.target), indicator_of(link.underpinning))
        if indicator is not None and indicator.ticket_metric
    }
    goals = goals_in_force(ticket_indicators, now) if ticket_indicators else {}
    return [
        ChainLink(link.target, link.underpinning, weaknesses(link.target, link.underpinning, now, goals))
        for link in links
    ]


def links_of(targets, user, now):
    """({upper id: [ChainLink down]}, {lower id: [ChainLink up]}) of the ``targets``: what each rests on, and what
    rests on it. One query (and the calendars' hours and ticket goals when the links need them)."""
    ids = [target.pk for target in targets]
    found = checked(_with_sides(_visible_links(user).filter(Q(target__in=ids) | Q(underpinning__in=ids))), now)
    down, up = {}, {}
    for link in found:
        if link.upper.pk in ids:
            down.setdefault(link.upper.pk, []).append(link)
        if link.lower.pk in ids:
            up.setdefault(link.lower.pk, []).append(link)
    return down, up


def breaches_between(target_ids, start, end):
    """Breaches of the targets overlapping [start, end): a calendar period's, or a rolling window's episode (ongoing
    or ended after ``start``)."""
    period = Q(period_start__lt=end) & ~Q(kind=BreachKind.WINDOW_EXHAUSTED) & Q(period_end__gt=start)
    episode = (
        Q(period_start__lt=end)
        & Q(kind=BreachKind.WINDOW_EXHAUSTED)
        & (Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    )
    return Breach.objects.filter(target_id__in=target_ids).filter(period | episode)


def possible_causes(links, start, end, limit=20):
    """Breaches of the targets the links rest on, in [start, end): the first place to look when the target above
    breaches. Newest first, each with its target and agreement."""
    lower_ids = [link.lower.pk for link in links]
    if not lower_ids:
        return []
    breaches = breaches_between(lower_ids, start, end).select_related("target__agreement").order_by("-period_start")
    return list(breaches[:limit])


def target_chain(target, user, now, period=None):
    """For the target's page: {"links": what it rests on (checked), "supports": what rests on it, "causes": breaches
    below it in ``period`` ((start, end), or none)}."""
    down, up = links_of([target], user, now)
    links = down.get(target.pk, [])
    causes = possible_causes(links, *period) if period else []
    return {"links": links, "supports": up.get(target.pk, []), "causes": causes}


@dataclass
class ChainNode:
    """A target in a service's chain, with the links down from it (each to a node of its own)."""

    target: object
    below: list = field(default_factory=list)  # [(ChainLink, ChainNode)]

    @property
    def flags(self):
        """Weaknesses flagged anywhere under this node."""
        return sum(len(link.weaknesses) + node.flags for link, node in self.below)


def service_chains(user, now):
    """[(service, [ChainNode of an SLA target])]: for each service, its active SLAs' targets that rest on others, with
    the whole chain under each (OLA targets and the UC targets under them), flagged. Services by name; an SLA target
    belongs to its indicator's service, or to every service of its agreement when it measures none."""
    links = checked(_with_sides(_visible_links(user)).prefetch_related("target__agreement__services"), now)
    below = {}
    for link in links:
        below.setdefault(link.upper.pk, []).append(link)

    def node(target, seen):
        here = ChainNode(target)
        for link in below.get(target.pk, []):
            if link.lower.pk not in seen:  # a loop stored behind the forms' back is drawn once, not forever
                here.below.append((link, node(link.lower, seen | {link.lower.pk})))
        return here

    tops = {}
    for link in links:
        upper = link.upper
        if upper.agreement.kind == AgreementKind.SLA and upper.agreement.status == AgreementStatus.ACTIVE:
            tops.setdefault(upper.pk, upper)
    grouped = {}
    for upper in sorted(tops.values(), key=lambda target: (target.agreement.code, target.code)):
        indicator = indicator_of(upper)
        for service in [indicator.service] if indicator else upper.agreement.services.all():
            grouped.setdefault(service.pk, (service, []))[1].append(node(upper, {upper.pk}))
    return sorted(grouped.values(), key=lambda pair: pair[0].name)


def chain_findings(user, agreements, start, end, now):
    """For a review pack: the links of the agreements' targets, each with its weaknesses and the breaches below it in
    [start, end) — [{"link": ChainLink, "causes": [Breach]}], by agreement and target."""
    targets = ServiceLevelTarget.objects.filter(agreement__in=agreements)
    links = checked(_with_sides(_visible_links(user).filter(target__in=targets)), now)
    causes = {}
    for breach in possible_causes(links, start, end, limit=None):
        causes.setdefault(breach.target_id, []).append(breach)
    return [{"link": link, "causes": causes.get(link.lower.pk, [])} for link in links]
