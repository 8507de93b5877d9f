import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import Agency, Country
from surveys.xlsform import read_xlsform

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
    questionnaire, _ = services.questionnaire_import(definition=shipped_definition, publish=True)
    return questionnaire


def make_agency(name="Cybercrime Unit", country="KE", kind=Agency.Kind.SPECIALISED_UNIT):
    return Agency.objects.create(name=name, country=Country.objects.get(code=country), kind=kind)


@pytest.fixture
def agency(db):
    return make_agency()


@pytest.fixture
def campaign(questionnaire):
    today = timezone.localdate()
    return services.campaign_create(
        code="R1",
        name="Round one",
        questionnaire=questionnaire,
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def invitation_and_token(campaign, agency):
    return services.invitation_create(campaign=campaign, agency=agency)


@pytest.fixture
def token(invitation_and_token):
    return invitation_and_token[1]


@pytest.fixture
def invitation(invitation_and_token):
    return invitation_and_token[0]
