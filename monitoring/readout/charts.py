"""Chart figures as plain dicts for plotly.js (rendered in the browser from JSON; no figure objects are built).

Every figure comes with the rows of its accessible data table, so the numbers are readable without the chart.
"""

import datetime as dt
from decimal import ROUND_HALF_EVEN, Context, Decimal
from itertools import dropwhile

from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import plain_number
from core.statuses import SUBTLE, TONES
from monitoring.choices import COMPLIANCE, SnapshotStatus
from monitoring.slo import rounded, to_percent

# Figures are rounded for the chart here, never in the thread's (changeable) default context.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
BASE_LAYOUT = {
    "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
    "height": 260,
    "showlegend": True,
    # The legend at the foot of the figure, below the x axis's labels however far they reach (a phone rotates long
    # ones): automargin makes room for those labels, and for the legend under them.
    "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
    "hovermode": "x unified",
}
CATEGORIES = {"type": "category", "automargin": True}


# Excluded time on a time chart: a light grey band behind the data over each interval that did not count, and an
# outline (no fill) over maintenance that counted (announced too late, or over the cap), so the two read apart.
BAND_GREY = "#adb5bd"


def with_bands(figure, bands):
    """``figure`` with ``bands`` (``readout.maintenance.Band``s) drawn behind its data, one legend entry for each
    kind of band (clicking it hides or shows them all); x positions as the axis reads them (local time on a time
    axis, a day's position on an axis of days)."""
    if not bands:
        return figure
    shapes, named = [], set()
    for band in bands:
        shape = {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": _local(band.x0) if isinstance(band.x0, dt.datetime) else band.x0,
            "x1": _local(band.x1) if isinstance(band.x1, dt.datetime) else band.x1,
            "y0": 0,
            "y1": 1,
            "layer": "below",
            "name": band.legend,
            "legendgroup": band.legend,
            "showlegend": band.legend not in named,
        }
        if band.counted:
            shape.update(
                {"fillcolor": "rgba(0,0,0,0)", "line": {"color": TONES["secondary"], "width": 1, "dash": "dot"}}
            )
        else:
            # Edged too, so that an hour on a month's axis of days still shows.
            shape.update({"fillcolor": BAND_GREY, "opacity": 0.5, "line": {"color": BAND_GREY, "width": 1}})
        named.add(band.legend)
        shapes.append(shape)
    figure["layout"] = {**figure["layout"], "shapes": [*figure["layout"].get("shapes", []), *shapes]}
    return figure


def _number(value, places=3):
    return None if value is None else float(Decimal(value).quantize(Decimal(1).scaleb(-places, _CTX), context=_CTX))


def attainment_history(target, snapshots):
    """Attainment of each period (bars coloured by status, the running period hatched and labelled) against the
    objective each period was judged by (a dash over each bar, joined: drawn even when there is one period).
    Periods before the first one with data are left out."""
    snapshots = list(dropwhile(lambda snapshot: snapshot.attainment is None, snapshots))
    labels = [snapshot.period_label for snapshot in snapshots]
    values = [_number(None if s.attainment is None else to_percent(s.attainment)) for s in snapshots]
    objective = [_number(s.objective) for s in snapshots]
    running = _("running")
    states = [running if not s.is_closed else "" for s in snapshots]
    colours = [COMPLIANCE.colour(s.status) for s in snapshots]
    figure = {
        "data": [
            {
                "type": "bar",
                "name": _("Attainment (%)"),
                "x": labels,
                "y": values,
                "hovertext": states,
                "hovertemplate": "%{x}: %{y:.3f} % %{hovertext}<extra></extra>",
                "marker": {
                    "color": colours,
                    "pattern": {
                        "shape": ["/" if state else "" for state in states],
                        # Named, not left to the bars' colour: else the legend's swatch is blank when the first bar
                        # is hatched (a target whose only period is running).
                        "bgcolor": colours,
                        "fgcolor": "#ffffff",
                        "solidity": 0.3,
                    },
                },
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Objective (%)"),
                "x": labels,
                "y": objective,
                "line": {"color": "#212529", "dash": "dash"},
                "marker": {"symbol": "line-ew-open", "size": 28, "line": {"width": 2, "color": "#212529"}},
            },
        ],
        "layout": {
            **BASE_LAYOUT,
            "margin": {**BASE_LAYOUT["margin"], "t": 30},  # room for the running period's label
            "yaxis": {"title": {"text": "%"}, "range": _percent_range(values + objective)},
            "xaxis": CATEGORIES,
            "annotations": [
                {"x": label, "y": 1, "yref": "paper", "text": state, "showarrow": False, "yanchor": "bottom"}
                for label, state in zip(labels, states, strict=True)
                if state
            ],
        },
    }
    rows = [
        (
            s.period_label,
            _shown(to_percent(s.attainment) if s.attainment is not None else None),
            plain_number(s.objective),
            f"{s.get_status_display()} ({running})" if state else s.get_status_display(),
        )
        for s, state in zip(snapshots, states, strict=True)
    ]
    headers = [_("Period"), _("Attainment (%)"), _("Objective (%)"), _("Status")]
    return figure, {"headers": headers, "rows": rows}


def _percent_range(values):
    """From a little under the lowest value to 100: an attainment axis never runs past 100 %."""
    present = [value for value in values if value is not None]
    if not present:
        return [0, 100]
    low = min(*present, 99.5)  # at least half a point shown, so that a line at 100 % is not drawn on the edge
    return [max(0, low - (100 - low) * 0.5 - 0.01), 100]


def _shown(value, places=3):
    return "—" if value is None else f"{Decimal(value):.{places}f}"


def burn_down(days, budget_labels, bands=()):
    """Error budget left (%) day by day through the period, against the ideal straight line to zero at its end;
    ``bands``: the excluded time (``with_bands``).

    ``days``: [(label, remaining fraction or None, ideal fraction)].
    """
    labels = [label for label, _remaining, _ideal in days]
    actual = [_number(None if remaining is None else to_percent(remaining), 2) for _label, remaining, _ideal in days]
    ideal = [_number(to_percent(ideal), 2) for _label, _remaining, ideal in days]
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Budget left (%)"),
                "x": labels,
                "y": actual,
                "line": {"color": "#0d6efd"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Even spending"),
                "x": labels,
                "y": ideal,
                "line": {"color": "#adb5bd", "dash": "dot"},
            },
        ],
        "layout": {**BASE_LAYOUT, "yaxis": {"title": {"text": "%"}}, "xaxis": CATEGORIES},
    }
    if bands:  # each day's place on the axis as wide as under the daily bars, its bands inside it
        figure["layout"]["xaxis"] = {**CATEGORIES, "range": [-0.5, len(labels) - 0.5]}
    rows = [(label, _shown(a, 2), _shown(i, 2)) for label, a, i in zip(labels, actual, ideal, strict=True)]
    return with_bands(figure, bands), {"headers": [_("Day"), *budget_labels], "rows": rows}


def daily_bars(days, unit_label, bands=()):
    """Good and bad per day, stacked. ``days``: [(label, good, bad)], whole events or minutes, or minutes with
    fractions (ratio timeslices count each slice's ratio); ``bands``: the excluded time (``with_bands``)."""
    labels = [label for label, _good, _bad in days]
    figure = {
        "data": [
            {
                "type": "bar",
                "name": _("Good"),
                "x": labels,
                "y": [_number(good, 2) for _l, good, _b in days],
                "marker": {"color": COMPLIANCE.colour(SnapshotStatus.MET)},
            },
            {
                "type": "bar",
                "name": _("Bad"),
                "x": labels,
                "y": [_number(bad, 2) for _l, _g, bad in days],
                "marker": {"color": COMPLIANCE.colour(SnapshotStatus.BREACHED)},
            },
        ],  # fmt: skip
        "layout": {
            **BASE_LAYOUT,
            "barmode": "stack",
            "yaxis": {"title": {"text": unit_label}},
            "xaxis": CATEGORIES,
        },
    }
    rows = [(label, plain_number(rounded(good, 2)), plain_number(rounded(bad, 2))) for label, good, bad in days]
    return with_bands(figure, bands), {"headers": [_("Day"), _("Good"), _("Bad")], "rows": rows}


def target_trends(targets):
    """One line per target: attainment over its last periods (the customer dashboard's chart of an agreement)."""
    data, rows = [], []
    for target in targets:
        points = [s for s in target.trend if s.attainment is not None]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": target.name,
                "x": [s.period_label for s in points],
                "y": [_number(to_percent(s.attainment)) for s in points],
            }
        )
        rows += [
            (target.name, s.period_label, _shown(to_percent(s.attainment)), plain_number(s.objective)) for s in points
        ]
    values = [value for trace in data for value in trace["y"]]
    yaxis = {"title": {"text": "%"}, "range": _percent_range(values)}
    figure = {"data": data, "layout": {**BASE_LAYOUT, "yaxis": yaxis, "xaxis": CATEGORIES}}
    return figure, {"headers": [_("Target"), _("Period"), _("Attainment (%)"), _("Objective (%)")], "rows": rows}


def heatmap(matrix):
    """Services × months; colour = the smallest share of an error budget left (red under 0: the objective was
    missed; green at or over it, the greener the more budget was left), text = the worst attainment."""
    services, months, cells = matrix["services"], matrix["months"], matrix["cells"]
    z, text = [], []
    for service in services:
        z.append(
            [_number(cells[(service, month)]["left"], 3) if (service, month) in cells else None for month in months]
        )
        text.append(
            [_shown(cells[(service, month)]["attainment"]) if (service, month) in cells else "" for month in months]
        )
    missed, kept = COMPLIANCE.colour(SnapshotStatus.BREACHED), COMPLIANCE.colour(SnapshotStatus.MET)
    figure = {
        "data": [
            {
                "type": "heatmap",
                "x": months,
                "y": services,
                "z": z,
                "text": text,
                "texttemplate": "%{text}",
                "hovertemplate": "%{y} %{x}: %{text} %<extra></extra>",
                "zmin": -1,
                "zmax": 1,
                # The colour turns at the objective (0 budget left), never elsewhere: under it red, at or over it green.
                "colorscale": [[0, missed], [0.4999, SUBTLE["danger"]], [0.5, SUBTLE["success"]], [1, kept]],
                "colorbar": {
                    "title": {"text": _("error budget left"), "side": "right"},
                    "tickvals": [-1, 0, 1],
                    "ticktext": [_("spent twice"), _("at the objective"), _("all left")],
                },
            }
        ],
        "layout": {
            **BASE_LAYOUT,
            "height": max(200, 40 * len(services) + 80),
            "showlegend": False,
            "hovermode": "closest",
            "xaxis": CATEGORIES,
            "yaxis": {"type": "category", "automargin": True},
        },
    }
    rows = [(service, *row) for service, row in zip(services, text, strict=True)]
    return figure, {"headers": [_("Service"), *months], "rows": rows, "more": matrix.get("more", 0)}


def _local(instant):
    """An instant as the pages' time zone shows it, to the minute (a date axis reads it as it is)."""
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M")


def _time_header():
    return _("Time (%(zone)s)") % {"zone": timezone.get_current_timezone_name()}


# Dates written out in digits, whatever the page's language (plotly.js is served without its locales).
_TIME_AXIS = {
    "type": "date",
    "hoverformat": "%Y-%m-%d %H:%M",
    "tickformatstops": [
        {"dtickrange": [None, 86_400_000], "value": "%H:%M\n%Y-%m-%d"},
        {"dtickrange": [86_400_000, None], "value": "%Y-%m-%d"},
    ],
}


def indicator_history(history, indicator, bands=()):
    """An indicator over a range (``readout.indicator_history.History``): the good share per hour or minute (a
    line, in percent; gaps where nothing was measured) above its good and bad events, or samples of a judged kind,
    (stacked bars) on the same time axis, behind them the excluded time (``with_bands``). The table lists the points
    that had samples."""
    unit = _("samples") if indicator.sli_kind.judged else _("tickets") if indicator.sli_kind.tickets else _("events")
    points = history.points
    x = [_local(point.start) for point in points]
    shares = [None if p.good_share is None else _number(to_percent(p.good_share)) for p in points]
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Good share (%)"),
                "x": x,
                "y": shares,
                "connectgaps": False,
                "line": {"color": "#0d6efd", "width": 1.5},
                "marker": {"size": 3},
            },
            {
                "type": "bar",
                "name": _("Good"),
                "x": x,
                "y": [point.good for point in points],
                "yaxis": "y2",
                "marker": {"color": COMPLIANCE.colour(SnapshotStatus.MET)},
            },
            {
                "type": "bar",
                "name": _("Bad"),
                "x": x,
                "y": [point.bad for point in points],
                "yaxis": "y2",
                "marker": {"color": COMPLIANCE.colour(SnapshotStatus.BREACHED)},
            },
        ],
        "layout": {
            **BASE_LAYOUT,
            "height": 420,
            "legend": {"orientation": "h", "y": -0.15, "traceorder": "normal"},
            "barmode": "stack",
            "bargap": 0,
            "xaxis": {**_TIME_AXIS, "anchor": "y2", "range": [_local(history.start), _local(history.end)]},
            "yaxis": {"title": {"text": "%"}, "domain": [0.4, 1], "range": _percent_range(shares)},
            "yaxis2": {"title": {"text": unit}, "domain": [0, 0.3], "rangemode": "tozero"},
        },
    }
    rows = [
        (
            _local(point.start),
            _shown(None if point.good_share is None else to_percent(point.good_share)),
            point.good,
            point.bad,
        )
        for point in history.measured
    ]
    headers = [_time_header(), _("Good share (%)"), _("Good (%(unit)s)") % {"unit": unit}]
    headers.append(_("Bad (%(unit)s)") % {"unit": unit})
    return with_bands(figure, bands), {"headers": headers, "rows": rows}


def indicator_values(history, indicator, bands=()):
    """A judged indicator's measured values per minute — the lowest to the highest (a band) and the mean (a line) —
    against its threshold (a dashed line across the range), behind them the excluded time (``with_bands``)."""
    values = history.values or []
    x = [_local(minute.start) for minute in values]
    start, end = _local(history.start), _local(history.end)
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Lowest"),
                "legendrank": 2,
                "x": x,
                "y": [minute.low for minute in values],
                "line": {"color": "#9ec5fe", "width": 0.5},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Highest"),
                "legendrank": 3,
                "x": x,
                "y": [minute.high for minute in values],
                "fill": "tonexty",
                "line": {"color": "#9ec5fe", "width": 0.5},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Mean"),
                "legendrank": 1,
                "x": x,
                "y": [minute.mean for minute in values],
                "line": {"color": "#0d6efd", "width": 1.5},
                "marker": {"size": 3},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Good when %(rule)s") % {"rule": indicator.rule},
                "legendrank": 4,
                "x": [start, end],
                "y": [indicator.threshold, indicator.threshold],
                "line": {"color": COMPLIANCE.colour(SnapshotStatus.BREACHED), "dash": "dash"},
                "hoverinfo": "skip",
            },
        ],
        "layout": {
            **BASE_LAYOUT,
            "legend": {**BASE_LAYOUT["legend"], "traceorder": "normal"},  # by legendrank, the band's fill aside
            "xaxis": {**_TIME_AXIS, "range": [start, end]},
            "yaxis": {"title": {"text": indicator.unit}},
        },
    }
    rows = [
        (_local(minute.start), _value(minute.low), _value(minute.mean), _value(minute.high), minute.samples)
        for minute in values
    ]
    headers = [_time_header(), _("Lowest"), _("Mean"), _("Highest"), _("Samples")]
    return with_bands(figure, bands), {"headers": headers, "rows": rows}


def _value(value):
    """A measured value to 3 places at most: 120.0 -> "120", 0.1 + 0.2 -> "0.3"."""
    return plain_number(rounded(Decimal(value), 3))
