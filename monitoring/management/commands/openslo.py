"""``manage.py openslo export AGREEMENT FILE`` and ``manage.py openslo import AGREEMENT FILE [--dry-run]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from agreements.models import Agreement
from monitoring.openslo.exporting import ExportError, export_text
from monitoring.openslo.importing import plan_import
from monitoring.openslo.reading import MAX_BYTES, OpenSloError
from monitoring.openslo.storing import apply


def preview_lines(plan):
    """The preview as text lines, the same the import page shows."""
    for line in plan.lines:
        mark = "+" if line.old is None else ("~" if line.changed else "=")
        old = f"{line.old} -> " if line.old is not None and line.changed else ""
        yield f"{mark} {line.path}: {line.field}: {old}{line.new}"


class Command(BaseCommand):
    help = "Export an agreement's targets as an OpenSLO v1 file, or import one into an agreement (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("agreement", help="the agreement's code")
        parser.add_argument("file", help="the file to write (export; - for standard output) or read (import)")
        parser.add_argument("--dry-run", action="store_true", help="import: show what would change, store nothing")

    @no_translations
    def handle(self, *args, action, agreement, file, dry_run, **options):
        found = Agreement.objects.filter(code=agreement).first()
        if found is None:
            raise CommandError(f"No agreement has the code {agreement!r}.")
        if action == "export":
            try:
                text = export_text(found)
            except ExportError as error:
                raise CommandError("Cannot export: " + " ".join(error.problems)) from None
            if file == "-":
                self.stdout.write(text, ending="")
            else:
                Path(file).write_text(text, encoding="utf-8")
                self.stdout.write(f"Wrote {file}.")
            return
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError("The file is over 10 MB.")
        try:
            plan = plan_import(found, path.read_bytes())
        except OpenSloError as error:
            raise CommandError(str(error)) from None
        if plan.problems:
            raise CommandError("Nothing was imported:\n" + "\n".join(f"  {problem}" for problem in plan.problems))
        for line in preview_lines(plan):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(f"Dry run: {plan.changes} changes, nothing stored.")
            return
        apply(plan)
        self.stdout.write(f"Imported: {plan.changes} changes.")
