"""What the ticket pages read: the ticket list ranked worst first and filtered by where clocks stand, each clock in
words ("due in 1 h 20 min business time"), a ticket indicator's goals and clocks, and the counts of a ticket target.

A clock is read as last rebuilt (on every event of its ticket, and before each evaluation for those whose goal ran
out), with the time since then counted in words: a running clock is "due in" the business time from now to its due
instant. At risk means in flight (running or paused) and past its first warning point.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agreements.calendars import WorkingCalendar, WorkingTimeAhead, working_time_between
from core.formatting import duration_text
from core.tenancy import customer_id_of
from monitoring.choices import ClockFilter, ClockStatus, TicketCategory, TicketMetric
from monitoring.models import Ticket, TicketClock, TicketRank
from monitoring.readout.cache import cached, digest, ticket_generation
from monitoring.tickets.clock import DEFAULT_WARNING_POINTS

IN_FLIGHT = [ClockStatus.RUNNING, ClockStatus.PAUSED]
LIST_SECONDS = 60  # the list's cached parts are as of the minute (their keys name it)
ALWAYS = WorkingCalendar.always("UTC")
METRIC_ORDER = [TicketMetric.FIRST_RESPONSE, TicketMetric.RESOLUTION]


def paused_words(category):
    """ "paused (waiting for the customer)": why a paused clock is not running."""
    words = {
        TicketCategory.WAITING_CUSTOMER: _("paused (waiting for the customer)"),
        TicketCategory.WAITING_THIRD_PARTY: _("paused (waiting for a third party)"),
        TicketCategory.OPEN: _("paused (open)"),
    }
    return words.get(category, _("paused"))


def clock_condition(state, now, prefix=""):
    """A Q of the clocks in ``state`` (a ``ClockFilter``) at ``now``; ``prefix`` is the path from the queried model."""

    def q(**lookups):
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    in_flight = q(state__in=IN_FLIGHT)
    return {
        ClockFilter.IN_FLIGHT: in_flight,
        ClockFilter.AT_RISK: in_flight & q(warning_at__lte=now),
        ClockFilter.PAUSED: q(state=ClockStatus.PAUSED),
        ClockFilter.BREACHED: q(state=ClockStatus.BREACHED),
        ClockFilter.MET: q(state=ClockStatus.MET),
    }[ClockFilter(state)]


def with_clock_in(tickets, state, now, metric=None):
    """The tickets with a clock (of ``metric``, when given) in ``state`` now."""
    clocks = TicketClock.objects.filter(clock_condition(state, now), ticket=OuterRef("pk"))
    if metric:
        clocks = clocks.filter(indicator__ticket_metric=metric)
    return tickets.filter(Exists(clocks))


def sees_every_ticket(user):
    """Whether ``user`` sees every customer's tickets, ranks and clocks (a service manager), not only their own."""
    models = ("ticket", "ticketrank", "ticketclock")
    return user is not None and all(user.has_perm(f"monitoring.view_{model}") for model in models)


def ticket_priorities(user):
    """The priorities the tickets ``user`` sees have, in order (the list's priority filter offers these): cached until
    a ticket clock of theirs is written (or for a minute, for a cache the writer cannot reach)."""
    tickets = Ticket.objects.for_user(user).order_by("priority").values_list("priority", flat=True).distinct()
    if user is None:
        return list(tickets)
    every = sees_every_ticket(user)
    own = None if every else customer_id_of(user)
    generation = ticket_generation(own)
    parts = ("ticket-priorities", int(every), own or 0, generation)
    return cached(parts, lambda: list(tickets), LIST_SECONDS, by_evaluation=False)


def list_scope(user, chosen, now):
    """The key parts the ticket list's cached parts (its count, each page's ticket ids, the rendered rows) are filed
    under: who reads (whether they see every customer's tickets, else their customer), the filters chosen (cleaned
    values only), the generation of the tickets concerned (the chosen customer's, else the reader's, else every
    customer's: raised whenever one of their clocks is written) and the minute. So a list is as of the minute at most,
    like the ticket figures, and a ticket written shows at once (where the cache is shared)."""
    every = sees_every_ticket(user)
    own = customer = None if every else customer_id_of(user)
    if every:
        agreement = chosen.get("agreement")
        customer = getattr(chosen.get("customer"), "pk", None) or (agreement.customer_id if agreement else None)
    values = sorted(
        (name, str(getattr(value, "pk", value))) for name, value in chosen.items() if value not in (None, "")
    )
    minute = now.replace(second=0, microsecond=0)
    return ("ticket-list", int(every), own or 0, digest(values), ticket_generation(customer), minute.isoformat())


def ranked(ranks, now):
    """The ticket ids of ``ranks`` (TicketRank rows of one metric, or of every clock) worst first: tickets with a
    breached clock (still running ones first, then the latest breach first), then those at risk, then those in flight
    (at risk and in flight: the running clock due soonest first, then paused ones by the share of their goal used),
    then the rest, newest first. One row per ticket, whatever the number of tickets: only whether a ticket in flight
    is at risk is read against ``now``."""
    at_risk = Q(worst=TicketRank.WORST_IN_FLIGHT, warning_at__lte=now)
    place = Case(When(at_risk, then=Value(TicketRank.WORST_AT_RISK)), default=F("worst"), output_field=IntegerField())
    return (
        ranks.annotate(place=place)
        .order_by(
            "place",
            F("open_breach").desc(),
            F("breach_at").desc(nulls_last=True),
            F("due_at").asc(nulls_last=True),
            F("percent").desc(nulls_last=True),
            "-created_at",
            "-ticket_id",
        )
        .values_list("ticket_id", flat=True)
    )


def listed_tickets(tickets, ids, metric=None):
    """The tickets of ``ids`` in that order, with their customer, service and clocks (of ``metric`` when given)."""
    found = tickets.filter(pk__in=ids).select_related("customer", "service").prefetch_related(clocks_prefetch(metric))
    by_id = {ticket.pk: ticket for ticket in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def clocks_prefetch(metric=None):
    """The clocks of the listed tickets with their indicators and calendars: three queries for a page."""
    clocks = TicketClock.objects.select_related("indicator__business_hours").prefetch_related(
        "indicator__business_hours__working_periods", "indicator__business_hours__holidays"
    )
    if metric:
        clocks = clocks.filter(indicator__ticket_metric=metric)
    return Prefetch("clocks", queryset=clocks.order_by("indicator__code"), to_attr="listed_clocks")


class Calendars:
    """Each indicator's working calendar, made once per page."""

    def __init__(self):
        self._made = {}
        self._ahead = {}

    def of(self, indicator):
        if indicator.pk not in self._made:
            hours = indicator.business_hours
            self._made[indicator.pk] = hours.as_working_calendar() if hours is not None else ALWAYS
        return self._made[indicator.pk]

    def ahead(self, indicator, now):
        """The indicator's working time from ``now`` on (``WorkingTimeAhead``), shared by every clock on its calendar:
        each running clock's time left is then a binary search, not a walk through the calendar."""
        if indicator.pk not in self._ahead:
            self._ahead[indicator.pk] = WorkingTimeAhead(self.of(indicator), now)
        return self._ahead[indicator.pk]


def moment(instant):
    """An instant as the pages write it: 4 Dec 2026, 17:19 KST."""
    return formats.date_format(timezone.localtime(instant), "SHORT_DATETIME_FORMAT")


@dataclass(frozen=True)
class ClockLine:
    """One clock of a ticket, as the list and the ticket page say it."""

    clock: TicketClock
    words: str
    at_risk: bool
    title: str  # more on hovering: the due or breach instant


def clock_line(clock, calendar, now, ahead=None):
    """The clock in words at ``now``: "due in 1 h 20 min business time", "paused (waiting for the customer)",
    "breached 2 h ago", "met in 3 h 10 min"; nothing more than its badge for a cancelled one. ``ahead``, the
    calendar's ``WorkingTimeAhead`` from ``now`` when given, counts the time left."""
    at_risk = clock.state in IN_FLIGHT and clock.warning_at is not None and clock.warning_at <= now
    title = ""
    if clock.state == ClockStatus.RUNNING and clock.due_at is not None:
        title = _("due %(when)s") % {"when": moment(clock.due_at)}
        if clock.due_at > now:
            try:
                left = ahead.until(clock.due_at) if ahead is not None else None
            except ValueError:  # a calendar with no working hours ahead: none of it is left either
                left = None
            if left is None:
                left = working_time_between(calendar, now, clock.due_at)
            words = _("due in %(span)s business time") % {"span": duration_text(left)}
        else:
            words = _("goal used up %(when)s") % {"when": moment(clock.due_at)}
    elif clock.state == ClockStatus.PAUSED:
        open_pause = next((pause for pause in reversed(clock.pauses) if pause.get("end") is None), None)
        words = paused_words(open_pause["category"] if open_pause else None)
        title = _("%(span)s of business time left") % {"span": duration_text(max(clock.remaining, dt.timedelta(0)))}
    elif clock.state == ClockStatus.BREACHED and clock.breached_at is not None:
        words = _("breached %(span)s ago") % {"span": duration_text(now - clock.breached_at, days=True)}
        title = moment(clock.breached_at)
    elif clock.state == ClockStatus.MET:
        words = _("met in %(span)s") % {"span": duration_text(clock.running_time)}
        title = moment(clock.stopped_at) if clock.stopped_at else ""
    elif clock.state == ClockStatus.CANCELLED:
        words = ""  # the badge says it all
    else:
        words = clock.get_state_display()
    return ClockLine(clock=clock, words=words, at_risk=at_risk, title=title)


def clock_name(metric):
    """The short name of a clock, for columns and headings: "First response", "Resolution"."""
    return {TicketMetric.FIRST_RESPONSE: _("First response"), TicketMetric.RESOLUTION: _("Resolution")}[
        TicketMetric(metric)
    ]


def list_rows(tickets, now, metrics):
    """Each ticket of a page with its clocks in words, by metric: [(ticket, [(clock name, [ClockLine])])]."""
    calendars = Calendars()
    rows = []
    for ticket in tickets:
        by_metric = defaultdict(list)
        for clock in ticket.listed_clocks:
            indicator = clock.indicator
            line = clock_line(clock, calendars.of(indicator), now, calendars.ahead(indicator, now))
            by_metric[indicator.ticket_metric].append(line)
        rows.append((ticket, [(clock_name(metric), by_metric.get(metric, [])) for metric in metrics]))
    return rows


def clock_counts(clocks, now):
    """{in_flight, at_risk, paused, breached, met} counts of ``clocks`` now, in one query."""
    return clocks.aggregate(
        **{
            state.value: Count("pk", filter=clock_condition(state, now))
            for state in (ClockFilter.IN_FLIGHT, ClockFilter.AT_RISK, ClockFilter.PAUSED, ClockFilter.BREACHED)
        },
        met=Count("pk", filter=clock_condition(ClockFilter.MET, now)),
    )


def ticket_list_url(indicator, **more):
    """The ticket list filtered to a ticket indicator's tickets (its customer, service and clock)."""
    query = {
        "customer": indicator.customer.code,
        "service": indicator.service.code,
        "metric": indicator.ticket_metric,
        **more,
    }
    return f"{reverse('monitoring:ticket_list')}?{urlencode(query)}"


def goals_in_force(indicator, at):
    """{priority: TicketGoal} in force at ``at``, by priority (a priority whose first version is later: that one),
    as the clocks take them (``tickets.store.goals_at``)."""
    chosen = {}
    for goal in sorted(indicator.ticket_goals.all(), key=lambda row: row.effective_from):
        if goal.effective_from <= at or goal.priority not in chosen:
            chosen[goal.priority] = goal
    return dict(sorted(chosen.items()))


def ticket_indicator_summary(indicator, user, now):
    """A ticket indicator's page: its goals in force and their history, calendar, pause rules, warning points, and
    its clocks now."""
    history = sorted(indicator.ticket_goals.all(), key=lambda goal: (goal.priority, -goal.effective_from.timestamp()))
    in_force = goals_in_force(indicator, now)
    current = {goal.pk for goal in in_force.values()}
    for goal in history:
        goal.in_force = goal.pk in current
        goal.ahead = goal.effective_from > now
    clocks = TicketClock.objects.for_user(user).filter(indicator=indicator)
    return {
        "goals": list(in_force.values()),
        "history": history,
        "pauses": [TicketCategory(category).label for category in indicator.pause_categories],
        "warning_points": indicator.warning_points or [int(point) for point in DEFAULT_WARNING_POINTS],
        "counts": clock_counts(clocks, now),
        "list_url": ticket_list_url(indicator),
    }


def ticket_target(target, indicator, user, now):
    """The target page of a target measuring a ticket indicator: its clocks in flight and at risk now, and links to
    them in the ticket list."""
    clocks = TicketClock.objects.for_user(user).filter(indicator=indicator)
    return {
        "indicator": indicator,
        "counts": clock_counts(clocks, now),
        "list_url": ticket_list_url(indicator),
        "at_risk_url": ticket_list_url(indicator, clock=ClockFilter.AT_RISK),
        "in_flight_url": ticket_list_url(indicator, clock=ClockFilter.IN_FLIGHT),
    }
