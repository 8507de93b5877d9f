"""A questionnaire's structure (sections, questions, choice lists), read once."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from surveys.models import Choice, Question, Questionnaire, Section
from surveys.questionnaires.xlsform import (
    ChoiceDef,
    FormDefinition,
    QuestionDef,
    SectionDef,
)


@dataclass
class Structure:
    """A questionnaire's sections, questions and choice lists, loaded once."""

    questionnaire: Questionnaire
    sections: list
    questions_by_section: dict
    choices: dict = field(default_factory=dict)

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in self.questions_by_section[s.pk]]

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)


def questionnaire_structure(questionnaire: Questionnaire) -> Structure:
    """Three queries whatever the size of the questionnaire, and none for a
    published version seen before: a published version never changes, so
    its structure is kept in memory, keyed by what identifies that version
    (id, content digest and publication time). Callers only read it."""
    if not questionnaire.is_published:
        return _load_structure(questionnaire)
    return _published_structure(questionnaire, questionnaire.digest, questionnaire.published_at)


# A model instance hashes and compares by its primary key; the digest and the
# publication time tell a re-imported version with a reused id apart.
@functools.lru_cache(maxsize=16)
def _published_structure(questionnaire, digest, published_at):
    return _load_structure(questionnaire)


def _load_structure(questionnaire):
    sections = list(Section.objects.filter(questionnaire=questionnaire).order_by("position"))
    by_section = {section.pk: [] for section in sections}
    for question in Question.objects.filter(questionnaire=questionnaire).order_by("position"):
        by_section[question.section_id].append(question)
    choices = {}
    for choice in Choice.objects.filter(questionnaire=questionnaire).order_by("position"):
        choices.setdefault(choice.list_name, []).append(choice)
    return Structure(questionnaire, sections, by_section, choices)


def definition_from_questionnaire(questionnaire: Questionnaire) -> FormDefinition:
    """The questionnaire as the FormDefinition it was imported from."""
    structure = questionnaire_structure(questionnaire)
    sections = [
        SectionDef(
            code=section.code,
            label=section.label,
            hint=section.hint,
            relevant=section.relevant,
            extra=section.extra,
            questions=[
                QuestionDef(
                    code=q.code,
                    type=q.type,
                    label=q.label,
                    list_name=q.list_name,
                    hint=q.hint,
                    required=q.required,
                    constraint=q.constraint,
                    constraint_message=q.constraint_message,
                    relevant=q.relevant,
                    competency=q.competency,
                    dimension=q.dimension,
                    source=q.source,
                    extra=q.extra,
                )
                for q in structure.questions_by_section[section.pk]
            ],
        )
        for section in structure.sections
    ]
    choices = [
        ChoiceDef(c.list_name, c.name, c.label, c.extra)
        for c in Choice.objects.filter(questionnaire=questionnaire).order_by("position")
    ]
    return FormDefinition(
        form_id=questionnaire.code,
        title=questionnaire.title,
        form_version=questionnaire.form_version,
        default_language=questionnaire.default_language,
        languages=list(questionnaire.languages),
        draft_languages=list(questionnaire.draft_languages),
        sections=sections,
        choices=choices,
    )
