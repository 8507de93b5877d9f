import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from surveys.registry.assessments import send_followups


class Command(BaseCommand):
    help = (
        "Invite the participants of delivered courses whose post-course questionnaire (from "
        "the last day) or follow-up (three to six months later) is due and who have not been "
        "invited to it, e-mailing each their own link; and erase the names and addresses kept "
        "longer than TNA_PARTICIPANT_RETENTION_DAYS after the last follow-up. Run it daily "
        "(cron); running it twice sends nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default=settings.TNA_SITE_URL,
            help="Where the links point (default: TNA_SITE_URL, %(default)s)",
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="Act as if today were this day (YYYY-MM-DD)",
        )

    def handle(self, *args, site_url, date, **options):
        if date and date > timezone.localdate():
            raise CommandError(
                "--date cannot be after today: links would not open yet and names would be "
                "erased early"
            )
        if not site_url:
            raise CommandError(
                "Set TNA_SITE_URL (e.g. https://tna.example.org) or pass --site-url: the "
                "e-mailed links start with it"
            )
        base = site_url.rstrip("/")
        report = send_followups(
            link_for=lambda token: base + reverse("surveys:start", args=[token]), today=date
        )
        for event, stage, count in report.invited:
            self.stdout.write(f"{event}: invited {count} participants ({stage})")
        if not report.invited:
            self.stdout.write("No follow-up due.")
        if report.anonymised:
            erased = report.anonymised
            self.stdout.write(f"Erased the names and addresses of {erased} participants.")
        for event, problem in report.problems:
            self.stderr.write(f"{event}: {problem}")
        if report.problems:
            raise CommandError(f"{len(report.problems)} events could not be followed up")
