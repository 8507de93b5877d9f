import pytest

from tests.conftest import seed_submitted_round


@pytest.fixture
def round_with_answers(campaign):
    """Six Kenyan and five Brazilian agencies have submitted; one Kenyan
    agency is invited but has not answered."""
    return seed_submitted_round(campaign)
