from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.management.lookup import campaign_named
from surveys.exports.labelled import dataset
from surveys.exports.writers import FORMATS, codebook_csv, write
from surveys.questionnaires.selectors import questionnaire_structure


class Command(BaseCommand):
    help = (
        "Write a campaign's submitted responses, one row per response, as CSV (with a "
        "codebook beside it), SPSS (.sav), Stata (.dta) or Parquet: variables named from the "
        "question codes, labelled with the questions and choices; don't know = 98 and not "
        "applicable = 99, declared missing. These files hold each agency's answers: keep them "
        "as you keep the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, campaign, fmt, output, **options):
        found = campaign_named(campaign)
        frame, variables = dataset(found, questionnaire_structure(found.questionnaire))
        try:
            write(frame, variables, fmt, output)
            if fmt == "csv":
                codebook = output.with_name(output.stem + ".codebook.csv")
                codebook.write_bytes(codebook_csv(variables))
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {output}: {len(frame)} responses, {len(variables)} variables"
            + (f"; codebook {codebook}" if fmt == "csv" else "")
        )
