"""Workbooks made to hurt the server (too big, zip bombs, XML entities) are
refused before any parser sees them, as an XLSForm upload and as any upload."""

import io
import re
import zipfile

import openpyxl
import openpyxl.xml
import pytest

from common import spreadsheets
from common.spreadsheets import Problem, UnsafeWorkbook, open_workbook
from surveys.questionnaires.xlsform import read_xlsform
from tests.surveys.questionnaires.xlsforms import (
    ENTITY_SHEETS,
    VALID_SURVEY,
    add_zeros,
    make_xlsform,
    problems_in,
    replace_member,
)


def test_it_refuses_a_file_over_the_size_limit():
    data = make_xlsform(VALID_SURVEY)

    with pytest.raises(UnsafeWorkbook) as caught:
        open_workbook(data, max_bytes=1024)

    assert str(caught.value) == f"the file is {len(data) // 1024} KB; the limit is 1 KB"


def test_the_size_limit_comes_from_the_settings(settings):
    settings.XLSFORM_MAX_UPLOAD_BYTES = 2048

    problems = problems_in(make_xlsform(VALID_SURVEY))

    assert len(problems) == 1
    assert problems[0].message.endswith("the limit is 2 KB")


def test_it_refuses_a_workbook_that_expands_past_the_bound(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    data = add_zeros(make_xlsform(VALID_SURVEY), megabytes=2)
    assert len(data) < 64 * 1024

    with pytest.raises(UnsafeWorkbook) as caught:
        open_workbook(data)

    assert "possible zip bomb" in str(caught.value)


def test_it_refuses_a_small_file_that_would_expand_enormously():
    # 6 MB of zeros deflate to a few kilobytes: a ratio no real workbook has.
    data = add_zeros(make_xlsform(VALID_SURVEY), megabytes=6)

    problems = problems_in(data)

    assert problems == [
        Problem("the workbook expands to more than it should (possible zip bomb); refused")
    ]


def test_a_small_workbook_that_compresses_well_is_accepted():
    data = add_zeros(make_xlsform(VALID_SURVEY), megabytes=1)

    assert read_xlsform(data).form_id == "demo"


def test_openpyxl_parses_with_defusedxml():
    # Without defusedxml openpyxl would expand entities declared in a sheet.
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("sheet_xml", ENTITY_SHEETS)
def test_it_refuses_xml_entities_in_a_sheet(sheet_xml):
    data = replace_member(make_xlsform(VALID_SURVEY), "xl/worksheets/sheet1.xml", sheet_xml)

    with pytest.raises(UnsafeWorkbook):
        open_workbook(data)
    problems = problems_in(data)

    assert len(problems) == 1
    assert problems[0].message.startswith("the workbook could not be read")


def test_a_sheet_claiming_the_whole_grid_is_read_as_the_cells_it_holds():
    # <dimension ref="A1:XFD1048576"/> once made a read-only sheet pad every
    # row to 16,384 columns: 30 s and an error page for a small form.
    data = make_xlsform(VALID_SURVEY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    claimed = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert claimed != sheet

    definition = read_xlsform(replace_member(data, "xl/worksheets/sheet1.xml", claimed))

    assert definition.form_id == "demo"


@pytest.mark.django_db
def test_a_macro_enabled_xlsform_or_catalogue_is_refused():
    from surveys.courses.catalogue import CourseImportError, read_courses

    data = replace_member(make_xlsform(VALID_SURVEY), "xl/vbaProject.bin", b"\0")

    assert problems_in(data) == [Problem(
        "the workbook contains macros (an .xlsm file); save it as an Excel workbook (.xlsx) "
        "without macros and upload that"
    )]  # fmt: skip
    with pytest.raises(CourseImportError, match="contains macros"):
        read_courses(data, "courses.xlsm", known_competencies=set())
