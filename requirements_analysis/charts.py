"""The Importance-Performance Analysis chart as a plain plotly figure, with its data table.

plotly.js writes a point's label where it is told and never moves it out of another label's way, so the figure says
where each label goes. Points at the same place are one marker whose label names each category (one per line);
every other label is put on the first side of its marker (above, below, right, left, then the corners) where it
covers no label placed before it, no other marker and no quadrant name, judged at the chart's size on a narrow
screen (so that a wider chart only has more room). Hovering a marker tells its categories' numbers.
"""

import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.statuses import TONES
from requirements_analysis.choices import Category, Quadrant
from requirements_analysis.scoring import MIDPOINT

DIVIDER = {"dash": "dot", "color": "#adb5bd"}
QUADRANT_COLOURS = {
    Quadrant.CONCENTRATE: TONES["danger"],
    Quadrant.KEEP_UP: TONES["success"],
    Quadrant.LOW_PRIORITY: TONES["secondary"],
    Quadrant.OVERKILL: TONES["info"],
}
QUADRANTS = ("concentrate", "keep_up", "low_priority", "overkill")
X_RANGE, Y_RANGE = (0.5, 5.5), (0.3, 5.8)
# Where each quadrant's name is written (above and below every point's label).
QUADRANT_NAMES = {
    "concentrate": (1.75, 5.65),
    "keep_up": (4.25, 5.65),
    "low_priority": (1.75, 0.45),
    "overkill": (4.25, 0.45),
}

# The geometry labels are placed with, in pixels: the plot is 340 px high (420 less the margins) and, on a 390 px
# phone, about 280 px wide; plotly's default font is 12 px (a Latin letter about 7 px wide, a Hangul syllable 12 px).
PX_PER_X = 280 / (X_RANGE[1] - X_RANGE[0])
PX_PER_Y = 340 / (Y_RANGE[1] - Y_RANGE[0])
LINE_HEIGHT, GAP, MARKER = 15, 4, 12
POSITIONS = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)


def text_width(text):
    """The width in pixels of one line of text in plotly's 12 px font (wide characters count double)."""
    return sum(12 if unicodedata.east_asian_width(character) in "WF" else 7 for character in text)


@dataclass
class Marker:
    """One marker of the chart: the points at one place."""

    x: float
    y: float
    quadrant: str
    names: list = field(default_factory=list)
    hover: list = field(default_factory=list)
    position: str = POSITIONS[0]

    @property
    def label(self):
        return "<br>".join(self.names)

    def box(self, position):
        """(left, bottom, right, top) of the label at ``position``, in pixels from the chart's origin."""
        width = max(text_width(name) for name in self.names)
        height = LINE_HEIGHT * len(self.names)
        x, y = self.x * PX_PER_X, self.y * PX_PER_Y
        vertical, horizontal = position.split()
        offset = MARKER / 2 + GAP
        if horizontal == "center":
            left = x - width / 2
        elif horizontal == "right":
            left = x + (offset if vertical == "middle" else 0)
        else:
            left = x - width - (offset if vertical == "middle" else 0)
        if vertical == "top":
            bottom = y + offset
        elif vertical == "bottom":
            bottom = y - offset - height
        else:
            bottom = y - height / 2
        return left, bottom, left + width, bottom + height


def _overlap(one, other):
    """The area two boxes (left, bottom, right, top) share."""
    width = min(one[2], other[2]) - max(one[0], other[0])
    height = min(one[3], other[3]) - max(one[1], other[1])
    return width * height if width > 0 and height > 0 else 0


def _outside(box):
    """How far a label box reaches out of the plot, in pixels."""
    left, bottom = X_RANGE[0] * PX_PER_X, Y_RANGE[0] * PX_PER_Y
    right, top = X_RANGE[1] * PX_PER_X, Y_RANGE[1] * PX_PER_Y
    return max(0, left - box[0]) + max(0, box[2] - right) + max(0, bottom - box[1]) + max(0, box[3] - top)


def quadrant_name_boxes(names):
    boxes = []
    for quadrant, (x, y) in QUADRANT_NAMES.items():
        width = text_width(names[quadrant])
        boxes.append(
            (
                x * PX_PER_X - width / 2,
                y * PX_PER_Y - LINE_HEIGHT / 2,
                x * PX_PER_X + width / 2,
                y * PX_PER_Y + LINE_HEIGHT / 2,
            )
        )
    return boxes


def place_labels(markers, obstacles=()):
    """Give each marker the first label position that covers nothing placed before it, no marker and no obstacle,
    or, when every side is taken, the one that covers least. Markers are placed top to bottom, left to right."""
    taken = list(obstacles)
    dots = [
        (
            m.x * PX_PER_X - MARKER / 2,
            m.y * PX_PER_Y - MARKER / 2,
            m.x * PX_PER_X + MARKER / 2,
            m.y * PX_PER_Y + MARKER / 2,
        )
        for m in markers
    ]
    for marker in sorted(markers, key=lambda m: (-m.y, m.x)):

        def cost(position, marker=marker):
            box = marker.box(position)
            return sum(_overlap(box, other) for other in taken + dots) + 100 * _outside(box)

        costs = [(cost(position), order, position) for order, position in enumerate(POSITIONS)]
        marker.position = min(costs)[2]
        taken.append(marker.box(marker.position))
    return markers


def ipa_markers(points):
    """The points as markers: one per place, naming each category there, in the order given."""
    labels = dict(Category.choices)
    markers = {}
    for point in points:
        place = (float(point["performance"]), float(point["importance"]))
        name = str(labels.get(point["category"], point["category"]))
        marker = markers.setdefault(place, Marker(place[0], place[1], point["quadrant"]))
        marker.names.append(name)
        marker.hover.append(
            ngettext(
                "%(category)s: importance %(importance)s, performance %(performance)s (%(ratings)s rating)",
                "%(category)s: importance %(importance)s, performance %(performance)s (%(ratings)s ratings)",
                point["ratings"],
            )
            % {
                "category": name,
                "importance": point["importance"],
                "performance": point["performance"],
                "ratings": point["ratings"],
            }
        )
    return list(markers.values())


def ipa(points, customer_name=None):
    quadrant_labels = {quadrant: str(label) for quadrant, label in Quadrant.choices}
    middle = float(MIDPOINT)
    markers = place_labels(ipa_markers(points), quadrant_name_boxes(quadrant_labels))
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": quadrant_labels[quadrant],
                "x": [m.x for m in markers if m.quadrant == quadrant],
                "y": [m.y for m in markers if m.quadrant == quadrant],
                "text": [m.label for m in markers if m.quadrant == quadrant],
                "textposition": [m.position for m in markers if m.quadrant == quadrant],
                "hovertext": ["<br>".join(m.hover) for m in markers if m.quadrant == quadrant],
                "hoverinfo": "text",
                "marker": {"size": MARKER, "color": QUADRANT_COLOURS[quadrant]},
            }
            for quadrant in QUADRANTS
        ],
        "layout": {
            "height": 420,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
            "xaxis": {"title": {"text": _("Performance (1-5)")}, "range": list(X_RANGE), "zeroline": False},
            "yaxis": {"title": {"text": _("Importance (1-5)")}, "range": list(Y_RANGE), "zeroline": False},
            "shapes": [
                {"type": "line", "x0": middle, "x1": middle, "y0": Y_RANGE[0], "y1": Y_RANGE[1], "line": DIVIDER},
                {"type": "line", "x0": X_RANGE[0], "x1": X_RANGE[1], "y0": middle, "y1": middle, "line": DIVIDER},
            ],
            "annotations": [
                {"x": x, "y": y, "text": quadrant_labels[quadrant], "showarrow": False}
                for quadrant, (x, y) in QUADRANT_NAMES.items()
            ],
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.2},
        },
    }  # fmt: skip
    labels = dict(Category.choices)
    rows = [
        (
            labels.get(p["category"], p["category"]),
            p["importance"],
            p["performance"],
            p["ratings"],
            quadrant_labels[p["quadrant"]],
        )
        for p in points
    ]
    table = {
        "headers": [_("Category"), _("Importance"), _("Performance"), _("Ratings"), _("Quadrant")],
        "rows": rows,
    }
    return figure, table, customer_name
