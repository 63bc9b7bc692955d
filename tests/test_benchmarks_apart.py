"""The benchmark commands stay outside the portal (DESIGN §2): they may import anything, nothing imports them.

Read with `ast`, not by importing: the check holds for modules a run of the suite never loads.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORT_FUNCTIONS = {"import_module", "importlib.import_module", "__import__"}


def imported_modules(source):
    """Every module a source names in an import statement or in a call of import_module with a literal name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in IMPORT_FUNCTIONS
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value


def portal_sources():
    """manage.py and the Python files of every top-level package but `benchmarks` (the apps, slm_portal, tests)."""
    packages = [path for path in sorted(ROOT.iterdir()) if (path / "__init__.py").is_file()]
    packages = [package for package in packages if package.name != "benchmarks"]
    return [ROOT / "manage.py", *(source for package in packages for source in sorted(package.rglob("*.py")))]


def test_the_check_sees_every_way_of_importing():
    source = (
        "import benchmarks.engine\n"
        "from benchmarks import common\n"
        "def later():\n"
        "    from monitoring import slo\n"
        "    return importlib.import_module('benchmarks.pages')\n"
    )
    assert sorted(imported_modules(source)) == ["benchmarks", "benchmarks.engine", "benchmarks.pages", "monitoring"]


def test_the_portal_never_imports_the_benchmarks():
    sources = portal_sources()
    walked = {source.relative_to(ROOT).parts[0] for source in sources}
    assert {"slm_portal", "agreements", "monitoring", "requirements_analysis", "improvement", "tests"} <= walked

    offenders = [
        f"{source.relative_to(ROOT)} imports {name}"
        for source in sources
        for name in imported_modules(source.read_text(encoding="utf-8"))
        if name == "benchmarks" or name.startswith("benchmarks.")
    ]
    assert offenders == []
