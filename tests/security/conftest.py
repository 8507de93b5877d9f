import pytest

from surveys.campaigns import services as campaign_services
from surveys.models import (
    Agency,
    Question,
)
from surveys.respond import services as response_services
from tests.conftest import make_agency, submit_ratings


@pytest.fixture
def other(campaign):
    """A Brazilian agency invited to the same campaign, with an answer saved."""
    agency = make_agency("Brazilian unit", "BR", Agency.Kind.SPECIALISED_UNIT)
    invitation, token = campaign_services.invitation_create(campaign=campaign, agency=agency)
    response = response_services.response_open(invitation=invitation)
    questions = list(Question.objects.filter(questionnaire=campaign.questionnaire))
    response_services.response_save_answers(
        response=response, questions=questions, values={"DF-01_imp": "2"}, base_version=0
    )
    return invitation, token


@pytest.fixture
def submitted(invitation, other):
    """The Kenyan agency has submitted; the Brazilian one has answered in part."""
    submit_ratings(invitation, {"DF-01": (5, 2)})
    return invitation
