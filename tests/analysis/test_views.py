import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Country, Region, Response
from surveys.respond import services as response_services
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db


def page_url(name, args, campaign="R1"):
    return reverse(name, args=[campaign, *args])


def test_the_dashboard_ranks_the_competencies_by_mwds(client, coordinator, round_with_answers):
    client.force_login(coordinator)

    reply = client.get(page_url("analysis:dashboard", []))

    top = reply.context["top"]
    # DF-02: I = (6×4 + 5×5)/11, gap = (6×1 + 5×4)/11 → MWDS 10.53;
    # ET-01: I = (30 + 20)/11, gap = 18/11 → 7.44; DF-01: I = 45/11,
    # gap = (3×4 + 3×3 + 0)/11 = 21/11 → 7.81.
    assert [row["competency"] for row in top] == ["DF-02", "DF-01", "ET-01"]
    assert top[0]["mwds"] == pytest.approx((49 / 11) * (26 / 11))
    assert reply.context["respondents"] == 11
    assert "11</strong> submitted responses" in reply.content.decode()


def test_every_number_on_the_dashboard_obeys_the_filters(client, coordinator, round_with_answers):
    client.force_login(coordinator)

    reply = client.get(page_url("analysis:dashboard", []) + "?country=BR")

    assert reply.context["respondents"] == 5
    df01 = next(row for row in reply.context["top"] if row["competency"] == "DF-01")
    assert (df01["n"], df01["gap_mean"]) == (5, 0)
    shares = {row["question"]: row for row in reply.context["shares"]}
    assert shares["AD-L01"]["share_yes"] == 1.0


def test_a_filter_that_leaves_too_few_respondents_shows_counts_only(
    client, trainer, round_with_answers
):
    client.force_login(trainer)

    reply = client.get(page_url("analysis:dashboard", []) + "?country=BR&role=investigator")

    assert reply.context["respondents"] == 0
    assert reply.context["top"] == []
    assert "No competency has at least 5 paired ratings" in reply.content.decode()


def test_the_filters_offer_the_invited_countries_and_their_regions(
    client, coordinator, round_with_answers, campaign
):
    # Invited, not yet answered: its country and region are offered too.
    campaign_services.invitation_create(
        campaign=campaign, agency=make_agency("Polícia Federal", "PT", "specialised_unit")
    )
    client.force_login(coordinator)

    form = client.get(page_url("analysis:dashboard", [])).context["form"]

    assert form.fields["region"].choices == [
        ("", "All regions"), ("Africa", "Africa"), ("Americas", "Americas"), ("Europe", "Europe"),
    ]  # fmt: skip
    assert form.fields["country"].choices == [
        ("", "All countries"), ("BR", "Brazil"), ("KE", "Kenya"), ("PT", "Portugal"),
    ]  # fmt: skip


def test_an_unknown_filter_value_from_a_stale_link_is_ignored(
    client, coordinator, round_with_answers
):
    client.force_login(coordinator)

    reply = client.get(page_url("analysis:dashboard", []) + "?country=ZZ&region=Atlantis")

    assert reply.status_code == 200
    assert reply.context["respondents"] == 11


def test_a_focal_point_sees_only_their_own_country(client, focal_point, round_with_answers):
    client.force_login(focal_point)

    reply = client.get(page_url("analysis:dashboard", []) + "?country=BR")

    assert reply.context["respondents"] == 6, "the country filter is forced to Kenya"
    assert reply.context["totals"] == {"invited": 7, "submitted": 6, "rate": 6 / 7}
    assert "Brazil" not in reply.content.decode()


def test_the_region_breakdown_hides_small_groups_and_their_complement(
    client, coordinator, round_with_answers
):
    client.force_login(coordinator)

    reply = client.get(page_url("analysis:dashboard", []))

    matrix = reply.context["region_matrix"]
    assert matrix["groups"] == ["Africa", "Americas"]
    forensics = dict(matrix["rows"])["Digital forensics"]
    assert [cell["n"] for cell in forensics] == [6, 5]
    assert not any(cell["suppressed"] for cell in forensics)


def test_only_coordinators_see_one_agencys_ratings(
    client, round_with_answers, coordinator, trainer, focal_point
):
    url = page_url("analysis:competency", ["DF-01"])
    client.force_login(coordinator)
    page = client.get(url)
    assert len(page.context["agencies"]) == 11
    assert "Kenyan unit 0" in page.content.decode()

    for user in (trainer, focal_point):
        client.force_login(user)
        page = client.get(url)
        assert "agencies" not in page.context
        assert "Kenyan unit" not in page.content.decode()


def test_the_competency_page_breaks_results_down_by_group(client, coordinator, round_with_answers):
    client.force_login(coordinator)

    page = client.get(page_url("analysis:competency", ["DF-01"]))

    by = dict(page.context["breakdowns"])
    kinds = {row["agency_kind"]: row for row in by["agency_kind"]}
    assert kinds["police"]["gap_mean"] == pytest.approx(3.5)
    assert kinds["prosecution"]["gap_mean"] == 0
    assert page.context["overall"]["n"] == 11
    # Groups read as people name them, not as codes.
    assert [row["group_label"] for row in by["agency_kind"]] == ["Police", "Prosecution service"]
    assert {row["group_label"] for row in by["country"]} == {"Kenya", "Brazil"}
    assert {row["group_label"] for row in by["role"]} == {"Investigator", "Prosecutor"}


def test_an_unknown_competency_or_domain_is_a_404(client, coordinator, round_with_answers):
    client.force_login(coordinator)

    assert client.get(page_url("analysis:competency", ["XX-99"])).status_code == 404
    assert client.get(page_url("analysis:domain", ["nowhere"])).status_code == 404
    assert client.get(page_url("analysis:chart", ["pie", "png"])).status_code == 404
    assert client.get(page_url("analysis:chart", ["gaps", "gif"])).status_code == 404


def test_the_csv_holds_the_gap_table_with_the_dashboards_numbers(
    client, trainer, round_with_answers
):
    client.force_login(trainer)

    reply = client.get(page_url("analysis:gaps_csv", []) + "?agency_kind=police")

    assert reply["Content-Disposition"] == 'attachment; filename="gaps-r1-police.csv"'
    rows = list(csv.reader(io.StringIO(reply.content.decode())))
    assert rows[0][:4] == ["competency", "statement", "domain", "n"]
    df01 = next(row for row in rows if row and row[0] == "DF-01")
    header = rows[0]
    assert float(df01[header.index("gap_mean")]) == pytest.approx(3.5)
    assert df01[header.index("n")] == "6"
    assert any("Filters: agency_kind=police" in row[0] for row in rows if row)


def test_charts_are_images_of_the_requested_format(client, trainer, round_with_answers):
    client.force_login(trainer)

    png = client.get(page_url("analysis:chart", ["gaps", "png"]))
    svg = client.get(page_url("analysis:chart", ["heatmap", "svg"]))

    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_results_are_recomputed_when_an_answer_changes(client, coordinator, round_with_answers):
    client.force_login(coordinator)
    url = page_url("analysis:dashboard", [])
    before = client.get(url).context["respondents"]

    agency = make_agency("Late unit", "KE")
    invitation, _ = campaign_services.invitation_create(campaign=round_with_answers, agency=agency)
    submit_ratings(invitation, {"DF-01": (5, 1)})

    assert client.get(url).context["respondents"] == before + 1
    response_services.response_reopen(response=Response.objects.get(invitation=invitation))
    assert client.get(url).context["respondents"] == before


def test_the_dashboard_query_count_does_not_grow_with_the_responses(client, coordinator, campaign):
    client.force_login(coordinator)
    url = page_url("analysis:dashboard", [])

    def add_responses(count, start):
        for number in range(start, start + count):
            agency = make_agency(f"Unit {number}", "KE")
            invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
            submit_ratings(invitation, {"DF-01": (5, 2), "DF-02": (4, 4)})

    client.get(url)  # the questionnaire's labels are read once, then kept
    add_responses(5, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_responses(20, 5)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_an_agency_moved_to_another_country_moves_on_the_dashboard_at_once(
    client, coordinator, round_with_answers
):
    client.force_login(coordinator)
    url = page_url("analysis:dashboard", []) + "?country=BR"
    assert client.get(url).context["respondents"] == 5
    agency = Agency.objects.filter(country__code="KE", invitations__response__isnull=False).first()

    agency.country = Country.objects.get(code="BR")
    agency.save()

    assert client.get(url).context["respondents"] == 6
    region = Region.objects.get(name="Americas")
    region.name = "The Americas"
    region.save()
    matrix = client.get(page_url("analysis:dashboard", [])).context["region_matrix"]
    assert matrix["groups"] == ["Africa", "The Americas"]
    assert [cell["n"] for cell in dict(matrix["rows"])["Digital forensics"]] == [5, 6]


@pytest.mark.parametrize("name", ["analysis:dashboard", "analysis:chart"])
def test_a_page_or_chart_reads_what_its_data_is_once(client, coordinator, round_with_answers, name):
    client.force_login(coordinator)
    url = page_url(name, ["quadrant", "png"] if name == "analysis:chart" else [])

    with CaptureQueriesContext(connection) as queries:
        reply = client.get(url + "?region=Americas")

    assert reply.status_code == 200
    stamps = [
        query["sql"] for query in queries if 'MAX("surveys_response"."updated_at")' in query["sql"]
    ]
    assert len(stamps) == 1


def test_the_domain_page_gives_the_share_lacking_each_power_by_region(
    client, trainer, round_with_answers
):
    client.force_login(trainer)

    page = client.get(page_url("analysis:domain", ["data_access"]))

    items = page.context["items"]
    assert items["regions"] == ["Africa", "Americas"]
    row = next(row for row in items["rows"] if row["question"] == "AD-L01")
    assert row["lacking"] == pytest.approx(6 / 11)
    assert row["regions"] == [1.0, 0.0]


@pytest.mark.parametrize("who", ["coordinator", "focal_point", "trainer"])
def test_every_role_can_read_the_printable_training_plan(client, request, round_with_answers, who):
    from django.core.management import call_command

    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    client.force_login(request.getfixturevalue(who))

    page = client.get(page_url("analysis:plan", []))

    assert page.status_code == 200
    assert page.context["plan"][0]["priority"] == 1
    assert "How to read the plan" in page.content.decode()
