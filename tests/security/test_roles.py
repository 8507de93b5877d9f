"""What each role may see, tried by each role."""

import pytest

from tests.conftest import make_user
from tests.security.helpers import Role, url

pytestmark = pytest.mark.django_db


def test_a_trainer_never_sees_one_agencys_answers(client, trainer, submitted, campaign):
    client.force_login(trainer)

    page = client.get(url("analysis:competency", "R1", "DF-01"))
    assert page.status_code == 200
    assert "agencies" not in page.context
    assert "Cybercrime Unit" not in page.content.decode()

    assert client.get(url("surveys:campaign", "R1")).status_code == 403
    assert client.get(url("audit:page", "R1")).status_code == 403
    assert client.get(url("audit:csv", "R1")).status_code == 403
    admin = client.get("/admin/surveys/response/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_a_focal_point_sees_only_their_own_country(client, focal_point, submitted, campaign):
    client.force_login(focal_point)

    dashboard = client.get(url("analysis:dashboard", "R1") + "?country=BR")
    assert dashboard.context["filters"].country == "KE"
    assert "Brazil" not in dashboard.content.decode()

    page = client.get(url("surveys:campaign", "R1"))
    assert page.status_code == 200
    assert "Cybercrime Unit" in page.content.decode()
    assert "Brazilian unit" not in page.content.decode()

    assert client.get(url("audit:page", "R1")).status_code == 403
    assert client.get(url("audit:csv", "R1")).status_code == 403
    assert client.get("/admin/surveys/response/").status_code == 302


def test_a_focal_point_of_a_country_not_invited_is_told_the_campaign_does_not_exist(
    client, submitted
):
    client.force_login(make_user("focal-fj", Role.FOCAL_POINT, "FJ"))

    assert client.get(url("surveys:campaign", "R1")).status_code == 404
    assert client.get(url("audit:page", "R1")).status_code == 404
