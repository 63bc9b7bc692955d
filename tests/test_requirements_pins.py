"""The pinned requirements: dev.txt, which `make install` reads alone, holds every run-time pin."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(name):
    """{package: version} of a pinned requirements file."""
    found = {}
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            package, version = line.split("==", 1)
            found[package.strip().lower().replace("_", "-")] = version.split()[0]
    return found


def test_the_development_pins_hold_every_run_time_pin_at_the_same_version():
    """`make install` installs dev.txt alone: a package pinned in base.txt but not in dev.txt is missing from every
    fresh set-up (and from CI) while present in a machine's older venv."""
    base, dev = pins("base.txt"), pins("dev.txt")
    assert {package: version for package, version in base.items() if dev.get(package) != version} == {}
