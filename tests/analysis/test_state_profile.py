"""State profiles: the page, the Word report and `manage.py country_report`,
on a small hand-made campaign; and States counting equally (pure)."""

import io

import docx
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis import profiles
from analysis.selectors import FRAME_COLUMNS
from surveys.campaigns import services as campaign_services
from surveys.models import Agency, UserRole
from tests.conftest import make_agency, make_user, submit_ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile_round(campaign):
    """Kenya: three agencies (below the minimum cell size of 5), one without
    forensic hardware; Nigeria: five; Brazil: six prosecution services, enough
    to publish."""
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    for number, hardware in enumerate(("yes", "no", "yes")):
        agency = make_agency(f"Kenyan unit {number}", "KE", Agency.Kind.POLICE)
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(invitation, {"DF-02": (5, 1), "PA-01": (4, 3)}, legal={"DF-R01": hardware})
    for number in range(5):
        agency = make_agency(f"Nigerian unit {number}", "NG", Agency.Kind.POLICE)
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(invitation, {"DF-02": (4, 2), "PA-01": (4, 2)})
    for number in range(6):
        agency = make_agency(f"Brazilian office {number}", "BR", Agency.Kind.PROSECUTION)
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(invitation, {"DF-02": (3, 3), "PA-01": (5, 2)}, role="prosecutor")
    campaign_services.campaign_close(campaign=campaign)
    return campaign


def page(client, user, country="KE", suffix=""):
    client.force_login(user)
    return client.get(reverse("analysis:country", args=["R1", country]) + suffix)


def report(client, user, country="KE"):
    client.force_login(user)
    return client.get(reverse("analysis:country_report", args=["R1", country]))


def test_a_focal_point_sees_their_own_states_profile_with_numbers(client, profile_round):
    focal_point = make_user("focal-ke", UserRole.Role.FOCAL_POINT, "KE")

    reply = page(client, focal_point)

    assert reply.status_code == 200
    profile = reply.context["profile"]
    assert not profile.withheld
    domains = {row["domain"]: row for row in reply.context["domains"]}
    assert domains["forensics"]["state_gap"] == pytest.approx(4.0)
    assert domains["forensics"]["state_n"] == 3
    needs = reply.context["needs"]
    assert needs[0]["competency"] == "DF-02" and needs[0]["priority"] == "High"
    html = reply.content.decode()
    assert "Kenyan unit 1" in html  # named: lacking forensic hardware, and who answered
    assert "n&lt;5" not in html and "n<5" not in html


def test_a_focal_point_cannot_open_another_states_profile_or_report(client, profile_round):
    focal_point = make_user("focal-ke", UserRole.Role.FOCAL_POINT, "KE")

    assert page(client, focal_point, "BR").status_code == 404
    assert report(client, focal_point, "BR").status_code == 404


def test_a_trainer_sees_nothing_of_a_state_that_could_be_singled_out(client, profile_round):
    trainer = make_user("trainer", UserRole.Role.TRAINER)

    reply = page(client, trainer)

    assert reply.status_code == 200
    assert reply.context["profile"].withheld
    html = reply.content.decode()
    assert "no figure of this State is shown" in html
    assert "Kenyan unit" not in html
    assert "invited agencies" not in html and "answered" not in html.split("<h1")[1][:300]


def test_a_trainer_sees_a_large_enough_state_without_agency_names(client, profile_round):
    trainer = make_user("trainer", UserRole.Role.TRAINER)

    reply = page(client, trainer, "BR")

    assert not reply.context["profile"].withheld
    domains = {row["domain"]: row for row in reply.context["domains"]}
    assert domains["prosecution"]["state_gap"] == pytest.approx(3.0)
    assert "Brazilian office" not in reply.content.decode()


def test_the_coordinator_downloads_the_word_report(client, profile_round):
    coordinator = make_user("coordinator", UserRole.Role.COORDINATOR)

    reply = report(client, coordinator)

    assert reply.status_code == 200
    assert reply["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "country-report-r1-KE.docx" in reply["Content-Disposition"]
    document = docx.Document(io.BytesIO(b"".join(reply.streaming_content)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Training needs of Kenya" in text
    assert "3 of 3 invited agencies of Kenya answered" in text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for heading in ("Gaps by domain", "Ranked needs", "Proposed courses", "Who answered"):
        assert heading in headings
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(cell.startswith("DF-02 ") for cell in cells)
    assert "Kenyan unit 1" in cells  # lacks forensic hardware: before training
    assert len(document.inline_shapes) == 1  # the chart


def test_country_report_writes_the_same_report(tmp_path, profile_round):
    output = tmp_path / "kenya.docx"
    out = io.StringIO()

    call_command(
        "country_report", "--campaign", "R1", "--country", "ke", "--output", str(output),
        stdout=out,
    )  # fmt: skip

    assert "Kenya in R1, 3 of 3 agencies answered" in out.getvalue()
    document = docx.Document(output)
    assert document.paragraphs[0].text == "Training needs of Kenya"


def test_country_report_names_the_invited_countries_for_an_unknown_one(tmp_path, profile_round):
    with pytest.raises(CommandError, match="Countries invited to R1: BR, KE, NG"):
        call_command(
            "country_report", "--campaign", "R1", "--country", "FR", "--output",
            str(tmp_path / "x.docx"), stdout=io.StringIO(),
        )  # fmt: skip


# States count equally (pure) ---------------------------------------------------


def frame(rows):
    """rows: (response, country, region, gap on DF-02)."""
    records = []
    for response, country, region, gap in rows:
        for dimension, value in (("importance", 5), ("capability", 5 - gap)):
            records.append(
                {
                    "response": response, "agency": response, "agency_name": f"A{response}",
                    "country": country, "country_name": country, "region": region,
                    "agency_kind": "police", "role": "", "campaign": "R1",
                    "question": f"DF-02_{dimension[:3]}", "domain": "forensics",
                    "competency": "DF-02", "dimension": dimension, "value": str(value),
                    "number": float(value),
                }
            )  # fmt: skip
    return pd.DataFrame(records, columns=FRAME_COLUMNS)


def test_a_state_with_many_agencies_does_not_outweigh_one_with_few():
    # Kenya: one agency, gap 4. Nigeria: nine agencies, gap 0.
    rows = [(1, "KE", "Africa", 4)] + [(n, "NG", "Africa", 0) for n in range(2, 11)]

    table = profiles.comparison(frame(rows), "KE", "domain", min_n=5)

    row = table.iloc[0]
    assert row["state_gap"] == pytest.approx(4.0)
    assert row["region_gap"] == pytest.approx(2.0)  # not (4 + 0 × 9) / 10 = 0.4
    assert row["region_states"] == 2


def test_a_comparison_is_not_shown_when_too_few_answers_lie_outside_the_state():
    rows = [(1, "KE", "Africa", 4), (2, "NG", "Africa", 0), (3, "FR", "Europe", 1)]

    row = profiles.comparison(frame(rows), "KE", "domain", min_n=5).iloc[0]

    assert row["state_gap"] == pytest.approx(4.0)  # the State's own, whatever its n
    assert row["region_gap"] is None and row["world_gap"] is None


def test_a_comparison_needs_min_n_answers_to_that_item_outside_the_state():
    # Kenya: 3 agencies rate DF-02. Nigeria: 6 agencies answered, only one rated DF-02:
    # the region's figure minus Kenya's would give that one agency's gap.
    rows = [(n, "KE", "Africa", 4) for n in range(1, 4)] + [(10, "NG", "Africa", 1)]
    answers = frame(rows)
    others = frame([(n, "NG", "Africa", 2) for n in range(11, 16)])
    others["competency"], others["question"] = "DF-09", others["question"].str.replace("02", "09")

    table = profiles.comparison(pd.concat([answers, others]), "KE", "competency", min_n=5)

    row = table.set_index("competency").loc["DF-02"]
    assert row["state_gap"] == pytest.approx(4.0)
    assert row["region_gap"] is None and row["world_gap"] is None
