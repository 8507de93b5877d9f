from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.management.lookup import campaign_named
from surveys.imports.form import collection_xlsform
from surveys.models import Questionnaire
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.questionnaires.xlsform import write_xlsform


class Command(BaseCommand):
    help = (
        "Write a questionnaire version back out as an XLSForm workbook; with --campaign, the "
        "campaign's questionnaire to collect with in KoboToolbox or ODK Central, asking first "
        "which invited agency answers (choice list 'agency'), for import_responses."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="The questionnaire's form_id")
        parser.add_argument("path", type=Path)
        parser.add_argument("--number", type=int, help="Version number (default: the latest)")
        parser.add_argument("--campaign", help="A campaign's code, instead of a form_id")

    def handle(self, *args, code, path, number, campaign, **options):
        if campaign:
            found = campaign_named(campaign)
            path.write_bytes(collection_xlsform(found))
            self.stdout.write(f"Wrote the XLSForm of {found.code} for collection to {path}")
            return
        if not code:
            raise CommandError("Give a questionnaire's form_id, or --campaign")
        versions = Questionnaire.objects.filter(code=code).order_by("-version")
        if number is not None:
            versions = versions.filter(version=number)
        questionnaire = versions.first()
        if questionnaire is None and number is not None:
            existing = Questionnaire.objects.filter(code=code).values_list("version", flat=True)
            if existing:
                listed = ", ".join(str(v) for v in sorted(existing))
                raise CommandError(
                    f"Questionnaire '{code}' has no version {number} (it has {listed})"
                )
        if questionnaire is None:
            known = ", ".join(sorted(set(Questionnaire.objects.values_list("code", flat=True))))
            raise CommandError(f"No questionnaire '{code}'. Known: {known or 'none'}")
        path.write_bytes(
            write_xlsform(questionnaire_selectors.definition_from_questionnaire(questionnaire))
        )
        self.stdout.write(f"Wrote {questionnaire} to {path}")
