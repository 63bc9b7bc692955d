"""The plan of an OpenSLO import: each OpenSLO field and what it becomes (``Line``), what cannot map, and the rows
to write; with the few helpers that show and read its values."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from core.formatting import plain_number
from monitoring.openslo.reading import Problem


@dataclass
class Line:
    """One OpenSLO field and what it becomes: ``old`` is None for a new row."""

    path: str
    field: str
    old: str | None
    new: str

    @property
    def changed(self):
        return self.old != self.new


@dataclass
class Plan:
    agreement: object
    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    services: list = field(default_factory=list)  # (service, {field: value})
    indicators: dict = field(default_factory=dict)  # code -> (indicator or None, {field: value}, service)
    targets: list = field(default_factory=list)  # (target or None, code, {field: value}, indicator code, tiers)
    metadata: list = field(default_factory=list)  # (kind, name, labels, annotations, metric)

    @property
    def changes(self):
        return sum(line.changed for line in self.lines)

    def problem(self, path, message):
        self.problems.append(Problem(path, str(message)))


def shown(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, float):
        return f"{value:g}"
    if hasattr(value, "code"):
        return value.code
    if isinstance(value, list | tuple):
        return ", ".join(f"{plain_number(below)}:{plain_number(credit)}" for below, credit in value) or "—"
    return str(value)


def label(model, name):
    """The portal field a value becomes, with its row's kind: "service level target: objective (%)"."""
    return f"{model._meta.verbose_name}: {model._meta.get_field(name).verbose_name}"


def shown_field(model, name, value):
    """A value as the portal's pages show it: a choice by its label."""
    choices = dict(model._meta.get_field(name).flatchoices)
    return str(choices[value]) if value in choices and value not in (None, "") else shown(value)


def fraction_percent(value, places):
    """A number read from YAML as an exact Decimal, or None."""
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() and -number.as_tuple().exponent <= places else None


def precise(value, scale, places):
    """``value`` × 10**scale when it has at most ``places`` decimals after scaling, else None."""
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return None
    number = number.scaleb(scale)
    return number.normalize() if max(0, -number.normalize().as_tuple().exponent) <= places else None


def dict_text(value):
    return ", ".join(f"{key}={value[key]}" for key in sorted(value)) if value else "—"
