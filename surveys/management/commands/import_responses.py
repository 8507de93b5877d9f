from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.management.lookup import campaign_named
from surveys.imports.services import ImportRefused, responses_import


class Command(BaseCommand):
    help = (
        "Import the responses of a campaign collected with KoboToolbox or ODK Central, from "
        "their XLSX or CSV export (one row per submission, question names as headers, with or "
        "without group names; select-multiple as space-separated names or 0/1 columns). Each "
        "row names its agency in the 'agency' column of the XLSForm exported with "
        "'export_questionnaire --campaign', in --agency-column, or in agency_name and country "
        "columns. Every cell is checked as the online form checks it; a file with problems "
        "writes nothing. Answers already given are kept unless --overwrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("file", type=Path)
        parser.add_argument("--agency-column", help="The column that names each row's agency")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing"
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace answers already given, and change submitted responses",
        )

    def handle(self, *args, campaign, file, agency_column, dry_run, overwrite, **options):
        found = campaign_named(campaign)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            report = responses_import(
                campaign=found,
                data=data,
                filename=file.name,
                agency_column=agency_column,
                dry_run=dry_run,
                overwrite=overwrite,
            )
        except ImportRefused as error:
            raise CommandError(f"{file} was not imported: {error}") from error
        for notice in report.notices:
            self.stdout.write(f"  {notice}")
        if report.problems:
            listed = "\n".join(f"  {problem}" for problem in report.problems)
            raise CommandError(
                f"{file} was not imported, nothing was written: {len(report.problems)} "
                f"problems.\n{listed}"
            )
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {report.rows} rows of {file} into {found.code}: {report.saved} answers "
            f"saved, {report.submitted} responses submitted, {report.drafts} left as drafts, "
            f"{report.unchanged} unchanged" + (" (dry run: nothing was written)" if dry_run else "")
        )
