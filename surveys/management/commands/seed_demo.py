"""Demo data: the shipped questionnaire, 30 agencies in 10 countries, the DEMO
campaign with submitted, draft and untouched responses, and a coordinator.

Running it again changes nothing but the two printed invitation links: links
are stored only as hashes, so the only way to show a working one is to issue
it anew.
"""

import csv
import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.courses import catalogue
from surveys.demo import answers, course_class, earlier_round, factories
from surveys.models import (
    Agency,
    Campaign,
    Country,
    Invitation,
    Questionnaire,
    TrainingEvent,
    UserRole,
)
from surveys.questionnaires import selectors as questionnaire_selectors

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# Version 1 (2026.1) first, as a deployment that ran it has it; the demo
# campaign uses the shipped version 2 (2026.2).
QUESTIONNAIRE_V1 = FIXTURES / "tna_questionnaire_v1.xlsx"
QUESTIONNAIRE = FIXTURES / "tna_questionnaire.xlsx"
AGENCIES = FIXTURES / "demo_agencies.csv"
COURSES = FIXTURES / "courses.csv"
CAMPAIGN_CODE = "DEMO"
COORDINATOR = ("coordinator", "demo-coordinator-2026")
# The other two roles, to see what each may see: (username, password, role, country).
OTHER_ROLES = [
    ("focal-ke", "demo-focal-point-2026", UserRole.Role.FOCAL_POINT, "KE"),
    ("trainer", "demo-trainer-2026", UserRole.Role.TRAINER, None),
]

# Of each country's three agencies the first two submit; the third's fate
# by country, in the order of demo_agencies.csv (KE NG ZA BR MX PH TH IN RO FJ).
# Europe (3) and Oceania (2) stay below the default minimum cell size, so
# the demo shows suppression as well as results.
THIRD_AGENCY = [
    "submitted", "draft", "sent", "submitted", "draft",
    "submitted", "sent", "draft", "submitted", "sent",
]  # fmt: skip


class Command(BaseCommand):
    help = "Load the shipped questionnaire and the demo campaign (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url, **options):
        first_time = not Questionnaire.objects.filter(code="tna").exists()
        for path in (QUESTIONNAIRE_V1, QUESTIONNAIRE) if first_time else (QUESTIONNAIRE,):
            call_command("import_questionnaire", str(path), publish=True, stdout=self.stdout)
        questionnaire = (
            Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED, code="tna")
            .order_by("-version")
            .first()
        )
        course_rows = catalogue.read_courses(
            COURSES.read_bytes(),
            COURSES.name,
            known_competencies=catalogue.competency_codes(questionnaire),
        )
        with transaction.atomic():
            catalogue.import_courses(course_rows)  # upserts by code: idempotent
            agencies = self._agencies()
            campaign = self._campaign(questionnaire)
            for invitation_number, agency in enumerate(agencies):
                invitation = Invitation.objects.filter(campaign=campaign, agency=agency).first()
                if invitation is None:
                    invitation, _ = campaign_services.invitation_create(
                        campaign=campaign, agency=agency
                    )
                    self._respond(invitation, invitation_number)
            self._coordinator()
            version_1 = Questionnaire.objects.filter(code="tna", version=1).first()
            if version_1 is not None and version_1 != questionnaire:
                earlier_round.seed(campaign, version_1)
            course_class.seed()
            fresh, draft = self._demo_invitations(campaign)
            links = [
                (invitation, campaign_services.invitation_issue_token(invitation=invitation))
                for invitation in (fresh, draft)
                if invitation
            ]

        counts = {
            status: campaign.invitations.filter(status=status).count()
            for status in Invitation.Status.values
        }
        self.stdout.write(
            f"Campaign {campaign.code}: {len(agencies)} agencies invited in "
            f"{len({a.country_id for a in agencies})} countries; "
            + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items())
            + f"; {len(course_rows)} courses in the catalogue"
        )
        self.stdout.write("")
        login, admin = reverse("login"), reverse("admin:index")
        self.stdout.write(f"Coordinator login: {base_url}{login} (the admin: {base_url}{admin})")
        self.stdout.write(f"  user {COORDINATOR[0]}, password {COORDINATOR[1]}")
        self.stdout.write(
            f"Dashboard: {base_url}{reverse('analysis:dashboard', args=[campaign.code])}"
        )
        if Campaign.objects.filter(code=earlier_round.CODE).exists():
            compare = reverse("analysis:compare", args=[campaign.code, earlier_round.CODE])
            self.stdout.write(f"Compared with the 2025 round: {base_url}{compare}")
        self.stdout.write(f"Training registry: {base_url}{reverse('surveys:registry')}")
        demo_class = TrainingEvent.objects.filter(reference=course_class.REFERENCE).first()
        if demo_class:
            page = reverse("surveys:event", args=[demo_class.pk])
            self.stdout.write(f"A course's class, before and after: {base_url}{page}")
        for username, password, role, country in OTHER_ROLES:
            label = UserRole.Role(role).label + (f" ({country})" if country else "")
            self.stdout.write(f"  {label}: user {username}, password {password}")
        for invitation, token in links:
            state = "not started" if invitation.status != Invitation.Status.IN_PROGRESS else "draft"
            self.stdout.write(
                f"Invitation link ({invitation.agency.name}, {state}): "
                f"{base_url}{reverse('surveys:start', args=[token])}"
            )

    def _agencies(self):
        agencies = []
        with AGENCIES.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                country = Country.objects.get(code=row["country"])
                agency, _ = Agency.objects.get_or_create(
                    country=country,
                    name=row["name"],
                    defaults={"kind": row["kind"], "size": int(row["size"])},
                )
                agencies.append(agency)
        return agencies

    def _campaign(self, questionnaire):
        today = timezone.localdate()
        campaign = Campaign.objects.filter(code=CAMPAIGN_CODE).first()
        if campaign is None:
            return campaign_services.campaign_create(
                code=CAMPAIGN_CODE,
                name="Training needs assessment 2026: investigating technology-facilitated "
                "child abuse and exploitation",
                questionnaire=questionnaire,
                opens_on=today - timedelta(days=21),
                closes_on=today + timedelta(days=60),
            )
        if campaign.closes_on < today:  # keep an old demo database usable
            campaign.closes_on = today + timedelta(days=60)
            campaign.save(update_fields=["closes_on"])
        return campaign

    def _respond(self, invitation, number):
        plan = "submitted" if number % 3 < 2 else THIRD_AGENCY[(number // 3) % len(THIRD_AGENCY)]
        if plan == "sent":
            return  # untouched: the link was sent, nothing more
        rng = random.Random(f"{invitation.agency.country.code}-{invitation.agency.name}")
        structure = questionnaire_selectors.questionnaire_structure(
            invitation.campaign.questionnaire
        )
        sections = structure.sections if plan == "submitted" else structure.sections[:4]
        values = answers.plausible_answers(structure, sections, invitation.agency, rng)
        at = timezone.now() - timedelta(days=rng.randint(0, 18), hours=rng.randint(0, 12))
        factories.response_with_answers(
            invitation,
            values,
            submitted=plan == "submitted",
            at=at,
            started=at - timedelta(days=rng.randint(1, 3)),
            last_section=sections[-1].code,
        )

    def _coordinator(self):
        user_model = get_user_model()
        if not user_model.objects.filter(username=COORDINATOR[0]).exists():
            user_model.objects.create_superuser(
                username=COORDINATOR[0], password=COORDINATOR[1], email=""
            )
        for username, password, role, country in OTHER_ROLES:
            if user_model.objects.filter(username=username).exists():
                continue
            factories.user_create(username, role, country, password=password)

    def _demo_invitations(self, campaign):
        invitations = campaign.invitations.select_related("agency").order_by("pk")
        fresh = invitations.filter(
            status__in=[Invitation.Status.SENT, Invitation.Status.OPENED]
        ).first()
        draft = invitations.filter(status=Invitation.Status.IN_PROGRESS).first()
        return fresh, draft
