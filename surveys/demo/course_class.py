"""The demo's course class: FOR-201 delivered in Kenya about a hundred days
ago to six nominated participants, who answered its pre-training
questionnaire before it and again when it ended; four have answered the
follow-up, which is open now. The event's page shows the class profile and
the change per competency."""

import random
from datetime import timedelta

from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.demo import factories
from surveys.models import Agency, Country, Course, Invitation, Participant, TrainingEvent
from surveys.registry import assessments

REFERENCE = "GP-DEMO-CLASS"
PEOPLE = [
    ("Amina Njoroge", "forensic_examiner", "FTK Imager, Autopsy"),
    ("Brian Otieno", "investigator", "Autopsy"),
    ("Grace Wambui", "forensic_examiner", "EnCase; FTK Imager"),
    ("Daniel Kiprop", "investigator", ""),
    ("Esther Achieng", "forensic_examiner", "FTK Imager"),
    ("Samuel Mwangi", "manager", "Cellebrite, FTK Imager"),
]


def seed():
    """The event, its participants and their three rounds of answers (once)."""
    if TrainingEvent.objects.filter(provider="UNODC", reference=REFERENCE).exists():
        return None
    today = timezone.localdate()
    course = Course.objects.get(code="FOR-201")
    start = today - timedelta(days=104)
    kenya = Country.objects.get(code="KE")
    # Police and specialised units, already trained by GP-DEMO-01 (earlier_round).
    kinds = (Agency.Kind.POLICE, Agency.Kind.SPECIALISED_UNIT)
    agencies = list(Agency.objects.filter(country=kenya, kind__in=kinds).order_by("pk")[:3])
    event = TrainingEvent.objects.create(
        provider="UNODC", reference=REFERENCE, course=course, competencies=course.competencies,
        funder="EU", start_date=start, end_date=start + timedelta(days=4),
        status=TrainingEvent.Status.DELIVERED, country=kenya, venue="Nairobi",
        language="en", participants_female=3, participants_male=3,
    )  # fmt: skip
    event.agencies.set(agencies)
    people = [
        Participant.objects.create(
            event=event,
            name=name,
            email=f"{name.split()[0].lower()}@police.example.org",
            agency=agencies[index % len(agencies)],
            role=role,
        )  # fmt: skip
        for index, (name, role, _) in enumerate(PEOPLE)
    ]
    rng = random.Random(REFERENCE)
    before = {p.pk: {c: rng.choice((1, 2, 2, 3)) for c in course.competencies} for p in people}
    stages = (("pre", start - timedelta(days=14), 0, 6), ("post", event.end_date, 2, 6),
              ("followup", today - timedelta(days=5), 1, 4))  # fmt: skip
    for stage, day, gain, answered in stages:
        campaign = assessments.assessment_for(event, stage, day).campaign
        for person, (_, _, tools) in list(zip(people, PEOPLE, strict=True))[:answered]:
            invitation = Invitation.objects.create(
                campaign=campaign, agency=person.agency, participant=person
            )
            campaign_services.new_link(invitation)
            values = {"role": person.role, "prior_training": "no", "tools": tools,
                      "prereq_FRS-101": "no" if person.pk % 3 == 0 else "yes"}  # fmt: skip
            for code, capability in before[person.pk].items():
                values[f"{code}_imp"] = str(rng.choice((4, 5, 5)))
                after = capability + gain + rng.choice((-1, 0, 0, 1))
                values[f"{code}_cap"] = str(max(1, min(5, after)))
            at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
            factories.response_with_answers(invitation, values, at=at)
    return event
