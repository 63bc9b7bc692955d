"""Compile and check the translation catalogues without GNU gettext: `python -m slm_portal.i18n compile|check`.

`manage.py makemessages` (which does need gettext) extracts the strings into locale/<lang>/LC_MESSAGES/django.po;
translators fill it in; this module writes the .mo the portal loads, so a fresh machine needs no gettext to run.
"""

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues():
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def problems(po_path):
    """Untranslated or fuzzy entries, and placeholders that differ between msgid and msgstr."""
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]|\{\{\s*(\w+)\s*\}\}|%[sd]")
    found = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{po_path}:{entry.linenum}: fuzzy: {entry.msgid!r}")
            continue
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        if not all(translations):
            found.append(f"{po_path}:{entry.linenum}: untranslated: {entry.msgid!r}")
            continue
        expected = sorted(placeholder.findall(entry.msgid))
        for text in translations:
            if sorted(placeholder.findall(text)) != expected:
                found.append(f"{po_path}:{entry.linenum}: placeholders differ: {entry.msgid!r} -> {text!r}")
    return found


def compile_all():
    for po_path in catalogues():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.with_suffix('.mo')}")  # noqa: T201


def main(argv):
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "compile":
        compile_all()
        return 0
    if command == "check":
        found = [line for po_path in catalogues() for line in problems(po_path)]
        print("\n".join(found) or "all catalogues complete")  # noqa: T201
        return 1 if found else 0
    print(__doc__)  # noqa: T201
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
