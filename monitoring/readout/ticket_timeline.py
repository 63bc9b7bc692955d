"""The ticket page: each clock of the ticket as of now (replayed from the ticket's log, as a rebuild at this instant
would store it), its summary in words, and its timeline as a table and a chart of business time accumulating over
wall-clock time, pauses shaded, the goal drawn and the instant it was reached or breached marked."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import duration_text, plain_number
from core.statuses import TONES
from monitoring.choices import TICKET_CLOCK, TicketCategory, TicketEventKind, TicketMetric
from monitoring.models import TicketClock, TicketGoal
from monitoring.models.tickets import state_words
from monitoring.readout.charts import BAND_GREY, BASE_LAYOUT
from monitoring.readout.ticket_list import Calendars, ClockLine, clock_line, clock_name
from monitoring.tickets.book import GoalVersions, warning_points
from monitoring.tickets.clock import TicketEvent, ticket_clock
from monitoring.tickets.store import COLUMNS, clock_values
from monitoring.tickets.timeline import Mark, clock_timeline

HOUR = 3600
# Dates written out in digits, whatever the page's language (plotly.js is served without its locales).
TIME_AXIS = {
    "type": "date",
    "hoverformat": "%Y-%m-%d %H:%M",
    "tickformatstops": [
        {"dtickrange": [None, 86_400_000], "value": "%H:%M\n%Y-%m-%d"},
        {"dtickrange": [86_400_000, None], "value": "%Y-%m-%d"},
    ],
}


@dataclass
class ClockPanel:
    """One clock of the ticket: its indicator, the clock now (an unsaved ``TicketClock``), its words and timeline."""

    indicator: object
    clock: TicketClock
    line: ClockLine
    warnings: list  # [(percent, instant or None, passed)]
    rows: list  # [TimelineRow]
    chart: tuple | None

    @property
    def name(self):
        return clock_name(self.indicator.ticket_metric)


@dataclass(frozen=True)
class TimelineRow:
    at: object
    what: str
    detail: str
    ran: object
    wall: object
    total: object
    paused: str  # why the span before this row did not count ("" when it ran)
    stopped: bool
    ahead: bool
    mark: str  # "" for an event, else the Mark's value


def ticket_clocks(ticket, now):
    """[ClockPanel] of the ticket's clocks, first response first. The ticket's events must be prefetched."""
    clocks = (
        ticket.clocks.select_related("indicator__business_hours", "indicator__service")
        .prefetch_related(
            "indicator__business_hours__working_periods",
            "indicator__business_hours__holidays",
            Prefetch("indicator__ticket_goals", queryset=TicketGoal.objects.order_by("effective_from")),
        )
        .order_by("indicator__code")
    )
    order = {metric: index for index, metric in enumerate([TicketMetric.FIRST_RESPONSE, TicketMetric.RESOLUTION])}
    records = {record.event_id: record for record in ticket.events.all()}
    log = [
        TicketEvent(record.event_id, record.at, record.kind, record.category or None, record.priority or None)
        for record in records.values()
    ]
    calendars = Calendars()
    panels = []
    for stored in sorted(clocks, key=lambda row: (order.get(row.indicator.ticket_metric, 9), row.indicator.code)):
        indicator = stored.indicator
        calendar = calendars.of(indicator)
        try:
            live = ticket_clock(
                log,
                indicator.ticket_metric,
                GoalVersions(indicator.ticket_goals.all()).at(ticket.created_at),
                indicator.pause_categories,
                calendar,
                now,
                warning_points(indicator),
            )
        except ValueError:  # the log or the goals no longer give a clock: show it as last stored
            panels.append(ClockPanel(indicator, stored, clock_line(stored, calendar, now), [], [], None))
            continue
        clock = TicketClock(**dict(zip(COLUMNS, clock_values(ticket.pk, indicator.pk, live), strict=True)))
        timeline = clock_timeline(live, log, calendar)
        rows = [_row(step, records, live) for step in timeline.steps]
        warnings = [
            (warning.percent, warning.at, warning.at is not None and warning.at <= now) for warning in live.warnings
        ]
        panels.append(
            ClockPanel(
                indicator=indicator,
                clock=clock,
                line=clock_line(clock, calendar, now),
                warnings=warnings,
                rows=rows,
                chart=clock_chart(live, timeline, rows, indicator),
            )
        )
    return panels


def _event_words(event, record):
    kind = TicketEventKind(event.kind)
    what = kind.label
    detail = ""
    if kind in (TicketEventKind.CREATED, TicketEventKind.PRIORITY_CHANGED):
        detail = event.priority or ""
    if record is not None and record.state:
        state = state_words(record.state, record.category)
        detail = f"{detail} · {state}" if detail else state
    elif kind == TicketEventKind.STATE_CHANGED and event.category:
        detail = TicketCategory(event.category).label
    return what, detail


def _row(step, records, clock):
    if step.event is not None:
        what, detail = _event_words(step.event, records.get(step.event.event_id))
    elif step.mark is Mark.WARNING:
        what, detail = _("Warning point"), _("%(percent)s %% of the goal") % {"percent": _percent(step.percent)}
    elif step.mark is Mark.DUE:
        what = _("Goal reached")
        detail = _("due, if nothing pauses it") if step.ahead else _("the goal is used up")
    elif step.mark is Mark.BREACHED:
        what, detail = _("Breached"), _("over the goal of %(goal)s") % {"goal": duration_text(clock.goal)}
    else:
        what, detail = _("Now"), ""
    return TimelineRow(
        at=step.at,
        what=what,
        detail=detail,
        ran=step.ran,
        wall=step.wall,
        total=step.total,
        paused=TicketCategory(step.paused).label if step.paused else "",
        stopped=step.stopped,
        ahead=step.ahead,
        mark=step.mark.value if step.mark else "",
    )


def _percent(value):
    return plain_number(Decimal(value.numerator) / Decimal(value.denominator)) if isinstance(value, Fraction) else value


def _local(instant):
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M:%S")


def _hours(span):
    return round(span.total_seconds() / HOUR, 4)


def clock_chart(clock, timeline, rows, indicator):
    """Business time used (hours) over wall-clock time: a line rising while the clock runs, flat while it is paused
    or outside business hours (pauses shaded grey), dashed where it goes on past now if nothing pauses it; the goal
    a dashed line across, and the instant it was reached or breached a vertical line. The events are points on the
    line; the table of the timeline is the chart's data table."""
    start, end = clock.start, max(timeline.end, clock.start)
    now = clock.evaluated_at
    past_x, past_y, ahead_x, ahead_y = [_local(start)], [0.0], [], []
    total = 0.0
    for begin, stop in timeline.intervals:
        before, total = total, total + _hours(stop - begin)
        for instant, value in ((begin, before), (stop, total)):
            if instant <= now:
                past_x.append(_local(instant))
                past_y.append(value)
            else:
                if not ahead_x:  # the projection starts where the line is now
                    ahead_x.append(_local(now))
                    ahead_y.append(past_y[-1] if instant == begin else value - _hours(stop - now))
                ahead_x.append(_local(instant))
                ahead_y.append(value)
    last_known = min(end, now)
    if past_x[-1] != _local(last_known):
        past_x.append(_local(last_known))
        past_y.append(past_y[-1])
    goal = _hours(clock.goal)
    state_colour = TICKET_CLOCK.colour(clock.state.value)
    events = [(row, _local(row.at), _hours(row.total)) for row in rows if not row.mark]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Business time used (h)"),
            "x": past_x,
            "y": past_y,
            "line": {"color": TONES["primary"], "width": 2},
            "hovertemplate": "%{x}: %{y:.2f} h<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Goal (%(goal)s)") % {"goal": duration_text(clock.goal)},
            "x": [_local(start), _local(end)],
            "y": [goal, goal],
            "line": {"color": TONES["dark"], "dash": "dash", "width": 1},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Events"),
            "x": [x for _row, x, _y in events],
            "y": [y for _row, _x, y in events],
            "text": [f"{row.what} {row.detail}".strip() for row, _x, _y in events],
            "hovertemplate": "%{text}<br>%{x}<extra></extra>",
            "marker": {"color": TONES["dark"], "size": 7, "symbol": "circle-open"},
        },
    ]
    if ahead_x:
        data.insert(
            1,
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("If nothing pauses it"),
                "x": ahead_x,
                "y": ahead_y,
                "line": {"color": TONES["primary"], "width": 2, "dash": "dot"},
                "hovertemplate": "%{x}: %{y:.2f} h<extra></extra>",
            },
        )
    shapes, named = [], False
    for pause in clock.pauses:
        pause_end = pause.end or clock.stop or now
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": _local(pause.start),
                "x1": _local(min(pause_end, end)),
                "y0": 0,
                "y1": 1,
                "layer": "below",
                "fillcolor": BAND_GREY,
                "opacity": 0.35,
                "line": {"width": 0},
                "name": _("Paused"),
                "legendgroup": "paused",
                "showlegend": not named,
            }
        )
        named = True
    mark = clock.breached_at or clock.due_at
    if mark is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _local(mark),
                "x1": _local(mark),
                "y0": 0,
                "y1": 1,
                "line": {"color": state_colour if clock.breached_at else TONES["dark"], "width": 1.5, "dash": "dot"},
                "name": _("Breached") if clock.breached_at else _("Due"),
                "showlegend": True,
            }
        )
    top = max([goal, *past_y, *ahead_y]) * 1.1 or 1
    figure = {
        "data": data,
        "layout": {
            **BASE_LAYOUT,
            "height": 300,
            "hovermode": "closest",
            "xaxis": {**TIME_AXIS, "automargin": True},
            "yaxis": {"title": {"text": _("business hours")}, "range": [0, top], "rangemode": "tozero"},
            "shapes": shapes,
        },
    }
    headers = [
        _("Time (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
        _("Step"),
        _("Business time since the step before"),
        _("Wall-clock time since the step before"),
        _("Business time used"),
    ]
    table = [
        (
            _local(row.at),
            f"{row.what} {row.detail}".strip(),
            duration_text(row.ran),
            duration_text(row.wall, days=True),
            duration_text(row.total),
        )
        for row in rows
    ]
    return figure, {"headers": headers, "rows": table}
