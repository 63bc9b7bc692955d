"""One definition per kind: nothing outside its definition tells SLI kinds, budgeting methods or status colours
apart by name (docs/decisions/0004-one-definition-per-kind.md), and a person is named by one function,
``core.formatting.person_name`` (the ``person`` template filter), everywhere."""

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
PEOPLE = r"(owner|changed_by|history_user|author|submitted_by|reviewed_by|uploaded_by|created_by|user)"
# A name put together by hand, or a person printed as str(user) (their username), in a template or in code.
PERSON_BY_HAND = r"get_full_name|get_username|\.username\b"
PERSON_UNNAMED = rf"\b{PEOPLE}\s*(\}}\}}|\|default)|str\((\w+\.)?{PEOPLE}\)|\{{(\w+\.)?{PEOPLE}[}} !]"


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
            "a person's name put together elsewhere than core.formatting.person_name",
            PERSON_BY_HAND,
            (".py", ".html", ".txt"),
            # and a Prometheus server's basic-auth user name, which names no person
            ("core/formatting.py", "monitoring/intake/prometheus.py", "monitoring/models/prometheus.py"),
        ),
        (
            "a person shown without the person filter (as their username)",
            PERSON_UNNAMED,
            (".py", ".html", ".txt"),
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
        ("by hand", '{{ plan.owner.get_full_name|default:plan.owner|default:"—" }}'),
        ("by hand", "{% blocktranslate with name=owner.get_full_name|default:owner.username %}"),
        ("unnamed", '<td>{{ action.owner|default:"—" }}</td>'),
        ("unnamed", '{{ record.history_user|default:_("system") }}'),
        ("unnamed", 'who=str(record.history_user) if record.history_user_id else _("system"),'),
        ("unnamed", 'f"{self.owner} {self.day}"'),
    ]
    patterns = {
        "kind": KIND,
        "method": METHOD,
        "status": STATUS_COLOUR,
        "by hand": PERSON_BY_HAND,
        "unnamed": PERSON_UNNAMED,
    }
    assert all(re.search(patterns[name], line) for name, line in removed)
