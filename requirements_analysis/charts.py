"""The Importance-Performance Analysis chart as a plain plotly figure, with its data table."""

from django.utils.translation import gettext as _

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


def ipa(points, customer_name=None):
    labels = dict(Category.choices)
    quadrant_labels = dict(Quadrant.choices)
    middle = float(MIDPOINT)
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": str(quadrant_labels[quadrant]),
                "x": [float(p["performance"]) for p in points if p["quadrant"] == quadrant],
                "y": [float(p["importance"]) for p in points if p["quadrant"] == quadrant],
                "text": [str(labels.get(p["category"], p["category"])) for p in points if p["quadrant"] == quadrant],
                "textposition": "top center",
                "marker": {"size": 12, "color": QUADRANT_COLOURS[quadrant]},
            }
            for quadrant in ("concentrate", "keep_up", "low_priority", "overkill")
        ],
        "layout": {
            "height": 420,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
            "xaxis": {"title": {"text": _("Performance (1-5)")}, "range": [0.5, 5.5], "zeroline": False},
            "yaxis": {"title": {"text": _("Importance (1-5)")}, "range": [0.5, 5.6], "zeroline": False},
            "shapes": [
                {"type": "line", "x0": middle, "x1": middle, "y0": 0.5, "y1": 5.6, "line": DIVIDER},
                {"type": "line", "x0": 0.5, "x1": 5.5, "y0": middle, "y1": middle, "line": DIVIDER},
            ],
            "annotations": [
                {"x": 1.75, "y": 5.5, "text": str(quadrant_labels["concentrate"]), "showarrow": False},
                {"x": 4.25, "y": 5.5, "text": str(quadrant_labels["keep_up"]), "showarrow": False},
                {"x": 1.75, "y": 0.6, "text": str(quadrant_labels["low_priority"]), "showarrow": False},
                {"x": 4.25, "y": 0.6, "text": str(quadrant_labels["overkill"]), "showarrow": False},
            ],
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.2},
        },
    }  # fmt: skip
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
