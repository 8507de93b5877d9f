"""What a trainer may download: released results only, and no group that
could be singled out; focal points and coordinators keep exact results."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Release
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db

RATINGS = {"DF-01": (5, 2), "DF-02": (4, 3), "ET-01": (5, 1)}


@pytest.fixture
def round_with_a_small_region(round_with_answers):
    """The seeded round (six Kenyan police units, five Brazilian prosecution
    offices) and two Romanian police units: Europe holds two."""
    for number in range(2):
        agency = make_agency(f"Romanian unit {number}", "RO", Agency.Kind.POLICE)
        invitation, _ = campaign_services.invitation_create(
            campaign=round_with_answers, agency=agency
        )
        submit_ratings(invitation, RATINGS)
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    return round_with_answers


def url(name, query=""):
    return reverse(f"analysis:{name}", args=["R1"]) + query


def df01(reply):
    rows = [row for row in reply.context["top"] if row["competency"] == "DF-01"]
    return rows[0] if rows else None


def test_a_trainer_gets_no_number_for_a_region_that_could_be_subtracted(
    client, trainer, round_with_a_small_region
):
    client.force_login(trainer)

    europe = client.get(url("dashboard", "?region=Europe"))
    americas = client.get(url("dashboard", "?region=Americas"))

    assert europe.status_code == americas.status_code == 200
    # Americas (5) would give away Europe (2) as everyone − Africa − Americas.
    assert df01(europe) is None and df01(americas) is None
    assert "would single out fewer than 5 respondents" in americas.content.decode()
    assert df01(client.get(url("dashboard", "?region=Africa")))["n"] == 6


def test_the_gap_csv_of_a_hidden_selection_holds_no_mean(
    client, trainer, round_with_a_small_region
):
    client.force_login(trainer)

    rows = client.get(url("gaps_csv", "?region=Americas")).content.decode().splitlines()

    df01_row = next(row for row in rows if row.startswith("DF-01,"))
    assert df01_row.split(",")[4:7] == ["", "", ""]


def test_a_coordinator_still_sees_the_region_exactly(
    client, coordinator, round_with_a_small_region
):
    client.force_login(coordinator)

    reply = client.get(url("dashboard", "?region=Americas"))

    assert df01(reply)["n"] == 5
    assert "release-note" not in reply.content.decode()


def test_the_plan_does_not_count_the_needs_of_an_agency_singled_out_by_filters(
    client, trainer, round_with_a_small_region
):
    client.force_login(trainer)

    page = client.get(url("plan", "?country=RO&agency_kind=police"))

    assert page.status_code == 200
    assert all(row["agencies_needing"] is None for row in page.context["plan"])
    assert all(row["priority"] is None for row in page.context["plan"])
    assert "would single out fewer than 5 respondents" in page.content.decode()


def test_the_plan_names_no_region_that_could_be_singled_out(
    client, trainer, round_with_a_small_region
):
    client.force_login(trainer)

    page = client.get(url("plan"))

    cohorts = " ".join(row["cohorts"] for row in page.context["plan"])
    assert "Europe" not in cohorts and "Americas" not in cohorts
    assert "other regions not shown" in cohorts


def test_a_focal_point_sees_the_plans_counts_for_their_own_agencies(
    client, focal_point, round_with_a_small_region
):
    client.force_login(focal_point)

    page = client.get(url("plan"))

    assert max(row["agencies_needing"] for row in page.context["plan"]) == 6


def test_the_trainers_workbook_with_an_isolating_filter_has_no_counts(
    client, trainer, round_with_a_small_region
):
    client.force_login(trainer)

    reply = client.get(url("workbook", "?country=RO"))

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(reply.streaming_content)))
    sheet = workbook["Training plan"]
    header = next(sheet.iter_rows(values_only=True))
    for name in ("Agencies needing it", "Participants", "Estimated cost (US$)"):
        column = header.index(name)
        counts = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert counts and set(counts) == {None}, name
    assert "Agencies per course" not in workbook.sheetnames
    gaps = workbook["Ranked gaps"]
    assert not any(
        isinstance(cell, float) for row in gaps.iter_rows(values_only=True) for cell in row
    )


def test_one_new_submission_changes_nothing_a_trainer_sees(
    client, trainer, coordinator, round_with_a_small_region
):
    client.force_login(trainer)
    before = df01(client.get(url("dashboard")))
    agency = make_agency("Late unit", "KE", Agency.Kind.POLICE)
    invitation, _ = campaign_services.invitation_create(
        campaign=round_with_a_small_region, agency=agency
    )
    submit_ratings(invitation, {"DF-01": (1, 5), "DF-02": (1, 5), "ET-01": (1, 5)})

    after = df01(client.get(url("dashboard")))

    assert (after["n"], after["gap_mean"]) == (before["n"], before["gap_mean"])
    client.force_login(coordinator)
    assert df01(client.get(url("dashboard")))["n"] == before["n"] + 1


def test_a_new_release_comes_with_min_n_new_submissions_or_the_close(
    client, trainer, round_with_a_small_region
):
    campaign = round_with_a_small_region
    client.force_login(trainer)
    client.get(url("dashboard"))
    assert Release.objects.get(campaign=campaign).responses.__len__() == 13
    for number in range(4):
        invitation, _ = campaign_services.invitation_create(
            campaign=campaign, agency=make_agency(f"New unit {number}", "KE", Agency.Kind.POLICE)
        )
        submit_ratings(invitation, RATINGS)

    client.get(url("dashboard"))
    assert campaign.releases.count() == 1
    campaign_services.campaign_close(campaign=campaign)
    client.get(url("dashboard"))

    assert [len(release.responses) for release in campaign.releases.order_by("number")] == [13, 17]
