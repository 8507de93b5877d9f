from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation

from analysis import selectors, snapshot
from surveys.campaigns import services as campaign_services
from surveys.demo import factories
from surveys.models import Agency
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import read_xlsform

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


make_agency = factories.agency_create
make_user = factories.user_create


@pytest.fixture
def agency(db):
    return make_agency("Cybercrime Unit", "KE")


@pytest.fixture
def campaign(questionnaire):
    return factories.campaign_open(questionnaire, "R1", "Round one")


@pytest.fixture
def invitation_and_token(campaign, agency):
    return campaign_services.invitation_create(campaign=campaign, agency=agency)


@pytest.fixture
def token(invitation_and_token):
    return invitation_and_token[1]


@pytest.fixture
def invitation(invitation_and_token):
    return invitation_and_token[0]


def submit_ratings(invitation, ratings, *, role="investigator", legal=None):
    """A submitted response with the given competency ratings
    ({"DF-01": (importance, capability)}), written directly to the database."""
    values = {"role": role}
    for competency, (importance, capability) in ratings.items():
        values[f"{competency}_imp"] = str(importance)
        values[f"{competency}_cap"] = str(capability)
    values.update(legal or {})
    return factories.response_with_answers(invitation, values)


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


@pytest.fixture(scope="module")
def seeded_round(django_db_setup, django_db_blocker, shipped_definition):
    """seed_submitted_round's campaign R1, built once for a module of tests
    that only read it. Each test's own changes are rolled back as usual (its
    transaction is nested in this one); the round itself when the module
    ends. A module that uses it must not also use the `campaign` fixture."""
    with django_db_blocker.unblock(), transaction.atomic():
        questionnaire, _ = questionnaire_services.questionnaire_import(
            definition=shipped_definition, publish=True
        )
        yield seed_submitted_round(factories.campaign_open(questionnaire, "R1", "Round one"))
        transaction.set_rollback(True)


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", "coordinator")


@pytest.fixture
def focal_point(db):
    return make_user("focal-ke", "focal_point", "KE")


@pytest.fixture
def trainer(db):
    return make_user("trainer", "trainer")


@pytest.fixture(autouse=True)
def _fresh_snapshots():
    """Each test reads its own answers: no frame kept from another test's
    campaign that had the same id (analysis.snapshot), and no questionnaire's
    labels either."""
    snapshot.forget()
    selectors._labels.cache_clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request with another language (Accept-Language, the language
    cookie) leaves it active in the thread: the next test starts in the
    site's default language whatever ran before it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
