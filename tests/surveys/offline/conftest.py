import pytest

from surveys.campaigns import services as campaign_services
from tests.conftest import make_agency


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def other_invitation(campaign):
    invitation, _ = campaign_services.invitation_create(
        campaign=campaign, agency=make_agency("Brazilian federal police", "BR")
    )
    return invitation
