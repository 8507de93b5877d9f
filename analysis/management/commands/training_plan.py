import csv
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis import plan_export
from analysis.management.lookup import campaign_named
from analysis.results import Filters, training_plan
from common.downloads import escape_formula


class Command(BaseCommand):
    help = (
        "Write a campaign's checked training plan: JSON with the courses (each with the "
        "agencies counted for it) and the preconditions, or CSV with one row per course and "
        "agency. It names agencies: for coordinators."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="Campaign code, e.g. DEMO")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", type=Path, help="File to write (default: the screen)")

    def handle(self, *args, campaign, format, output, **options):
        found = campaign_named(campaign)
        checked = training_plan(found, Filters())
        text = io.StringIO()
        if format == "json":
            json.dump(plan_export.plan_json(checked), text, ensure_ascii=False, indent=2)
            text.write("\n")
        else:
            writer = csv.writer(text)
            writer.writerow(plan_export.CSV_HEADER)
            for row in plan_export.plan_csv_rows(checked):
                writer.writerow([escape_formula(v) if isinstance(v, str) else v for v in row])
        if not output:
            self.stdout.write(text.getvalue(), ending="")
            return
        try:
            output.write_text(text.getvalue(), encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {output}: {len(checked.courses)} courses, {len(checked.agencies)} "
            f"course × agency rows, {len(checked.preconditions)} preconditions"
        )
