"""A course's pre-training assessment, written as an XLSForm and read back
through the same importer as any questionnaire."""

import io

import pytest
from django.core.management import CommandError, call_command

from surveys.courses.pretraining import pretraining_form
from surveys.models import Course, Questionnaire
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import read_xlsform

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(questionnaire):
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())


def test_the_form_rates_the_courses_competencies_and_asks_about_the_participant(
    questionnaire, catalogue
):
    course = Course.objects.get(code="VID-203")

    definition = read_xlsform(pretraining_form(course, questionnaire))
    imported, _ = questionnaire_services.questionnaire_import(definition=definition)

    assert imported.code == "pre_vid_203"
    assert (
        imported.title
        == "Pre-training assessment: VID-203 Image analysis and victim identification"
    )
    rated = imported.questions.exclude(competency="")
    assert sorted(set(rated.values_list("competency", flat=True))) == sorted(course.competencies)
    assert rated.count() == 2 * len(course.competencies)
    statement = questionnaire.questions.get(code="DF-06_imp").label
    assert imported.questions.get(code="DF-06_imp").label == statement  # both languages
    codes = set(imported.questions.values_list("code", flat=True))
    assert {"role", "tools", "prior_training", "certifications", "equipment"} <= codes
    assert imported.languages == questionnaire.languages
    assert "na" in set(imported.choices.filter(list_name="scale5").values_list("name", flat=True))
    # Its own questions in every language of the needs questionnaire, drafts but English.
    tools = imported.questions.get(code="tools").label
    assert set(tools) == set(questionnaire.languages)
    assert tools["Spanish (es)"].startswith("¿Qué herramientas")
    assert tools["Chinese (zh)"].startswith("您在这项工作中")
    assert imported.draft_languages == questionnaire.languages[1:]


def test_pretraining_form_writes_a_file_import_questionnaire_takes(tmp_path, catalogue):
    output = tmp_path / "for-201.xlsx"

    call_command("pretraining_form", "--course", "FOR-201", "--output", str(output),
                 stdout=io.StringIO())  # fmt: skip
    call_command("import_questionnaire", str(output), stdout=io.StringIO())

    assert Questionnaire.objects.filter(code="pre_for_201").exists()


def test_an_unknown_course_is_named(tmp_path, catalogue):
    with pytest.raises(CommandError, match="No course 'NOPE'"):
        call_command("pretraining_form", "--course", "NOPE", "--output",
                     str(tmp_path / "x.xlsx"), stdout=io.StringIO())  # fmt: skip
