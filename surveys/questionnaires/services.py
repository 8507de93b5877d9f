"""Storing and publishing questionnaire versions."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from surveys.models import (
    Choice,
    Question,
    Questionnaire,
    Section,
)

if TYPE_CHECKING:
    from surveys.questionnaires.xlsform import FormDefinition

log = logging.getLogger(__name__)


@transaction.atomic
def questionnaire_import(
    *, definition: FormDefinition, publish: bool = False
) -> tuple[Questionnaire, bool]:
    """Store a parsed XLSForm as a questionnaire version.

    Returns (questionnaire, created). The same content as the latest version
    changes nothing. A changed form replaces the latest version only while
    that is an unpublished draft; after publishing it becomes a new version,
    so existing answers always point at the questions that were asked.
    """
    latest = (
        Questionnaire.objects.select_for_update()
        .filter(code=definition.form_id)
        .order_by("-version")
        .first()
    )
    digest = definition.digest()
    if latest and latest.digest == digest:
        if publish and not latest.is_published:
            questionnaire_publish(questionnaire=latest)
        return latest, False
    if latest and not latest.is_published:
        version = latest.version
        latest.delete()
    else:
        version = latest.version + 1 if latest else 1

    questionnaire = Questionnaire.objects.create(
        code=definition.form_id,
        version=version,
        title=definition.title,
        form_version=definition.form_version,
        languages=definition.languages,
        draft_languages=definition.draft_languages,
        default_language=definition.default_language,
        digest=digest,
    )
    position = 0
    questions = []
    for section_position, section_def in enumerate(definition.sections):
        section = Section.objects.create(
            questionnaire=questionnaire,
            code=section_def.code,
            position=section_position,
            label=section_def.label,
            hint=section_def.hint,
            relevant=section_def.relevant,
            extra=section_def.extra,
        )
        for question_def in section_def.questions:
            questions.append(
                Question(
                    questionnaire=questionnaire,
                    section=section,
                    position=position,
                    code=question_def.code,
                    type=question_def.type,
                    list_name=question_def.list_name,
                    label=question_def.label,
                    hint=question_def.hint,
                    required=question_def.required,
                    constraint=question_def.constraint,
                    constraint_message=question_def.constraint_message,
                    relevant=question_def.relevant,
                    competency=question_def.competency,
                    dimension=question_def.dimension,
                    source=question_def.source,
                    extra=question_def.extra,
                )
            )
            position += 1
    Question.objects.bulk_create(questions)
    Choice.objects.bulk_create(
        Choice(
            questionnaire=questionnaire,
            list_name=choice.list_name,
            name=choice.name,
            position=choice_position,
            label=choice.label,
            extra=choice.extra,
        )
        for choice_position, choice in enumerate(definition.choices)
    )
    if publish:
        questionnaire_publish(questionnaire=questionnaire)
    log.info("imported questionnaire %s version %s", questionnaire.code, questionnaire.version)
    return questionnaire, True


def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    if not questionnaire.is_published:
        questionnaire.status = Questionnaire.Status.PUBLISHED
        questionnaire.published_at = timezone.now()
        questionnaire.save(update_fields=["status", "published_at"])
    return questionnaire
