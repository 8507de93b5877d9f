"""Reading valid XLSForms, and writing them back out without losing anything."""

import importlib.util
import io

import openpyxl
import openpyxl.xml

from common.spreadsheets import Problem
from surveys.questionnaires.xlsform import read_xlsform, write_xlsform
from tests.surveys.questionnaires.xlsforms import (
    BEGIN,
    END,
    FIXTURES,
    SURVEY_HEADER,
    TEXT,
    VALID_SURVEY,
    make_xlsform,
    problems_in,
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
