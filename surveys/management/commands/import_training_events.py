from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.downloads import upload_limit
from surveys.registry.events import EventImportError, import_events, read_events


class Command(BaseCommand):
    help = (
        "Import training events into the registry from a CSV or XLSX file (see "
        "surveys/registry/events.py for the columns). Provider and reference are the key: "
        "the same file twice adds nothing, a changed row updates its event. A file with any "
        "problem is refused with each one named by row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        if len(data) > upload_limit("XLSFORM_MAX_UPLOAD_BYTES"):
            raise CommandError(f"{file.name} is too large for an events file")
        try:
            rows = read_events(data, file.name)
        except EventImportError as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"{file.name}: nothing imported.\n{lines}") from error
        created, updated = import_events(rows)
        self.stdout.write(
            f"{file.name}: {len(rows)} events, {created} created, {updated} updated, "
            f"{len(rows) - created - updated} unchanged"
        )
