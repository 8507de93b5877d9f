"""A bad XLSForm is refused with each problem named by sheet, row and column."""

import io
import zipfile

import pytest

from common.spreadsheets import Problem
from surveys.questionnaires.xlsform import XLSFormError, read_xlsform
from tests.surveys.questionnaires.bad_forms import BAD_FORMS, NOT_WORKBOOKS
from tests.surveys.questionnaires.xlsforms import (
    BEGIN,
    CHOICES,
    END,
    SETTINGS,
    SURVEY_HEADER,
    VALID_SURVEY,
    make_xlsform,
    problems_in,
    replace_member,
)


@pytest.mark.parametrize("survey, choices, settings, expected", BAD_FORMS)
def test_it_says_where_a_bad_form_is_wrong(survey, choices, settings, expected):
    data = make_xlsform(survey, choices, settings)

    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)

    assert caught.value.problems[0] == expected
    assert str(caught.value).splitlines()[0] == str(expected)


@pytest.mark.parametrize("data, message", NOT_WORKBOOKS)
def test_it_refuses_a_file_that_is_not_a_workbook(data, message):
    problems = problems_in(data)

    assert len(problems) == 1
    assert (problems[0].sheet, problems[0].row, problems[0].column) == (None, None, None)
    assert problems[0].message.startswith(message)


def test_it_refuses_a_workbook_without_a_survey_sheet():
    data = make_xlsform(None, CHOICES, SETTINGS)

    assert problems_in(data) == [Problem("the workbook has no 'survey' sheet", "survey")]


def test_it_refuses_a_sheet_whose_xml_is_damaged():
    data = make_xlsform(VALID_SURVEY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    # Cut the sheet off after its first row: openpyxl only notices while reading rows.
    damaged = sheet_xml[: sheet_xml.index(b"</row>") + len(b"</row>")] + b"<row r='2'>"

    problems = problems_in(replace_member(data, "xl/worksheets/sheet1.xml", damaged))

    assert problems == [Problem("the sheet could not be read (ParseError)", "survey")]


def test_it_reports_every_problem_at_once():
    survey = [SURVEY_HEADER, BEGIN, ("text", "a", "A", "maybe"), ("geopoint", "b", "B"), END]

    problems = problems_in(make_xlsform(survey))

    assert [(p.row, p.column) for p in problems] == [(3, "required"), (4, "type")]


def test_a_problem_names_sheet_row_and_column():
    assert str(Problem("name is empty", "survey", 4, "name")) == (
        "sheet 'survey', row 4, column 'name': name is empty"
    )
    assert str(Problem("form_id is missing", "settings", column="form_id")) == (
        "sheet 'settings', column 'form_id': form_id is missing"
    )
    assert str(Problem("the file is not an Excel workbook (.xlsx)")) == (
        "the file is not an Excel workbook (.xlsx)"
    )
