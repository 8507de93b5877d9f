from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Questionnaire
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.questionnaires.xlsform import write_xlsform


class Command(BaseCommand):
    help = "Write a questionnaire version back out as an XLSForm workbook."

    def add_arguments(self, parser):
        parser.add_argument("code", help="The questionnaire's form_id")
        parser.add_argument("path", type=Path)
        parser.add_argument("--number", type=int, help="Version number (default: the latest)")

    def handle(self, *args, code, path, number, **options):
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
