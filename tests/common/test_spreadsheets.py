"""The one spreadsheet reader: every upload goes through its checks."""

import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from common import spreadsheets
from common.spreadsheets import UnsafeWorkbook, open_workbook, read_table, sheet_rows


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def with_zeros(data, megabytes):
    output = io.BytesIO(data)
    with zipfile.ZipFile(output, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w") as member:
            for _ in range(megabytes):
                member.write(bytes(1024 * 1024))
    return output.getvalue()


RATINGS = [["respondent", "competency", "importance", "capability"], ["a", "DF-01", 5, 2]]


def test_it_reads_the_rows_of_an_xlsx_with_numbers_as_numbers():
    table = read_table(xlsx_bytes(RATINGS), "ratings.xlsx")

    assert table.sheet == "Sheet"
    assert table.rows == [RATINGS[0], ["a", "DF-01", 5, 2]]


def test_it_reads_a_semicolon_csv_with_a_byte_order_mark():
    data = "\ufeffrespondent;competency\r\na;DF-01\r\n".encode()

    assert read_table(data, "ratings.csv").rows == [["respondent", "competency"], ["a", "DF-01"]]


def test_it_names_the_encoding_a_csv_must_have():
    with pytest.raises(UnsafeWorkbook, match="not UTF-8 text; save it as 'CSV UTF-8'"):
        read_table("respondent\né".encode("latin-1"), "ratings.csv")


def test_it_refuses_other_kinds_of_file():
    with pytest.raises(UnsafeWorkbook, match="must be a .csv or an .xlsx"):
        read_table(b"hello", "ratings.txt")


def test_a_sheet_with_more_cells_than_the_bound_is_refused():
    workbook = open_workbook(xlsx_bytes([[1, 2, 3]] * 10))

    with pytest.raises(UnsafeWorkbook, match="more than 20 cells"):
        sheet_rows(workbook.active, max_cells=20)


def test_a_zip_bomb_given_as_a_ratings_file_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    # The ratings file reader (tna_gaps) once opened workbooks without this check.
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    path = tmp_path / "ratings.xlsx"
    path.write_bytes(with_zeros(xlsx_bytes(RATINGS), megabytes=2))

    with pytest.raises(CommandError) as caught:
        call_command("tna_gaps", "--input", str(path))

    assert "ratings.xlsx: the workbook expands to more than it should (possible zip bomb)" in str(
        caught.value
    )


def test_a_ratings_file_over_the_upload_limit_is_refused(tmp_path, settings):
    settings.XLSFORM_MAX_UPLOAD_BYTES = 1024
    path = tmp_path / "ratings.csv"
    path.write_text("respondent,competency,importance,capability\n" + "a,DF-01,5,2\n" * 200)

    with pytest.raises(CommandError, match="the limit is 1 KB"):
        call_command("tna_gaps", "--input", str(path))


def test_a_chart_sheet_before_the_data_is_passed_over():
    from openpyxl.chart import BarChart, Reference

    workbook = openpyxl.Workbook()
    for row in RATINGS:
        workbook["Sheet"].append(row)
    chart = BarChart()
    chart.add_data(Reference(workbook["Sheet"], min_col=3, min_row=1, max_row=2))
    workbook.create_chartsheet("Chart", 0).add_chart(chart)
    output = io.BytesIO()
    workbook.save(output)

    table = read_table(output.getvalue(), "ratings.xlsx")

    assert (table.sheet, table.rows[0]) == ("Sheet", RATINGS[0])


def test_a_damaged_sheet_is_named_in_the_refusal():
    data = xlsx_bytes(RATINGS)
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b"<row><c></sheetData>")
            target.writestr(item, content)

    with pytest.raises(UnsafeWorkbook) as caught:
        read_table(output.getvalue(), "ratings.xlsx")

    assert str(caught.value).startswith("the sheet could not be read")
    assert caught.value.sheet == "Sheet"


def test_outside_a_configured_project_the_upload_limit_is_the_default(monkeypatch):
    from django.conf import settings

    from common import downloads

    monkeypatch.setattr(type(settings), "configured", property(lambda self: False))

    assert downloads.upload_limit() == downloads.DEFAULT_UPLOAD_BYTES == 5 * 1024 * 1024
