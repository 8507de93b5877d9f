import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Country
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import read_xlsform
from surveys.respond import services as response_services

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHIPPED_FORM = FIXTURES / "tna_questionnaire.xlsx"


@pytest.fixture(scope="session")
def shipped_form_bytes():
    return SHIPPED_FORM.read_bytes()


@pytest.fixture(scope="session")
def shipped_definition(shipped_form_bytes):
    return read_xlsform(shipped_form_bytes)


@pytest.fixture
def questionnaire(db, shipped_definition):
    questionnaire, _ = questionnaire_services.questionnaire_import(
        definition=shipped_definition, publish=True
    )
    return questionnaire


def make_agency(name="Cybercrime Unit", country="KE", kind=Agency.Kind.SPECIALISED_UNIT):
    return Agency.objects.create(name=name, country=Country.objects.get(code=country), kind=kind)


@pytest.fixture
def agency(db):
    return make_agency()


@pytest.fixture
def campaign(questionnaire):
    today = timezone.localdate()
    return campaign_services.campaign_create(
        code="R1",
        name="Round one",
        questionnaire=questionnaire,
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def invitation_and_token(campaign, agency):
    return campaign_services.invitation_create(campaign=campaign, agency=agency)


@pytest.fixture
def token(invitation_and_token):
    return invitation_and_token[1]


@pytest.fixture
def invitation(invitation_and_token):
    return invitation_and_token[0]


def make_user(username, role=None, country=None):
    from django.contrib.auth import get_user_model

    from surveys.models import UserRole

    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    if role:
        UserRole.objects.create(
            user=user, role=role, country=Country.objects.get(code=country) if country else None
        )
    return user


def submit_ratings(invitation, ratings, *, role="investigator", legal=None):
    """A submitted response with the given competency ratings
    ({"DF-01": (importance, capability)}), written directly to the database."""
    from surveys.models import Answer, Invitation, Question, Response

    questionnaire = invitation.campaign.questionnaire
    questions = {q.code: q for q in Question.objects.filter(questionnaire=questionnaire)}
    response = Response.objects.create(
        invitation=invitation,
        status=Response.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    values = {"role": role}
    for competency, (importance, capability) in ratings.items():
        values[f"{competency}_imp"] = str(importance)
        values[f"{competency}_cap"] = str(capability)
    values.update(legal or {})
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=questions[code],
            value=value,
            number=response_services.answer_number(questions[code], value),
        )
        for code, value in values.items()
    )
    invitation.status = Invitation.Status.SUBMITTED
    invitation.save(update_fields=["status"])
    return response


def seed_submitted_round(campaign):
    """Eleven agencies (six Kenyan police units, five Brazilian prosecution
    offices) have submitted, enough for results that are not suppressed; one
    more Kenyan unit is invited and silent."""
    for number in range(6):
        agency = make_agency(f"Kenyan unit {number}", "KE", Agency.Kind.POLICE)
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(
            invitation,
            {"DF-01": (5, 1 + number % 2), "DF-02": (4, 3), "ET-01": (5, 2)},
            legal={"AD-L01": "no"},
        )
    for number in range(5):
        agency = make_agency(f"Brazilian unit {number}", "BR", Agency.Kind.PROSECUTION)
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(
            invitation,
            {"DF-01": (3, 3), "DF-02": (5, 1), "ET-01": (4, 4)},
            role="prosecutor",
            legal={"AD-L01": "yes"},
        )
    campaign_services.invitation_create(campaign=campaign, agency=make_agency("Silent unit", "KE"))
    return campaign


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", "coordinator")


@pytest.fixture
def focal_point(db):
    return make_user("focal-ke", "focal_point", "KE")


@pytest.fixture
def trainer(db):
    return make_user("trainer", "trainer")
