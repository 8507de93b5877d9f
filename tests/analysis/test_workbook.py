import csv
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl.utils import get_column_letter

from analysis import gaps, results
from analysis.selectors import answers_frame
from surveys.campaigns import services as campaign_services
from surveys.models import Answer, Invitation, Question
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db

SHEETS = [
    "Summary",
    "Ranked gaps",
    "By region",
    "By agency kind",
    "Legal powers & resources",
    "Training plan",
    "Agencies per course",
    "Before training",
    "Codebook",
    "Answers",
]


def export(tmp_path, *args):
    path = tmp_path / "out.xlsx"
    call_command("export_workbook", "--campaign", "R1", "--output", str(path), *args,
                 stdout=io.StringIO())  # fmt: skip
    return openpyxl.load_workbook(path)


def rows(sheet, start=1):
    return [list(row) for row in sheet.iter_rows(min_row=start, values_only=True)]


def by_header(sheet, header_row=1):
    table = rows(sheet, header_row)
    header = table[0]
    return [dict(zip(header, row, strict=False)) for row in table[1:] if any(row)]


def test_it_writes_every_sheet_in_order(tmp_path, round_with_answers):
    workbook = export(tmp_path)

    assert workbook.sheetnames == SHEETS


def test_every_sheet_has_a_frozen_filtered_printable_header(tmp_path, round_with_answers):
    workbook = export(tmp_path)

    with_note_above = {"By region", "By agency kind", "Legal powers & resources", "Codebook"}
    for sheet in workbook:
        header_row = 2 if sheet.title in with_note_above else 1
        assert sheet.freeze_panes == f"A{header_row + 1}", sheet.title
        assert sheet.auto_filter.ref.startswith(f"A{header_row}:"), sheet.title
        assert sheet.print_title_rows == f"${header_row}:${header_row}", sheet.title
        assert sheet.column_dimensions["A"].width >= 10, sheet.title


def test_ranked_gaps_equal_the_dashboards_numbers(tmp_path, round_with_answers):
    workbook = export(tmp_path)

    sheet = by_header(workbook["Ranked gaps"])
    table = results.overview(round_with_answers, results.Filters())["competencies"]
    assert [row["Competency"] for row in sheet] == list(table["competency"])
    for row, expected in zip(sheet, table.itertuples(), strict=True):
        assert row["Rank"] == expected.rank
        assert row["n"] == expected.n
        assert row["Gap"] == pytest.approx(expected.gap_mean)
        assert row["MWDS"] == pytest.approx(expected.mwds)
        assert row["Priority"] == expected.priority
    assert sheet[0]["Statement"].startswith("Seizing") is False  # DF-02 ranks first
    assert sheet[0]["Competency"] == "DF-02"
    assert workbook["Ranked gaps"]["H2"].number_format == "0.0"
    assert workbook["Ranked gaps"]["K2"].number_format == "0.00"


def test_ranked_gaps_equal_what_tna_gaps_prints_for_the_same_answers(tmp_path, round_with_answers):
    pairs = gaps.rating_pairs(answers_frame([round_with_answers]))
    source = tmp_path / "pairs.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "competency", "importance", "capability"])
        for row in pairs.itertuples():
            writer.writerow([row.response, row.competency, row.importance, row.capability])
    printed = io.StringIO()
    call_command("tna_gaps", "--input", str(source), "--format", "json", stdout=printed,
                 stderr=io.StringIO())  # fmt: skip

    from_cli = {row["competency"]: row for row in json.loads(printed.getvalue())}
    for row in by_header(export(tmp_path)["Ranked gaps"]):
        assert from_cli[row["Competency"]]["mwds"] == pytest.approx(row["MWDS"])
        assert from_cli[row["Competency"]]["rank"] == row["Rank"]


def test_a_native_bar_chart_shows_the_top_competencies(tmp_path, round_with_answers):
    path = tmp_path / "out.xlsx"
    call_command("export_workbook", "--campaign", "R1", "--output", str(path), stdout=io.StringIO())

    import zipfile

    with zipfile.ZipFile(path) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        chart = archive.read(charts[0]).decode()
    assert len(charts) == 1
    assert '<barDir val="bar"/>' in chart
    assert "'Ranked gaps'!$K$2:$K$4" in chart


def test_small_groups_show_n_below_the_minimum_never_a_number(tmp_path, round_with_answers):
    # One Fijian agency: Oceania is a group of one.
    invitation, _ = campaign_services.invitation_create(
        campaign=round_with_answers, agency=make_agency("Fiji unit", "FJ")
    )
    submit_ratings(
        invitation, {"DF-01": (5, 1), "DF-02": (5, 1), "ET-01": (5, 1)}, legal={"AD-L01": "no"}
    )

    workbook = export(tmp_path)

    region = by_header(workbook["By region"], 2)
    forensics = next(row for row in region if row["Domain"] == "Digital forensics")
    assert forensics["Oceania"] == "n<5"
    assert isinstance(forensics["Africa"], float)
    # Oceania alone would be given away by the total minus the others: the
    # smallest other region (the Americas, 5) is hidden too.
    assert forensics["Americas"] == "n<5"
    shares = by_header(workbook["Legal powers & resources"], 2)
    item = next(row for row in shares if row["Item"] == "AD-L01")
    assert (item["Lacking (Oceania)"], item["Lacking (Americas)"]) == ("n<5", "n<5")


def test_the_legal_powers_sheet_gives_the_share_lacking_by_region(tmp_path, round_with_answers):
    shares = by_header(export(tmp_path)["Legal powers & resources"], 2)

    item = next(row for row in shares if row["Item"] == "AD-L01")
    assert item["Agencies"] == 11
    assert item["Lacking (all)"] == pytest.approx(6 / 11)
    assert item["Lacking (Africa)"] == 1.0
    assert item["Lacking (Americas)"] == 0.0


def test_the_codebook_lists_every_question(tmp_path, round_with_answers):
    sheet = export(tmp_path)["Codebook"]
    codebook = by_header(sheet, header_row=2)

    assert sheet["A1"].value == (
        "Labels in English (en); the questionnaire is also in: French (fr), Spanish (es), "
        "Arabic (ar), Russian (ru), Chinese (zh). Draft translations, for expert review: "
        "French (fr), Spanish (es), Arabic (ar), Russian (ru), Chinese (zh)."
    )
    assert (
        len(codebook)
        == Question.objects.filter(questionnaire=round_with_answers.questionnaire).count()
    )
    df01 = next(row for row in codebook if row["Code"] == "DF-01_imp")
    assert df01["Competency"] == "DF-01" and df01["Dimension"] == "importance"
    assert df01["Choices"].startswith("1 = 1 – Very low")
    assert df01["Source"]


def test_the_answers_sheet_has_one_row_per_response_with_profile_first(
    tmp_path, round_with_answers
):
    answers = by_header(export(tmp_path)["Answers"])

    assert len(answers) == 11
    header = list(answers[0])
    assert header[:5] == ["response", "agency", "country", "region", "registered_kind"]
    kenyan = next(row for row in answers if row["agency"] == "Kenyan unit 0")
    assert kenyan["DF-01_imp"] == 5 and kenyan["DF-01_cap"] == 1
    assert kenyan["AD-L01"] == "no"


def test_respondent_text_starting_like_a_formula_stays_text(tmp_path, round_with_answers):
    invitation = Invitation.objects.filter(campaign=round_with_answers).first()
    Answer.objects.create(
        response=invitation.response,
        question=Question.objects.get(code="forensics_comment"),
        value='=HYPERLINK("http://evil.example","click")',
    )

    sheet = export(tmp_path)["Answers"]

    header = [cell.value for cell in sheet[1]]
    column = header.index("forensics_comment") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    evil = next(cell for cell in cells if cell.value and "HYPERLINK" in str(cell.value))
    assert evil.data_type == "s"
    assert evil.value.startswith("=HYPERLINK")


def test_filters_narrow_every_sheet(tmp_path, round_with_answers):
    workbook = export(tmp_path, "--country", "ke")

    summary = {row[0]: row[1] for row in rows(workbook["Summary"]) if row[0]}
    assert summary["Filters"] == "Country: KE"
    assert summary["Submitted responses in this export"] == 6
    assert len(by_header(workbook["Answers"])) == 6


def test_an_unknown_campaign_or_output_is_a_clear_error(tmp_path, round_with_answers):
    with pytest.raises(CommandError, match="No campaign 'NOPE'. Known campaigns: R1"):
        call_command("export_workbook", "--campaign", "NOPE", "--output", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="must be an .xlsx"):
        call_command("export_workbook", "--campaign", "R1", "--output", str(tmp_path / "x.csv"))


def download(client, user, query=""):
    client.force_login(user)
    reply = client.get(reverse("analysis:workbook", args=["R1"]) + query)
    assert reply.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(reply.streaming_content)))


def test_a_coordinators_download_has_the_answers_sheet(client, coordinator, round_with_answers):
    workbook = download(client, coordinator)

    assert workbook.sheetnames == SHEETS


def test_a_trainers_download_never_has_one_agencys_answers(client, trainer, round_with_answers):
    workbook = download(client, trainer)

    assert "Answers" not in workbook.sheetnames
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            assert not any("Kenyan unit" in str(value) for value in row if value)


def test_a_focal_points_download_covers_their_country_only(client, focal_point, round_with_answers):
    workbook = download(client, focal_point, "?country=BR")

    summary = {row[0]: row[1] for row in rows(workbook["Summary"]) if row[0]}
    assert summary["Filters"] == "Country: KE"
    assert summary["Submitted responses in this export"] == 6


@pytest.fixture
def catalogue(db):
    from django.core.management import call_command as run

    run("import_courses", "fixtures/courses.csv", stdout=io.StringIO())


def test_the_training_plan_sheet_ranks_courses_by_the_need_they_meet(
    tmp_path, round_with_answers, catalogue
):
    from analysis.workbook import PLAN_HEADER

    workbook = export(tmp_path)

    sheet = workbook["Training plan"]
    table = by_header(sheet)
    assert list(table[0]) == [heading for heading, _ in PLAN_HEADER.values()]
    assert "Agencies needing it" in table[0]
    expected = results.training_plan(round_with_answers, results.Filters()).courses
    assert [row["Course"] for row in table] == list(expected["code"])
    first = table[0]
    assert first["Priority"] == 1
    assert first["Need score (MWDS)"] == pytest.approx(expected.iloc[0]["need_score"])
    assert first["Agencies needing it"] == expected.iloc[0]["agencies_needing"]
    summary = [row[1] for row in rows(workbook["Summary"]) if row[0] == "Training plan"]
    assert summary and summary[0].startswith("An agency needs a course when")


def test_the_training_plan_prints_one_page_wide_in_landscape(tmp_path, round_with_answers):
    workbook = export(tmp_path)

    for title in ("Training plan", "Agencies per course", "Before training"):
        sheet = workbook[title]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, title
        assert sheet.page_setup.fitToWidth == 1, title
        assert sheet.page_setup.fitToHeight == 0, title
        assert sheet.page_setup.orientation == "landscape", title
        letters = [get_column_letter(i) for i in range(1, sheet.max_column + 1)]
        widths = sum(sheet.column_dimensions[letter].width for letter in letters)
        assert widths < 260, title  # a readable scale when fitted to one A4 page wide
