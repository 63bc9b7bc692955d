"""The IPA chart's labels stay readable: points at one place are one marker naming each category, and every label is
put on a side of its marker where it covers no other label, no marker and no quadrant name (at the size of the chart
on a phone, the narrowest it is drawn). The browser test in tests/browser/test_ipa_chart.py measures the drawn text."""

from decimal import Decimal
from itertools import combinations

import pytest

from requirements_analysis import charts
from requirements_analysis.scoring import quadrant


def point(category, importance, performance, ratings=1):
    importance, performance = Decimal(str(importance)), Decimal(str(performance))
    return {
        "category": category,
        "importance": importance,
        "performance": performance,
        "ratings": ratings,
        "quadrant": quadrant(importance, performance),
    }


def overlap(one, other):
    return charts._overlap(one, other) > 0


def dot(marker):
    x, y, half = marker.x * charts.PX_PER_X, marker.y * charts.PX_PER_Y, charts.MARKER / 2
    return (x - half, y - half, x + half, y + half)


def assert_readable(markers):
    names = charts.quadrant_name_boxes({q: str(label) for q, label in charts.Quadrant.choices})
    boxes = [marker.box(marker.position) for marker in markers]
    for (one, box), (other, other_box) in combinations(zip(markers, boxes, strict=True), 2):
        assert not overlap(box, other_box), f"{one.label} and {other.label}"
    for marker, box in zip(markers, boxes, strict=True):
        assert not [other.label for other in markers if overlap(box, dot(other))], marker.label
        assert not [name for name in names if overlap(box, name)], marker.label
        assert charts._outside(box) == 0, marker.label


SCENES = {
    # The demo: Availability and Continuity side by side at importance 5 (their labels ran into one another as
    # "AvailabilityContinuity"), Responsiveness just above Performance.
    "demo": [
        point("availability", 5, "3.5"),
        point("continuity", 5, 4),
        point("responsiveness", "4.25", "2.25"),
        point("performance", "3.75", "2.25"),
        point("usability", 2, 4),
    ],
    "a row of four": [
        point(c, 4, p)
        for c, p in zip(("availability", "performance", "capacity", "security"), (2, "2.5", 3, "3.5"), strict=True)
    ],
    "a tight cluster": [
        point("availability", 4, 4),
        point("performance", "4.25", "4.25"),
        point("capacity", "3.75", "4.25"),
        point("security", 4, "4.5"),
    ],
    "at the edges": [point("other", 1, 1), point("usability", 5, 5), point("security", 1, 5), point("capacity", 5, 1)],
}


@pytest.mark.parametrize("scene", SCENES.values(), ids=SCENES.keys())
def test_no_label_covers_another_label_a_marker_or_a_quadrant_name(scene):
    assert_readable(
        charts.place_labels(charts.ipa_markers(scene), charts.quadrant_name_boxes(dict(charts.Quadrant.choices)))
    )


def test_side_by_side_points_get_labels_on_different_sides():
    availability, continuity = charts.place_labels(charts.ipa_markers(SCENES["demo"][:2]))
    assert availability.position == "top center"
    assert continuity.position != "top center"


def test_points_at_one_place_are_one_marker_naming_each_category():
    markers = charts.ipa_markers(
        [point("availability", 5, 4, ratings=3), point("continuity", 5, 4, ratings=2), point("security", 5, 5)]
    )
    assert [(m.x, m.y, m.label) for m in markers] == [(4.0, 5.0, "Availability<br>Continuity"), (5.0, 5.0, "Security")]
    assert markers[0].hover == [
        "Availability: importance 5, performance 4 (3 ratings)",
        "Continuity: importance 5, performance 4 (2 ratings)",
    ]


def test_the_figure_gives_each_marker_its_label_side_and_hover_text():
    figure, table, _customer = charts.ipa(SCENES["demo"])
    keep_up = next(trace for trace in figure["data"] if trace["name"] == "Keep up the good work")
    assert keep_up["text"] == ["Availability", "Continuity"]
    assert keep_up["textposition"][0] == "top center"
    assert keep_up["hovertext"] == [
        "Availability: importance 5, performance 3.5 (1 rating)",
        "Continuity: importance 5, performance 4 (1 rating)",
    ]
    assert keep_up["hoverinfo"] == "text"
    assert len(table["rows"]) == 5  # the data table keeps every category apart


def test_wide_characters_are_measured_wider():
    assert charts.text_width("가용성") == 36
    assert charts.text_width("Usability") == 63
