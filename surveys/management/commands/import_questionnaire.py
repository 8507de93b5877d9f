from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import XLSFormError, read_xlsform


class Command(BaseCommand):
    help = "Import an XLSForm workbook as a questionnaire version."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="Publish (freeze) the imported version"
        )

    def handle(self, *args, path, publish, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        try:
            definition = read_xlsform(data, path.name)
        except XLSFormError as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"{path} is not a valid XLSForm; nothing was imported.\n{problems}"
            ) from error
        questionnaire, created = questionnaire_services.questionnaire_import(
            definition=definition, publish=publish
        )
        state = "imported as" if created else "unchanged:"
        self.stdout.write(
            f"{path.name}: {state} {questionnaire} ({questionnaire.get_status_display().lower()}), "
            f"{len(definition.sections)} sections, {len(definition.questions)} questions, "
            f"{len(definition.choices)} choices"
        )
