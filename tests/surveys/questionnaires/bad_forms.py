"""Bad XLSForms and files that are not workbooks, each with the problem it
must report: shared by the tests of reading and of the import command."""

import pytest

from common.spreadsheets import Problem
from tests.surveys.questionnaires.xlsforms import (
    BEGIN,
    CHOICES,
    END,
    SETTINGS,
    SURVEY_HEADER,
    TEXT,
    VALID_SURVEY,
    make_zip,
    rated_pair,
)

# Each bad form, and the first problem it must report, where the author will find it.
BAD_FORMS = [
    pytest.param(
        [("name", "label"), ("g", "Group")],
        CHOICES,
        SETTINGS,
        Problem("the 'type' column is missing", "survey", 1),
        id="no type column",
    ),
    pytest.param(
        [("type", "label"), ("begin group", "Group")],
        CHOICES,
        SETTINGS,
        Problem("the 'name' column is missing", "survey", 1),
        id="no name column",
    ),
    pytest.param(
        [("type", "name", "hint"), ("begin group", "g", "Hint")],
        CHOICES,
        SETTINGS,
        Problem("no label column (label or label::Language)", "survey", 1),
        id="no label column",
    ),
    pytest.param(
        VALID_SURVEY,
        CHOICES,
        None,
        Problem("form_id is missing", "settings", column="form_id"),
        id="no settings sheet",
    ),
    pytest.param(
        VALID_SURVEY,
        CHOICES,
        [("form_title",), ("Demo form",)],
        Problem("form_id is missing", "settings", column="form_id"),
        id="no form_id",
    ),
    pytest.param(
        VALID_SURVEY,
        CHOICES,
        [("form_id",), ("my form!",)],
        Problem(
            "form_id 'my form!' may use only letters, digits, - and _ (at most 60)",
            "settings",
            2,
            "form_id",
        ),
        id="bad form_id",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, ("geopoint", "where", "Where are you?"), END],
        CHOICES,
        SETTINGS,
        Problem(
            "question type 'geopoint' is not supported (use one of: select_one, "
            "select_multiple, integer, decimal, text, note, date, begin group, end group)",
            "survey",
            4,
            "type",
        ),
        id="unknown question type",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("", "a", "No type")],
        CHOICES,
        SETTINGS,
        Problem("the row has content but no type", "survey", 3, "type"),
        id="row without type",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, ("integer", "a", "Again"), END],
        CHOICES,
        SETTINGS,
        Problem("name 'a' is already used in row 3", "survey", 4, "name"),
        id="duplicate name",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, ("text", "2nd question", "B"), END],
        CHOICES,
        SETTINGS,
        Problem(
            "name '2nd question' must start with a letter or _ and use only letters, "
            "digits, _, - and .",
            "survey",
            4,
            "name",
        ),
        id="invalid name",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("text", "", "No name"), END],
        CHOICES,
        SETTINGS,
        Problem("name is empty", "survey", 3, "name"),
        id="question without name",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("text", "a"), END],
        CHOICES,
        SETTINGS,
        Problem("'a' has no label", "survey", 3, "label"),
        id="question without label",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("select_one colours", "colour", "Colour?"), END],
        CHOICES,
        SETTINGS,
        Problem("choice list 'colours' is not on the choices sheet", "survey", 3, "type"),
        id="select list not on choices sheet",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("select_one", "colour", "Colour?"), END],
        CHOICES,
        SETTINGS,
        Problem("'select_one' needs a choice list name", "survey", 3, "type"),
        id="select without list",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, END],
        [("list_name", "name", "label"), ("scale", "", "Low")],
        SETTINGS,
        Problem("name is empty", "choices", 2, "name"),
        id="choice without name",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, END],
        [("list_name", "name", "label"), ("", "1", "Low")],
        SETTINGS,
        Problem("list_name is empty", "choices", 2, "list_name"),
        id="choice without list_name",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, END],
        [("list_name", "name", "label"), ("scale", "1")],
        SETTINGS,
        Problem("choice '1' has no label", "choices", 2, "label"),
        id="choice without label",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, END],
        [("list_name", "name", "label"), ("scale", "1", "Low"), ("scale", "1", "Again")],
        SETTINGS,
        Problem("choice '1' appears twice in list 'scale'", "choices", 3, "name"),
        id="duplicate choice",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("begin group", "inner", "Inner"), TEXT, END, END],
        CHOICES,
        SETTINGS,
        Problem(
            "group 'inner' is inside group 'g': nested groups are not supported, "
            "close the first with 'end group'",
            "survey",
            3,
            "type",
        ),
        id="nested group",
    ),
    pytest.param(
        [SURVEY_HEADER, TEXT, BEGIN, ("text", "b", "B"), END],
        CHOICES,
        SETTINGS,
        Problem(
            "'a' is outside any group: every question belongs to a section "
            "(begin group … end group)",
            "survey",
            2,
            "type",
        ),
        id="question outside a group",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT],
        CHOICES,
        SETTINGS,
        Problem("group 'g' is never closed with 'end group'", "survey", 2, "type"),
        id="unclosed group",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, END, END],
        CHOICES,
        SETTINGS,
        Problem("'end group' without 'begin group'", "survey", 5, "type"),
        id="end group without begin",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, END, ("begin group", "h", "H"), TEXT, END],
        CHOICES,
        SETTINGS,
        Problem("group 'g' has no questions", "survey", 3, "type"),
        id="empty group",
    ),
    pytest.param(
        [SURVEY_HEADER],
        CHOICES,
        SETTINGS,
        Problem("the form has no sections (begin group … end group)", "survey"),
        id="no questions at all",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("text", "a", "A", "maybe"), END],
        CHOICES,
        SETTINGS,
        Problem("required must be yes or no, not 'maybe'", "survey", 3, "required"),
        id="bad required value",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, ("text", "b", "B", "", "${a} ="), END],
        CHOICES,
        SETTINGS,
        Problem(
            "cannot understand '${a} =': the expression ends too early", "survey", 4, "relevant"
        ),
        id="relevant that does not parse",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, ("integer", "a", "A", "", "", "regex(., '[0-9]')"), END],
        CHOICES,
        SETTINGS,
        Problem(
            "cannot understand 'regex(., '[0-9]')': unsupported function or name 'regex'",
            "survey",
            3,
            "constraint",
        ),
        id="constraint that does not parse",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, TEXT, ("text", "b", "B", "", "${role} = 'other'"), END],
        CHOICES,
        SETTINGS,
        Problem(
            "'${role} = 'other'' refers to ${role}, which is not a question in this form",
            "survey",
            4,
            "relevant",
        ),
        id="relevant referring to an unknown question",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, rated_pair("SK-01")[0], END],
        CHOICES,
        SETTINGS,
        Problem(
            "competency 'SK-01' must have exactly one importance and one capability item "
            "(found: importance)",
            "survey",
            3,
            "competency",
        ),
        id="competency without capability",
    ),
    pytest.param(
        [SURVEY_HEADER, BEGIN, *rated_pair("SK-01", "scale", "scale4"), END],
        CHOICES,
        SETTINGS,
        Problem(
            "competency 'SK-01' rates importance and capability on different scales",
            "survey",
            3,
            "type",
        ),
        id="competency rated on two scales",
    ),
    pytest.param(
        [
            SURVEY_HEADER,
            BEGIN,
            ("integer", "SK-01_imp", "Imp", "", "", "", "SK-01", "importance"),
            END,
        ],
        CHOICES,
        SETTINGS,
        Problem("the importance rating must be a select_one scale", "survey", 3, "type"),
        id="rating that is not a scale",
    ),
    pytest.param(
        [
            SURVEY_HEADER,
            BEGIN,
            ("select_one scale", "SK-01_imp", "Imp", "", "", "", "", "importance"),
            END,
        ],
        CHOICES,
        SETTINGS,
        Problem("the importance rating needs a competency code", "survey", 3, "competency"),
        id="rating without competency",
    ),
    pytest.param(
        [
            SURVEY_HEADER,
            BEGIN,
            ("select_one scale", "SK-01_imp", "Imp", "", "", "", "SK-01", "urgency"),
            END,
        ],
        CHOICES,
        SETTINGS,
        Problem(
            "dimension 'urgency' is not one of importance, capability, legal_power, resource",
            "survey",
            3,
            "dimension",
        ),
        id="bad dimension",
    ),
]


# Files that are not XLSForm workbooks at all, and what the author is told.
NOT_WORKBOOKS = [
    pytest.param(
        bytes(range(256)) * 8, "the file is not an Excel workbook (.xlsx)", id="random bytes"
    ),
    pytest.param(
        b"type,name,label\nbegin group,g,Group\n",
        "the file is not an Excel workbook (.xlsx)",
        id="a text file",
    ),
    pytest.param(
        make_zip({"word/document.xml": "<document/>"}),
        "the file is a zip archive but not an Excel workbook (.xlsx)",
        id="a zip that is not a workbook",
    ),
    pytest.param(
        make_zip({"xl/workbook.xml": "<not a workbook"}),
        "the workbook could not be read",
        id="a damaged workbook",
    ),
]
