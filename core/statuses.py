"""How a status looks: its order, its colour and its label, written once for each set of statuses.

Each app declares a ``Palette`` beside its status choices (``monitoring.choices.COMPLIANCE`` and the others); the
badge tag (``{% status_badge "compliance" snapshot.status %}``), the charts, the what-if script and the dashboards'
ordering all ask the palette, so a status has its colour and its place in one line of code.
"""

from django.db.models import Case, IntegerField, Value, When

# Bootstrap 5's contextual colours: a badge takes the class ``text-bg-<tone>``; a chart takes the hex.
TONES = {
    "danger": "#dc3545",
    "warning": "#ffc107",
    "success": "#198754",
    "primary": "#0d6efd",
    "info": "#0dcaf0",
    "secondary": "#6c757d",
    "light": "#f8f9fa",
    "dark": "#212529",
}

# Lighter tones of the same colours (Bootstrap's "border-subtle" ones), for scales that fade towards a turning point.
SUBTLE = {"danger": "#f1aeb5", "success": "#a3cfbb"}

_PALETTES = {}


class Palette:
    """The statuses of one choices class, in the order people read them (what needs attention first), each with a
    tone. ``css`` is the class prefix of its badges (``compliance-breached``), the palette's name by default."""

    def __init__(self, name, choices, tones, *, css=None):
        unknown = set(tones) ^ set(choices.values)
        if unknown:
            raise ValueError(f"palette {name!r} must give every status of {choices.__name__} a tone: {sorted(unknown)}")
        if not set(tones.values()) <= set(TONES):
            raise ValueError(f"palette {name!r} names a tone that is not one of {sorted(TONES)}")
        self.name, self.choices, self.css = name, choices, css or name
        self.order = [choices(value) for value in tones]
        self._tones = {str(value): tone for value, tone in tones.items()}
        _PALETTES[name] = self

    def __repr__(self):
        return f"<Palette {self.name}>"

    def tone(self, value):
        return self._tones.get(str(value), "secondary")

    def colour(self, value):
        return TONES[self.tone(value)]

    def label(self, value):
        try:
            return self.choices(value).label
        except ValueError:
            return str(value)

    def rank(self, value):
        """0 for the status read first; unknown values last."""
        return next((index for index, status in enumerate(self.order) if status == value), len(self.order))

    def first(self, values, default=None):
        """The value among ``values`` that is read first (the worst of compliance statuses); ``default`` if none."""
        values = list(values)
        return min(values, key=self.rank) if values else default

    def ranking(self, field="status"):
        """A database expression of ``rank`` for ``order_by``."""
        return Case(
            *(When(**{field: status}, then=Value(index)) for index, status in enumerate(self.order)),
            default=Value(len(self.order)),
            output_field=IntegerField(),
        )


def palette(name):
    return _PALETTES[name]
