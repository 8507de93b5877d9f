import pytest

from surveys import services
from surveys.models import Agency, UserRole
from tests.conftest import make_agency, make_user, submit_ratings

Role = UserRole.Role


@pytest.fixture
def round_with_answers(campaign):
    """Six Kenyan and five Brazilian agencies have submitted; one Kenyan
    agency is invited but has not answered."""
    for number in range(6):
        agency = make_agency(f"Kenyan unit {number}", "KE", Agency.Kind.POLICE)
        invitation, _ = services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(
            invitation,
            {"DF-01": (5, 1 + number % 2), "DF-02": (4, 3), "ET-01": (5, 2)},
            legal={"AD-L01": "no"},
        )
    for number in range(5):
        agency = make_agency(f"Brazilian unit {number}", "BR", Agency.Kind.PROSECUTION)
        invitation, _ = services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(
            invitation,
            {"DF-01": (3, 3), "DF-02": (5, 1), "ET-01": (4, 4)},
            role="prosecutor",
            legal={"AD-L01": "yes"},
        )
    services.invitation_create(campaign=campaign, agency=make_agency("Silent unit", "KE"))
    return campaign


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", Role.COORDINATOR)


@pytest.fixture
def focal_point(db):
    return make_user("focal-ke", Role.FOCAL_POINT, "KE")


@pytest.fixture
def trainer(db):
    return make_user("trainer", Role.TRAINER)
