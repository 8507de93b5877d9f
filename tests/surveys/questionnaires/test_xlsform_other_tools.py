"""XLSForms as other tools write them, which pyxform converts: no settings
sheet (the form id comes from the file name) and the older single-colon
language columns (label:english)."""

import io

import pytest
from django.core.management import call_command

from surveys.models import Questionnaire
from surveys.questionnaires.xlsform import read_xlsform
from tests.surveys.questionnaires.xlsforms import CHOICES, VALID_SURVEY, make_xlsform, problems_in

SINGLE_COLON_SURVEY = [
    ("type", "name", "label:english", "label:french", "hint:english", "hint:french"),
    ("begin group", "skills", "Skills", "Compétences", "", ""),
    ("select_one scale", "SK-01_imp", "Importance", "Importance", "1 to 2", "1 à 2"),
    ("integer", "staff", "How many staff?", "Combien d'agents ?", "", ""),
    ("end group", "", "", "", "", ""),
]
SINGLE_COLON_CHOICES = [
    ("list_name", "name", "label:english", "label:french"),
    ("scale", "1", "Low", "Faible"),
    ("scale", "2", "High", "Élevé"),
]


def test_a_form_without_settings_takes_its_id_from_the_file_name():
    definition = read_xlsform(make_xlsform(VALID_SURVEY, CHOICES, None), "cyber unit form.xlsx")

    assert definition.form_id == "cyber_unit_form"
    assert definition.title == "cyber_unit_form"


def test_without_settings_or_a_file_name_the_missing_form_id_is_named():
    problems = problems_in(make_xlsform(VALID_SURVEY, CHOICES, None))

    assert [str(problem) for problem in problems] == [
        "sheet 'settings', column 'form_id': form_id is missing"
    ]


def test_single_colon_language_columns_are_languages():
    definition = read_xlsform(
        make_xlsform(SINGLE_COLON_SURVEY, SINGLE_COLON_CHOICES, None), "older.xlsx"
    )

    assert definition.languages == ["english", "french"]
    staff = next(q for q in definition.questions if q.code == "staff")
    assert staff.label == {"english": "How many staff?", "french": "Combien d'agents ?"}
    rating = next(q for q in definition.questions if q.code == "SK-01_imp")
    assert rating.hint == {"english": "1 to 2", "french": "1 à 2"}
    assert {c.name: c.label["french"] for c in definition.choices} == {"1": "Faible", "2": "Élevé"}


@pytest.mark.django_db
def test_the_import_command_names_a_form_without_settings_after_its_file(tmp_path):
    path = tmp_path / "kobo-export.xlsx"
    path.write_bytes(make_xlsform(SINGLE_COLON_SURVEY, SINGLE_COLON_CHOICES, None))

    call_command("import_questionnaire", str(path), stdout=io.StringIO())

    questionnaire = Questionnaire.objects.get(code="kobo-export")
    assert questionnaire.languages == ["english", "french"]
