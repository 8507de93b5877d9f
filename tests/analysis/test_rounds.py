"""Comparing two rounds in the app: the change per competency, and whether
the agencies trained between the rounds closed their gaps more."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from scipy import stats

from surveys.campaigns import services as campaign_services
from surveys.demo import factories
from surveys.models import Agency, Course, TrainingEvent, UserRole
from tests.conftest import make_agency, make_user, submit_ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_rounds(questionnaire):
    """Twelve Kenyan units answer both rounds with DF-02 gap 4 before. Six
    trained on FOR-201 in between close it to 1; the others to 3 or 2."""
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    before = factories.campaign_open(questionnaire, "R0", "Round zero", opened_days_ago=400,
                                     closes_in_days=-340)  # fmt: skip
    after = factories.campaign_open(questionnaire, "R1", "Round one")
    start = timezone.localdate() - datetime.timedelta(days=300)
    event = TrainingEvent.objects.create(
        provider="UNODC", reference="GP-1", course=Course.objects.get(code="FOR-201"),
        start_date=start, end_date=start, status="delivered",
        country=make_agency("Anchor", "KE").country,
    )  # fmt: skip
    for number in range(12):
        agency = make_agency(f"Unit {number}", "KE", Agency.Kind.POLICE)
        if number < 6:
            event.agencies.add(agency)
        capability = 4 if number < 6 else (2 if number % 2 else 3)
        for campaign, ratings in ((before, (5, 1)), (after, (5, capability))):
            invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
            submit_ratings(invitation, {"DF-02": ratings})
    return before, after


def get(client, *args, query=""):
    client.force_login(make_user("coordinator", UserRole.Role.COORDINATOR))
    return client.get(reverse("analysis:compare", args=["R1", "R0"]) + query)


def test_the_change_per_competency_with_its_paired_change(client, two_rounds):
    page = get(client)

    row = next(row for row in page.context["rows"] if row["competency"] == "DF-02")
    assert (row["n_before"], row["n_after"], row["n_paired"]) == (12, 12, 12)
    assert row["gap_before"] == pytest.approx(4.0)
    assert row["gap_after"] == pytest.approx((6 * 1 + 3 * 2 + 3 * 3) / 12)
    assert row["change"] == pytest.approx(-2.25)
    assert row["paired_change"] == pytest.approx(-2.25)
    assert "Did the gaps close?" in page.content.decode()


def test_agencies_trained_in_between_closed_their_gaps_more(client, two_rounds):
    trained = get(client).context["trained"]

    row = next(row for row in trained if row["course"] == "FOR-201")
    assert (row["n_trained"], row["n_untrained"]) == (6, 6)
    assert row["change_trained"] == pytest.approx(-3.0)
    assert row["change_untrained"] == pytest.approx(-1.5)
    assert row["difference"] == pytest.approx(-1.5)
    # Untrained changes −1, −2 (variance 0.3), trained all −3: Welch's df is 5.
    half = stats.t.ppf(0.975, 5) * (0.3 / 6) ** 0.5
    assert row["ci_low"] == pytest.approx(-1.5 - half)
    assert row["ci_high"] == pytest.approx(-1.5 + half)


def test_a_breakdown_by_kind_of_agency(client, two_rounds):
    rows = get(client, query="?by=agency_kind").context["rows"]

    assert {row["agency_kind"] for row in rows} == {"police"}


def test_the_comparison_downloads_as_a_workbook(client, two_rounds):
    client.force_login(make_user("coordinator", UserRole.Role.COORDINATOR))

    reply = client.get(reverse("analysis:compare_workbook", args=["R1", "R0"]))

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(reply.streaming_content)))
    assert workbook.sheetnames == ["Change by competency", "Trained versus not"]
    sheet = workbook["Trained versus not"]
    header = [cell.value for cell in sheet[2]]
    values = dict(zip(header, [cell.value for cell in sheet[3]], strict=True))
    assert values["course"] == "FOR-201"
    assert values["difference"] == pytest.approx(-1.5)


def test_a_focal_point_compares_their_own_state_only(client, two_rounds):
    nigeria = make_agency("Nigeria unit", "NG", Agency.Kind.POLICE)
    for campaign in two_rounds:
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=nigeria)
        submit_ratings(invitation, {"DF-02": (5, 5)})
    client.force_login(make_user("focal-ke", UserRole.Role.FOCAL_POINT, "KE"))

    page = client.get(reverse("analysis:compare", args=["R1", "R0"]))

    row = next(row for row in page.context["rows"] if row["competency"] == "DF-02")
    assert row["n_before"] == 12  # the Nigerian unit is not counted
