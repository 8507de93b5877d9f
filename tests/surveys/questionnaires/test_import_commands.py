"""The import_questionnaire and export_questionnaire commands, and the
versioning rules of questionnaire_services.questionnaire_import."""

import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import Choice, Question, Questionnaire, Section
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import read_xlsform
from tests.surveys.questionnaires.bad_forms import BAD_FORMS, NOT_WORKBOOKS
from tests.surveys.questionnaires.xlsforms import SURVEY_HEADER, make_xlsform

SHIPPED_FORM = Path(__file__).resolve().parents[3] / "fixtures" / "tna_questionnaire.xlsx"


def import_questionnaire(path, *options):
    stdout = io.StringIO()
    call_command("import_questionnaire", str(path), *options, stdout=stdout)
    return stdout.getvalue().strip()


def export_questionnaire(code, path, *options):
    stdout = io.StringIO()
    call_command("export_questionnaire", code, str(path), *options, stdout=stdout)
    return stdout.getvalue().strip()


def staff_form(label="How many staff work in the unit?"):
    """A one-question form; a different label makes different content."""
    survey = [
        SURVEY_HEADER,
        ("begin group", "staffing", "Staffing"),
        ("integer", "headcount", label, "yes", "", ". >= 0"),
        ("end group",),
    ]
    return make_xlsform(survey, settings_rows=[("form_id", "form_title"), ("staff", "Staffing")])


def staff_definition(label="How many staff work in the unit?"):
    return read_xlsform(staff_form(label))


def database_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Questionnaire, Section, Question, Choice)
    }


# Importing the shipped form ---------------------------------------------------


def test_it_imports_the_shipped_form(db):
    output = import_questionnaire(SHIPPED_FORM, "--publish")

    questionnaire = Questionnaire.objects.get()
    assert output == (
        "tna_questionnaire.xlsx: imported as tna v1 (published), "
        "11 sections, 277 questions, 54 choices"
    )
    assert questionnaire.version == 1
    assert questionnaire.is_published
    assert questionnaire.published_at is not None
    assert questionnaire.title == (
        "Training needs assessment: investigating technology-facilitated child abuse "
        "and exploitation"
    )
    assert questionnaire.form_version == "2026.2"


def test_the_shipped_form_has_its_sections_questions_and_choices(questionnaire):

    sections = questionnaire.sections.order_by("position").values_list("code", flat=True)
    assert list(sections) == [
        "profile",
        "forensics",
        "data_access",
        "undercover",
        "victims",
        "cooperation",
        "prosecution",
        "structures",
        "emerging",
        "prevention",
        "priorities",
    ]
    assert questionnaire.questions.count() == 277
    assert Counter(questionnaire.questions.values_list("type", flat=True)) == {
        "select_one": 216,
        "select_multiple": 20,
        "integer": 16,
        "text": 13,
        "note": 10,
        "date": 1,
        "decimal": 1,
    }
    assert questionnaire.choices.count() == 54
    assert Counter(questionnaire.choices.values_list("list_name", flat=True)) == {
        "area": 9,
        "training_language": 8,
        "role": 7,
        "scale5": 6,
        "agency_kind": 6,
        "remedy": 5,
        "legal": 4,
        "training_level": 3,
        "urgency": 3,
        "delivery": 3,
    }


def test_the_shipped_form_is_in_the_six_un_languages_all_but_english_drafts(questionnaire):
    assert questionnaire.languages == [
        "English (en)", "French (fr)", "Spanish (es)", "Arabic (ar)", "Russian (ru)",
        "Chinese (zh)",
    ]  # fmt: skip
    assert questionnaire.default_language == "English (en)"
    assert questionnaire.draft_languages == questionnaire.languages[1:]


def test_each_of_the_79_competencies_has_one_importance_and_one_capability_question(questionnaire):

    rated = questionnaire.questions.exclude(competency="")
    pairs = Counter(rated.values_list("competency", "dimension"))
    competencies = {competency for competency, _ in pairs}
    assert len(competencies) == 79
    assert set(pairs) == {
        (competency, dimension)
        for competency in competencies
        for dimension in ("importance", "capability")
    }
    assert set(pairs.values()) == {1}
    assert set(rated.values_list("type", "list_name")) == {("select_one", "scale5")}


def test_a_rating_question_keeps_its_competency_source_and_translations(questionnaire):

    question = questionnaire.questions.get(code="DF-01_imp")

    assert question.section.code == "forensics"
    assert question.competency == "DF-01"
    assert question.dimension == "importance"
    assert question.required is True
    assert question.source == (
        "E/CN.15/2014/7 paras 60, 61(c); UNODC Study 2014 ch. III (Digital forensics)"
    )
    assert question.label["English (en)"] == "Seizing and preserving digital devices at the scene"
    assert question.label["French (fr)"] == (
        "Saisir et préserver les appareils numériques sur les lieux"
    )
    assert set(question.label) == set(questionnaire.languages)
    assert all(question.label.values())
    assert question.hint["French (fr)"] == (
        "Quelle importance cela a-t-il pour le travail de votre organisme ?"
    )


def test_a_number_question_keeps_its_constraint_and_message(questionnaire):

    question = questionnaire.questions.get(code="DF-R04")

    assert question.type == "integer"
    assert question.dimension == "resource"
    assert question.competency == ""
    assert question.constraint == ". >= 0 and . <= 100000"
    assert question.constraint_message["English (en)"] == (
        "Enter a whole number between 0 and 100000."
    )
    assert question.constraint_message["Spanish (es)"] == (
        "Introduzca un número entero entre 0 y 100000."
    )
    assert question.hint["French (fr)"] == (
        "Indiquez 0 si le nombre est nul ; laissez vide si vous ne le savez pas."
    )
    assert set(question.hint) == set(question.constraint_message) == set(questionnaire.languages)
    assert question.source.startswith("E/CN.15/2014/7 para 50;")


def test_a_skip_rule_is_stored(questionnaire):

    question = questionnaire.questions.get(code="role_other")

    assert question.relevant == "${role} = 'other'"
    assert question.label["French (fr)"] == "Veuillez préciser votre fonction."


# Export and import round trip -----------------------------------------------


def test_the_stored_questionnaire_is_the_form_it_was_imported_from(
    questionnaire, shipped_definition
):
    definition = questionnaire_selectors.definition_from_questionnaire(questionnaire)

    assert definition == shipped_definition
    assert definition.digest() == questionnaire.digest == shipped_definition.digest()


def test_an_exported_questionnaire_reads_back_as_the_same_form(
    questionnaire, shipped_definition, tmp_path
):
    path = tmp_path / "tna.xlsx"

    output = export_questionnaire("tna", path)

    assert output == f"Wrote tna v1 to {path}"
    exported = read_xlsform(path.read_bytes())
    assert exported.digest() == shipped_definition.digest()
    assert exported.sections == shipped_definition.sections
    assert exported.questions == shipped_definition.questions
    assert exported.choices == shipped_definition.choices
    assert exported.languages == shipped_definition.languages


def test_importing_an_exported_questionnaire_changes_nothing(questionnaire, tmp_path):
    path = tmp_path / "tna.xlsx"
    export_questionnaire("tna", path)
    before = database_counts()

    output = import_questionnaire(path)

    assert output == (
        "tna.xlsx: unchanged: tna v1 (published), 11 sections, 277 questions, 54 choices"
    )
    assert database_counts() == before
    assert list(Questionnaire.objects.values_list("code", "version")) == [("tna", 1)]


def test_it_exports_an_earlier_version_by_number(db, tmp_path):
    questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording"), publish=True
    )
    questionnaire_services.questionnaire_import(definition=staff_definition("New wording"))
    path = tmp_path / "staff.xlsx"

    output = export_questionnaire("staff", path, "--number", "1")

    assert output == f"Wrote staff v1 to {path}"
    assert read_xlsform(path.read_bytes()).questions[0].label == {"default": "Old wording"}


def test_it_exports_the_latest_version_by_default(db, tmp_path):
    questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording"), publish=True
    )
    questionnaire_services.questionnaire_import(definition=staff_definition("New wording"))
    path = tmp_path / "staff.xlsx"

    export_questionnaire("staff", path)

    assert read_xlsform(path.read_bytes()).questions[0].label == {"default": "New wording"}


def test_it_refuses_to_export_an_unknown_questionnaire(db, tmp_path):
    questionnaire_services.questionnaire_import(definition=staff_definition())
    path = tmp_path / "nope.xlsx"

    with pytest.raises(CommandError) as caught:
        export_questionnaire("nope", path)

    assert str(caught.value) == "No questionnaire 'nope'. Known: staff"
    assert not path.exists()


def test_it_refuses_to_export_a_version_that_does_not_exist(db, tmp_path):
    questionnaire_services.questionnaire_import(definition=staff_definition())
    path = tmp_path / "staff.xlsx"

    with pytest.raises(CommandError, match="Questionnaire 'staff' has no version 7 \\(it has 1\\)"):
        export_questionnaire("staff", path, "--number", "7")

    assert not path.exists()


# Refused imports ---------------------------------------------------------------


@pytest.fixture
def existing(db):
    """A questionnaire already in the database, which a refused import must not touch."""
    questionnaire, _ = questionnaire_services.questionnaire_import(
        definition=staff_definition(), publish=True
    )
    return questionnaire


# A file always has a name, and a form without a form_id takes it from there.
BAD_FILES = [form for form in BAD_FORMS if form.id not in ("no settings sheet", "no form_id")]


@pytest.mark.parametrize("survey, choices, settings, expected", BAD_FILES)
def test_a_bad_form_is_refused_and_changes_nothing(
    existing, tmp_path, survey, choices, settings, expected
):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(make_xlsform(survey, choices, settings))
    before = database_counts()

    with pytest.raises(CommandError) as caught:
        import_questionnaire(path)

    message = str(caught.value)
    assert message.startswith(f"{path} is not a valid XLSForm; nothing was imported.\n")
    assert f"\n  {expected}" in message
    assert database_counts() == before


@pytest.mark.parametrize("data, problem", NOT_WORKBOOKS)
def test_a_file_that_is_not_a_workbook_is_refused_and_changes_nothing(
    existing, tmp_path, data, problem
):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    before = database_counts()

    with pytest.raises(CommandError) as caught:
        import_questionnaire(path)

    assert str(caught.value).startswith(
        f"{path} is not a valid XLSForm; nothing was imported.\n  {problem}"
    )
    assert database_counts() == before


def test_a_file_that_cannot_be_read_is_refused(db, tmp_path):
    path = tmp_path / "missing.xlsx"

    with pytest.raises(CommandError) as caught:
        import_questionnaire(path)

    assert str(caught.value) == f"Cannot read {path}: No such file or directory"
    assert Questionnaire.objects.count() == 0


def test_the_command_imports_a_draft_unless_asked_to_publish(db, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(staff_form())

    output = import_questionnaire(path)

    assert output == "staff.xlsx: imported as staff v1 (draft), 1 sections, 1 questions, 4 choices"
    assert Questionnaire.objects.get().status == Questionnaire.Status.DRAFT


def test_the_command_publishes_an_unchanged_draft_when_asked(db, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(staff_form())
    import_questionnaire(path)

    output = import_questionnaire(path, "--publish")

    assert output.startswith("staff.xlsx: unchanged: staff v1 (published)")
    assert Questionnaire.objects.get().is_published


# Versioning rules ----------------------------------------------------------------


def test_importing_the_same_content_creates_no_new_version(db):
    first, created_first = questionnaire_services.questionnaire_import(
        definition=staff_definition()
    )

    again, created_again = questionnaire_services.questionnaire_import(
        definition=staff_definition()
    )

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Questionnaire.objects.count() == 1
    assert Question.objects.count() == 1


def test_a_changed_form_replaces_the_draft_and_keeps_its_version_number(db):
    draft, _ = questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording")
    )

    replaced, created = questionnaire_services.questionnaire_import(
        definition=staff_definition("New wording")
    )

    assert created is True
    assert replaced.version == 1
    assert replaced.status == Questionnaire.Status.DRAFT
    assert not Questionnaire.objects.filter(pk=draft.pk).exists()
    assert list(Question.objects.values_list("questionnaire__version", "label")) == [
        (1, {"default": "New wording"})
    ]


def test_a_changed_form_after_publishing_becomes_a_new_draft_version(db):
    published, _ = questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording"), publish=True
    )

    new, created = questionnaire_services.questionnaire_import(
        definition=staff_definition("New wording")
    )

    assert created is True
    assert new.version == 2
    assert new.status == Questionnaire.Status.DRAFT
    assert new.digest != published.digest
    published.refresh_from_db()
    assert published.is_published


def test_a_published_versions_questions_are_unchanged_by_a_changed_form(db):
    published, _ = questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording"), publish=True
    )
    question = published.questions.get()

    questionnaire_services.questionnaire_import(definition=staff_definition("New wording"))
    questionnaire_services.questionnaire_import(definition=staff_definition("Newer wording"))

    assert list(published.questions.all()) == [question]
    question.refresh_from_db()
    assert question.label == {"default": "Old wording"}
    assert list(Questionnaire.objects.order_by("version").values_list("version", "status")) == [
        (1, "published"),
        (2, "draft"),
    ]
    assert Question.objects.get(questionnaire__version=2).label == {"default": "Newer wording"}


def test_publishing_on_import_publishes_the_new_version(db):
    questionnaire, created = questionnaire_services.questionnaire_import(
        definition=staff_definition(), publish=True
    )

    questionnaire.refresh_from_db()
    assert created is True
    assert questionnaire.is_published
    assert questionnaire.published_at is not None


def test_a_changed_form_published_on_import_becomes_the_next_published_version(db):
    questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording"), publish=True
    )

    new, _ = questionnaire_services.questionnaire_import(
        definition=staff_definition("New wording"), publish=True
    )

    assert (new.version, new.is_published) == (2, True)
    assert Questionnaire.objects.filter(status="published").count() == 2


def test_the_same_content_as_an_earlier_version_is_still_a_new_version(db):
    questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording"), publish=True
    )
    questionnaire_services.questionnaire_import(
        definition=staff_definition("New wording"), publish=True
    )

    again, created = questionnaire_services.questionnaire_import(
        definition=staff_definition("Old wording")
    )

    assert (again.version, created) == (3, True)
