"""A course's pre-training assessment (report E/CN.15/2014/7 para 59: very
specific pre-training needs assessments): a short XLSForm on the course's
competencies, the same importance / capability pair as the needs
questionnaire, plus the tools and systems the participant uses, prior
training and certifications, and the equipment at the home unit. It goes
through the same importer, so it is edited like any other questionnaire."""

from common.languages import xlsform_code
from surveys.courses.pretraining_texts import TEXTS
from surveys.models import Choice, Question
from surveys.questionnaires.xlsform.definition import (
    ChoiceDef,
    FormDefinition,
    QuestionDef,
    SectionDef,
)
from surveys.questionnaires.xlsform.write import write_xlsform

SOURCE = "E/CN.15/2014/7 para 59 (pre-training assessments)"


def _text(key, languages, **values):
    """{language: text} for each language of the form that TEXTS has; the
    first language's English otherwise."""
    texts = TEXTS[key]
    found = {
        language: texts[code].format(**values)
        for language in languages
        if (code := xlsform_code(language).split("-")[0]) in texts
    }
    return found or {languages[0]: texts["en"].format(**values)}


def pretraining_definition(course, questionnaire):
    """The FormDefinition of `course`'s pre-training assessment, with the
    competency statements (every language) of `questionnaire`."""
    languages = list(questionnaire.languages)
    rated = {
        (q.competency, q.dimension): q
        for q in Question.objects.filter(
            questionnaire=questionnaire, competency__in=course.competencies
        )
    }
    scale_list = next((q.list_name for q in rated.values()), "scale5")
    choices = [
        ChoiceDef(choice.list_name, choice.name, dict(choice.label))
        for choice in Choice.objects.filter(
            questionnaire=questionnaire, list_name__in=[scale_list, "role"]
        ).order_by("list_name", "position")
    ]
    choices += [ChoiceDef("yesno", name, _text(name, languages)) for name in ("yes", "no")]
    participant = SectionDef("participant", _text("participant", languages))
    participant.questions = [
        QuestionDef("role", "select_one", _text("role", languages), list_name="role",
                    required=True, source=SOURCE),
        QuestionDef("tools", "text", _text("tools", languages), source=SOURCE),
        QuestionDef("prior_training", "select_one", _text("prior_training", languages),
                    list_name="yesno", required=True, source=SOURCE),
        QuestionDef("prior_training_detail", "text", _text("prior_training_detail", languages),
                    relevant="${prior_training} = 'yes'", source=SOURCE),
        QuestionDef("certifications", "text", _text("certifications", languages), source=SOURCE),
        QuestionDef("equipment", "text", _text("equipment", languages), source=SOURCE),
    ]  # fmt: skip
    competencies = SectionDef("competencies", _text("competencies", languages))
    for code in course.competencies:
        for dimension, suffix in (("importance", "imp"), ("capability", "cap")):
            question = rated.get((code, dimension))
            if question is None:
                continue
            competencies.questions.append(
                QuestionDef(
                    f"{code}_{suffix}",
                    "select_one",
                    dict(question.label),
                    list_name=question.list_name,
                    hint=dict(question.hint),
                    required=True,
                    competency=code,
                    dimension=dimension,
                    source=question.source,
                )  # fmt: skip
            )
    sections = [participant, competencies]
    prerequisites = _prerequisites_section(course, languages)
    if prerequisites.questions:
        sections.insert(1, prerequisites)
    return FormDefinition(
        form_id=pretraining_form_id(course),
        title=f"Pre-training assessment: {course.code} {course.title}",
        form_version="1",
        default_language=questionnaire.default_language,
        languages=languages,
        sections=sections,
        choices=choices,
        draft_languages=[language for language in languages if xlsform_code(language) != "en"],
    )


def pretraining_form_id(course):
    return f"pre_{course.code.lower().replace('-', '_')}"


def prerequisite_code(prerequisite):
    """The question asking whether the participant completed `prerequisite`."""
    return f"prereq_{prerequisite.code}"


def _prerequisites_section(course, languages):
    """One yes/no question per prerequisite course: the class profile shows
    who lacks which."""
    section = SectionDef("prerequisites", _text("prerequisites", languages))
    for prerequisite in course.prerequisites.order_by("code"):
        name = f"{prerequisite.code} {prerequisite.title}"
        section.questions.append(
            QuestionDef(prerequisite_code(prerequisite), "select_one",
                        _text("prerequisite", languages, course=name), list_name="yesno",
                        required=True, source=SOURCE)
        )  # fmt: skip
    return section


def pretraining_form(course, questionnaire):
    """The pre-training assessment of `course` as XLSForm workbook bytes."""
    return write_xlsform(pretraining_definition(course, questionnaire))
