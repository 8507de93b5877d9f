from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from analysis import country_report, profile_chart
from analysis.management.lookup import campaign_named
from analysis.state_profile import state_profile
from surveys.access import Access, Role


class Command(BaseCommand):
    help = (
        "Write the Word country report of one State in one campaign (.docx): its gaps beside "
        "its region and the world, ranked needs, what to put in place before training, the "
        "proposed courses and who answered, each agency named (as a coordinator sees it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="Campaign code, e.g. DEMO")
        parser.add_argument("--country", required=True, help="ISO 3166 alpha-2 code, e.g. KE")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, campaign, country, output, **options):
        found = campaign_named(campaign)
        if output.suffix.lower() != ".docx":
            raise CommandError(f"The output must be a .docx file, not '{output.name}'")
        try:
            profile = state_profile(found, country, Access(Role.COORDINATOR))
        except Http404 as error:
            invited = sorted(set(found.invitations.values_list("agency__country__code", flat=True)))
            raise CommandError(
                f"{error}: '{country}'. Countries invited to {found.code}: {', '.join(invited)}"
            ) from error
        exported = timezone.localtime().strftime("%d %B %Y")
        try:
            country_report.write_report(
                profile, profile_chart.profile_png(profile), output, exported_at=exported
            )
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {output}: {profile.country.name} in {found.code}, {profile.submitted} of "
            f"{profile.invited} agencies answered, {len(profile.needs)} ranked needs, "
            f"{len(profile.courses())} courses"
        )
