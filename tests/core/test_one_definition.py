"""One definition per kind: nothing outside its definition tells SLI kinds, budgeting methods or status colours
apart by name (docs/decisions/0004-one-definition-per-kind.md)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("agreements", "core", "improvement", "monitoring", "requirements_analysis", "slm_portal", "templates")


def sources(*suffixes):
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path
    yield from sorted((ROOT / "static" / "js").glob("*.js"))


KIND = r"\bkind\s*[!=]=\s*['\"](ratio|threshold)|IndicatorKind\.(RATIO|THRESHOLD)\b"
METHOD = r"budgeting_method\s*[!=]=|[!=]=\s*['\"](occurrences|timeslices|ratio_timeslices)['\"]"
METHOD_MEMBER = r"|(==|!=|\bis)\s*(BudgetingMethod|slo\.Method)\."
STATUS_COLOUR = r"(status|would_be)\s*===?\s*['\"]\w+['\"]\s*(%\}|\?)\s*['\"]?text-bg-"


def offenders(pattern, suffixes, allowed=()):
    found = []
    for path in sources(*suffixes):
        name = path.relative_to(ROOT).as_posix()
        if name in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{name}:{number}: {line.strip()[:100]}")
    return found


@pytest.mark.parametrize(
    ("what", "pattern", "suffixes", "allowed"),
    [
        (
            "an SLI kind compared by name",
            KIND,
            (".py", ".html"),
            ("monitoring/kinds.py", "monitoring/demo.py"),  # the demo's indicators are data of each kind
        ),
        (
            "a budgeting method compared by name",
            METHOD + METHOD_MEMBER,
            (".py", ".html"),
            ("agreements/choices.py", "monitoring/slo.py"),
        ),
        (
            "a status colour chosen by name",
            STATUS_COLOUR,
            (".py", ".html", ".js"),
            (),
        ),
        (
            "a colour of the palette written out",
            r"#(198754|ffc107|dc3545|6c757d|0dcaf0)\b",
            (".py", ".html", ".js", ".css"),
            ("core/statuses.py",),
        ),
    ],
)
def test_nothing_outside_the_definition_tells_kinds_apart_by_name(what, pattern, suffixes, allowed):
    assert offenders(pattern, suffixes, allowed) == [], what


def test_the_guard_finds_what_it_looks_for():
    """The patterns above match the comparisons this layout removed (a guard that matches nothing guards nothing)."""
    removed = [
        ("kind", "{% if indicator.kind == 'ratio' %}"),
        ("method", 'if target.budgeting_method == "timeslices"'),
        ("method", 'unit = _("minutes") if target.budgeting_method != "occurrences" else _("events")'),
        ("status", "{% if status == 'met' %}text-bg-success{% elif"),
        ("status", 'period.would_be === "met" ? "text-bg-success" : "text-bg-secondary"'),
    ]
    patterns = {"kind": KIND, "method": METHOD, "status": STATUS_COLOUR}
    assert all(re.search(patterns[name], line) for name, line in removed)
