"""The demo's earlier round and training registry: DEMO-2025 on questionnaire
version 1, a year before DEMO, answered by the same agencies; forensic
training (FOR-201) delivered in between to some of them, whose forensic gaps
then closed more than the others'; and two providers planning the same
course for Kenya, which the registry page warns of. Derived from the DEMO
answers, so both rounds agree on who answered what."""

import random
from datetime import timedelta

from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.demo import factories
from surveys.models import (
    Agency,
    Answer,
    Campaign,
    Country,
    Course,
    Question,
    Response,
    TrainingEvent,
)

CODE = "DEMO-2025"
TRAINED_COUNTRIES = ("KE", "NG", "BR", "PH")
TRAINED_KINDS = (Agency.Kind.POLICE, Agency.Kind.SPECIALISED_UNIT)


def seed(current, questionnaire):
    """The earlier round (once) and the registry events (idempotent)."""
    today = timezone.localdate()
    trained = _events(today)
    if Campaign.objects.filter(code=CODE).exists():
        return
    campaign = campaign_services.campaign_create(
        code=CODE,
        name="Training needs assessment 2025 (first round)",
        questionnaire=questionnaire,
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=340),
    )
    forensics = set(Course.objects.get(code="FOR-201").competencies)
    codes = set(Question.objects.filter(questionnaire=questionnaire).values_list("code", flat=True))
    for response in Response.objects.filter(
        invitation__campaign=current, status=Response.Status.SUBMITTED
    ).select_related("invitation__agency"):
        agency = response.invitation.agency
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        rng = random.Random(f"2025-{agency.pk}")
        values = {}
        for code, value in Answer.objects.filter(response=response).values_list(
            "question__code", "value"
        ):
            if code not in codes:
                continue
            if code.endswith("_cap") and value.isdigit():
                lag = 2 if agency.pk in trained and code[:5] in forensics else rng.choice((0, 1))
                value = str(max(1, int(value) - lag))
            values[code] = value
        at = timezone.now() - timedelta(days=360 + rng.randint(0, 20))
        factories.response_with_answers(invitation, values, at=at)
    campaign_services.campaign_close(campaign=campaign)


def _events(today):
    """FOR-201 delivered between the rounds to the police and specialised
    units of some countries; INT-101 planned twice for Kenya. Returns the
    ids of the agencies trained."""
    forensics = Course.objects.get(code="FOR-201")
    interviewing = Course.objects.get(code="INT-101")
    trained = set()
    for number, country in enumerate(TRAINED_COUNTRIES, start=1):
        start = today - timedelta(days=300 - 7 * number)
        event, _ = TrainingEvent.objects.get_or_create(
            provider="UNODC",
            reference=f"GP-DEMO-{number:02d}",
            defaults={
                "course": forensics, "competencies": forensics.competencies, "funder": "EU",
                "start_date": start, "end_date": start + timedelta(days=4),
                "status": TrainingEvent.Status.DELIVERED, "country_id": _country(country),
                "venue": "National police academy", "language": "en",
                "participants_female": 5, "participants_male": 7,
            },
        )  # fmt: skip
        agencies = Agency.objects.filter(country__code=country, kind__in=TRAINED_KINDS)
        event.agencies.set(agencies)
        trained.update(agencies.values_list("pk", flat=True))
    for provider, reference, days in (("UNICEF", "KE-INT-7", 45), ("IOM", "IOM-2027-3", 120)):
        start = today + timedelta(days=days)
        TrainingEvent.objects.get_or_create(
            provider=provider,
            reference=reference,
            defaults={
                "course": interviewing, "competencies": interviewing.competencies,
                "start_date": start, "end_date": start + timedelta(days=2),
                "status": TrainingEvent.Status.PLANNED, "country_id": _country("KE"),
                "venue": "Nairobi", "language": "en",
            },
        )  # fmt: skip
    return trained


def _country(code):
    return Country.objects.get(code=code).pk
