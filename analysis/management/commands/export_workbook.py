import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.management.lookup import campaign_named
from analysis.results import Filters, workbook_data
from analysis.workbook import write_workbook


class Command(BaseCommand):
    help = "Write the campaign workbook for trainers (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="Campaign code, e.g. DEMO")
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--region", default="", help="UN region name, e.g. Africa")
        parser.add_argument("--country", default="", help="ISO 3166 alpha-2 code, e.g. KE")
        parser.add_argument("--kind", default="", help="Kind of agency, e.g. police")
        parser.add_argument(
            "--no-answers", action="store_true", help="Leave out the one-row-per-agency sheet"
        )

    def handle(self, *args, campaign, output, region, country, kind, no_answers, **options):
        found = campaign_named(campaign)
        if output.suffix.lower() != ".xlsx":
            raise CommandError(f"The output must be an .xlsx file, not '{output.name}'")
        started = time.perf_counter()
        filters = Filters(region=region, country=country.upper(), agency_kind=kind)
        data = workbook_data(found, filters, include_answers=not no_answers)
        try:
            write_workbook(data, output)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {output} for {found.code}: {data.respondents} responses, "
            f"{len(data.competencies)} competencies, "
            f"{'no answers sheet' if data.answers is None else f'{len(data.answers)} answer rows'}"
            f" in {time.perf_counter() - started:.1f} s"
        )
