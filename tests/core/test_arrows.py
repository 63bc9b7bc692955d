"""The arrows of DESIGN.md §2 point one way: core imports none of the portal's packages, and each app imports only
those below it. Read from the source with ``ast``, so an import inside a function counts too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
OURS = {"core", "slm_portal", "agreements", "monitoring", "requirements_analysis", "improvement"}
# What each package may import of ours (besides itself).
MAY_IMPORT = {
    "core": set(),
    "agreements": {"core"},
    "monitoring": {"core", "agreements"},
    "requirements_analysis": {"core", "agreements", "monitoring"},
    "improvement": {"core", "agreements", "monitoring", "requirements_analysis"},
}


def imports_of_ours(package):
    """{(module file, imported module)} for every import of one of the portal's packages under ``package``."""
    found = set()
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            found.update((str(path.relative_to(ROOT)), module) for module in modules if module.split(".")[0] in OURS)
    return found


def test_core_imports_none_of_the_apps_nor_the_project():
    found = imports_of_ours("core")
    assert found, "the walk reads core's own imports (core.tenancy, ...)"
    assert [(path, module) for path, module in sorted(found) if module.split(".")[0] != "core"] == []


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_the_packages_below_it(package):
    allowed = MAY_IMPORT[package] | {package}
    wrong = sorted((path, module) for path, module in imports_of_ours(package) if module.split(".")[0] not in allowed)
    assert wrong == []
