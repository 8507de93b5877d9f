from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.courses.pretraining import pretraining_form
from surveys.models import Course, Questionnaire


class Command(BaseCommand):
    help = (
        "Write a course's pre-training assessment as an XLSForm (.xlsx): its competencies "
        "rated for importance and capability, tools and systems, prior training, "
        "certifications and equipment. Edit it like any form, then import it with "
        "import_questionnaire."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, help="Course code, e.g. FOR-201")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, course, output, **options):
        found = Course.objects.filter(code=course).first()
        if found is None:
            raise CommandError(f"No course '{course}' in the catalogue")
        questionnaire = (
            Questionnaire.objects.filter(
                status=Questionnaire.Status.PUBLISHED,
                questions__competency__in=found.competencies,
            )
            .exclude(code__startswith="pre_")
            .order_by("-published_at")
            .first()
        )
        if questionnaire is None:
            raise CommandError(f"No published questionnaire rates the competencies of {course}")
        if output.suffix.lower() != ".xlsx":
            raise CommandError(f"The output must be an .xlsx file, not '{output.name}'")
        try:
            output.write_bytes(pretraining_form(found, questionnaire))
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {output}: the pre-training assessment of {found.code}, "
            f"{len(found.competencies)} competencies, from {questionnaire}"
        )
