"""Who may open which results page: every role against every page, on one
round seeded once for the module (the tests only read it)."""

import pytest
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PAGES = [
    ("analysis:dashboard", []),
    ("analysis:competency", ["DF-01"]),
    ("analysis:domain", ["forensics"]),
    ("analysis:chart", ["gaps", "png"]),
    ("analysis:chart", ["heatmap", "svg"]),
    ("analysis:chart", ["quadrant", "png"]),
    ("analysis:chart", ["response-rate", "svg"]),
    ("analysis:gaps_csv", []),
]


def page_url(name, args, campaign="R1"):
    return reverse(name, args=[campaign, *args])


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, seeded_round, name, args):
    reply = client.get(page_url(name, args))

    assert reply.status_code == 302
    assert reply["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_an_account_without_a_role_is_refused(client, seeded_round, name, args):
    client.force_login(make_user("nobody"))

    assert client.get(page_url(name, args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize("who", ["coordinator", "focal_point", "trainer"])
def test_every_role_can_open_every_results_page(client, seeded_round, request, who, name, args):
    client.force_login(request.getfixturevalue(who))

    reply = client.get(page_url(name, args))

    assert reply.status_code == 200


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_an_unknown_campaign_is_a_404(client, coordinator, seeded_round, name, args):
    client.force_login(coordinator)

    assert client.get(page_url(name, args, campaign="NOPE")).status_code == 404


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_a_focal_point_of_a_country_not_in_the_campaign_gets_a_404(
    client, seeded_round, name, args
):
    client.force_login(make_user("focal-fj", "focal_point", "FJ"))

    assert client.get(page_url(name, args)).status_code == 404


@pytest.mark.parametrize(("name", "args"), [*PAGES, ("analysis:workbook", [])])
def test_no_results_page_or_download_is_kept_in_a_cache(client, seeded_round, trainer, name, args):
    client.force_login(trainer)

    assert client.get(page_url(name, args))["Cache-Control"] == "no-store"
