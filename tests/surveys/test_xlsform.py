"""surveys/xlsform.py and surveys/workbooks.py: XLSForm workbooks in and out."""

import importlib.util
import io
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest

from common import spreadsheets
from common.spreadsheets import Problem, UnsafeWorkbook, open_workbook
from surveys.questionnaires.xlsform import XLSFormError, read_xlsform, write_xlsform

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

SURVEY_HEADER = (
    "type",
    "name",
    "label",
    "required",
    "relevant",
    "constraint",
    "competency",
    "dimension",
)
CHOICES = [
    ("list_name", "name", "label"),
    ("scale", "1", "Low"),
    ("scale", "2", "High"),
    ("scale4", "1", "Low"),
    ("scale4", "2", "High"),
]
SETTINGS = [("form_id", "form_title"), ("demo", "Demo form")]


def make_xlsform(survey_rows, choices_rows=CHOICES, settings_rows=SETTINGS):
    """Workbook bytes with the sheets given (None leaves a sheet out).

    Every value is a text cell, as an author types it: "=1+1" stays text.
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (
        ("survey", survey_rows),
        ("choices", choices_rows),
        ("settings", settings_rows),
    ):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                if value:
                    cell = sheet.cell(row_number, column_number, value)
                    cell.data_type = "s"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def make_zip(members):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


def replace_member(data, name, content):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {member: archive.read(member) for member in archive.namelist()}
    members[name] = content
    return make_zip(members)


def problems_in(data):
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)
    return caught.value.problems


def rated_pair(competency, importance_list="scale", capability_list="scale"):
    return [
        (f"select_one {importance_list}", f"{competency}_imp", "Imp", "", "", "", competency,
         "importance"),
        (f"select_one {capability_list}", f"{competency}_cap", "Cap", "", "", "", competency,
         "capability"),
    ]  # fmt: skip


VALID_SURVEY = [
    SURVEY_HEADER,
    ("begin group", "skills", "Skills"),
    *rated_pair("SK-01"),
    ("integer", "staff", "How many staff?", "", "", ". >= 0"),
    ("text", "staff_note", "Why none?", "", "${staff} = 0"),
    ("end group",),
]
BEGIN = ("begin group", "g", "Group")
END = ("end group",)
TEXT = ("text", "a", "A question")


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


@pytest.mark.parametrize("survey, choices, settings, expected", BAD_FORMS)
def test_it_says_where_a_bad_form_is_wrong(survey, choices, settings, expected):
    data = make_xlsform(survey, choices, settings)

    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)

    assert caught.value.problems[0] == expected
    assert str(caught.value).splitlines()[0] == str(expected)


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


def test_it_reads_a_small_valid_form():
    definition = read_xlsform(make_xlsform(VALID_SURVEY))

    assert definition.form_id == "demo"
    assert definition.title == "Demo form"
    assert definition.languages == ["default"]
    assert [section.code for section in definition.sections] == ["skills"]
    assert [(q.code, q.type, q.list_name) for q in definition.questions] == [
        ("SK-01_imp", "select_one", "scale"),
        ("SK-01_cap", "select_one", "scale"),
        ("staff", "integer", ""),
        ("staff_note", "text", ""),
    ]
    assert definition.questions[2].constraint == ". >= 0"
    assert definition.questions[3].relevant == "${staff} = 0"
    assert [(c.list_name, c.name) for c in definition.choices] == [
        ("scale", "1"),
        ("scale", "2"),
        ("scale4", "1"),
        ("scale4", "2"),
    ]


def test_it_reads_yes_and_no_in_the_required_column():
    values = ["yes", "TRUE", "true()", "1", "no", "", "false()"]
    questions = [("text", f"q{number}", "Q", value) for number, value in enumerate(values)]
    survey = [SURVEY_HEADER, BEGIN, *questions, END]

    definition = read_xlsform(make_xlsform(survey))

    assert [q.required for q in definition.questions] == [True] * 4 + [False] * 3


def test_the_shipped_form_is_built_from_its_csv_sources(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_questionnaire", FIXTURES / "build_questionnaire.py"
    )
    build_questionnaire = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_questionnaire)

    built = build_questionnaire.build(tmp_path / "tna_questionnaire.xlsx")

    def cell_values(path):
        workbook = openpyxl.load_workbook(path)
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }

    committed = cell_values(FIXTURES / "tna_questionnaire.xlsx")
    assert list(committed) == ["survey", "choices", "settings"]
    assert cell_values(built) == committed, (
        "fixtures/tna_questionnaire.xlsx is out of date: run python fixtures/build_questionnaire.py"
    )


def test_the_shipped_form_reads_back_equal_after_writing(shipped_definition):
    read_back = read_xlsform(write_xlsform(shipped_definition))

    assert read_back == shipped_definition
    assert read_back.digest() == shipped_definition.digest()


HAND_MADE_SURVEY = [
    ("type", "name", "label", "hint", "appearance", "x_reviewer_note"),
    ("begin group", "tools", "Tools", "", "field-list", "check with HQ"),
    ("select_multiple tools", "tools_used", "Which tools do you use?", "Tick all", "minimal",
     "from the 2014 study"),
    ("text", "formula_like", "=SUM(A1:A2) is what we type", "", "", ""),
    ("end group",),
]  # fmt: skip
HAND_MADE_CHOICES = [
    ("list_name", "name", "label", "x_vendor"),
    ("tools", "forensic_suite", "Forensic suite", "various"),
    ("tools", "osint", "=Open-source intelligence", ""),
]


def test_a_hand_made_form_survives_a_round_trip():
    definition = read_xlsform(make_xlsform(HAND_MADE_SURVEY, HAND_MADE_CHOICES))

    assert read_xlsform(write_xlsform(definition)) == definition


def test_a_plain_label_column_is_the_default_language():
    definition = read_xlsform(make_xlsform(HAND_MADE_SURVEY, HAND_MADE_CHOICES))

    assert definition.languages == ["default"]
    assert definition.default_language == "default"
    assert definition.questions[0].label == {"default": "Which tools do you use?"}
    assert definition.questions[0].hint == {"default": "Tick all"}

    survey = openpyxl.load_workbook(io.BytesIO(write_xlsform(definition)))["survey"]
    headers = [cell.value for cell in survey[1]]
    assert headers[:4] == ["type", "name", "label", "hint"]


def test_unknown_columns_are_kept_and_written_back():
    definition = read_xlsform(make_xlsform(HAND_MADE_SURVEY, HAND_MADE_CHOICES))

    section, question = definition.sections[0], definition.questions[0]
    assert section.extra == {"appearance": "field-list", "x_reviewer_note": "check with HQ"}
    assert question.type == "select_multiple"
    assert question.extra == {"appearance": "minimal", "x_reviewer_note": "from the 2014 study"}
    assert definition.choices[0].extra == {"x_vendor": "various"}

    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsform(definition)))
    survey_rows = list(workbook["survey"].iter_rows(values_only=True))
    choice_rows = list(workbook["choices"].iter_rows(values_only=True))
    column = survey_rows[0].index("x_reviewer_note")
    assert [row[column] for row in survey_rows[1:3]] == ["check with HQ", "from the 2014 study"]
    assert choice_rows[1][choice_rows[0].index("x_vendor")] == "various"


def test_a_label_starting_with_equals_is_written_as_text_not_a_formula():
    definition = read_xlsform(make_xlsform(HAND_MADE_SURVEY, HAND_MADE_CHOICES))
    assert definition.questions[1].label == {"default": "=SUM(A1:A2) is what we type"}

    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsform(definition)))
    survey, choices = workbook["survey"], workbook["choices"]
    label_column = [cell.value for cell in survey[1]].index("label") + 1
    label = survey.cell(row=4, column=label_column)
    choice_label = choices.cell(row=3, column=3)
    assert (label.value, label.data_type) == ("=SUM(A1:A2) is what we type", "s")
    assert (choice_label.value, choice_label.data_type) == ("=Open-source intelligence", "s")


def test_a_group_column_that_questions_also_use_is_written_once():
    survey = [
        ("type", "name", "label", "source"),
        ("begin group", "g", "Group", "UNODC Study 2014"),
        ("text", "a", "A", "E/CN.15/2014/7"),
        ("end group",),
    ]
    definition = read_xlsform(make_xlsform(survey))
    assert definition.sections[0].extra == {"source": "UNODC Study 2014"}

    written = write_xlsform(definition)

    headers = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(written))["survey"][1]]
    assert headers.count("source") == 1
    assert read_xlsform(written) == definition


def test_translated_labels_hints_and_messages_survive_a_round_trip():
    survey = [
        ("type", "name", "label::English (en)", "label::French (fr)", "hint::French (fr)",
         "constraint", "constraint_message::English (en)"),
        ("begin group", "g", "Group", "Groupe", "Sur votre unité"),
        ("integer", "staff", "Staff?", "Personnel ?", "Nombre", ". >= 0", "Zero or more"),
        ("end group",),
    ]  # fmt: skip
    settings = [("form_id", "default_language"), ("demo", "English (en)")]
    definition = read_xlsform(make_xlsform(survey, settings_rows=settings))

    assert definition.languages == ["English (en)", "French (fr)"]
    assert definition.questions[0].hint == {"French (fr)": "Nombre"}
    assert definition.questions[0].constraint_message == {"English (en)": "Zero or more"}
    assert definition.sections[0].hint == {"French (fr)": "Sur votre unité"}
    assert read_xlsform(write_xlsform(definition)) == definition


def test_a_default_language_without_label_column_is_refused():
    survey = [("type", "name", "label::French (fr)"), BEGIN, TEXT, END]
    settings = [("form_id", "default_language"), ("demo", "English (en)")]

    problems = problems_in(make_xlsform(survey, None, settings))

    assert problems == [
        Problem(
            "default_language 'English (en)' has no label column (columns found for: French (fr))",
            "settings",
            column="default_language",
        )
    ]


# Hostile files ---------------------------------------------------------------


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


def add_zeros(data, megabytes):
    """The workbook with an extra member of zeros, written without holding it in memory."""
    output = io.BytesIO(data)
    with zipfile.ZipFile(output, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return output.getvalue()


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


ENTITY_SHEETS = [
    pytest.param(
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
        b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
        b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
        b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
        b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
        b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>",
        id="billion laughs",
    ),
    pytest.param(
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row>'
        b"</sheetData></worksheet>",
        id="external entity",
    ),
]


@pytest.mark.parametrize("sheet_xml", ENTITY_SHEETS)
def test_it_refuses_xml_entities_in_a_sheet(sheet_xml):
    data = replace_member(make_xlsform(VALID_SURVEY), "xl/worksheets/sheet1.xml", sheet_xml)

    with pytest.raises(UnsafeWorkbook):
        open_workbook(data)
    problems = problems_in(data)

    assert len(problems) == 1
    assert problems[0].message.startswith("the workbook could not be read")
