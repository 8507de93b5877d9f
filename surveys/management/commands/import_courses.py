from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.courses.catalogue import (
    CourseImportError,
    competency_codes,
    import_courses,
    read_courses,
)
from surveys.models import Questionnaire


class Command(BaseCommand):
    help = "Load a course catalogue (.csv or .xlsx), creating or updating courses by code."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--questionnaire",
            metavar="CODE",
            help="Check competency codes against the latest version of this questionnaire "
            "(default: every imported questionnaire)",
        )

    def handle(self, *args, path, questionnaire, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        known = competency_codes(self._questionnaire(questionnaire))
        try:
            rows = read_courses(data, path.name, known_competencies=known)
        except CourseImportError as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"{path} is not a valid course catalogue; nothing was imported.\n{problems}"
            ) from error
        created, updated = import_courses(rows)
        self.stdout.write(
            f"{path.name}: {len(rows)} courses, {created} created, {updated} updated, "
            f"{len(rows) - created - updated} unchanged"
        )

    def _questionnaire(self, code):
        if not code:
            return None
        questionnaire = Questionnaire.objects.filter(code=code).order_by("-version").first()
        if questionnaire is None:
            raise CommandError(f"No questionnaire with code {code!r}.")
        return questionnaire
