"""Writes of a respondent's answers: open, save, submit, reopen."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from surveys.campaigns.services import invitation_set_status
from surveys.models import (
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
)
from surveys.questionnaires import rules
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond import selectors as response_selectors

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

log = logging.getLogger(__name__)


class ServiceError(Exception):
    pass


class ResponseLocked(ServiceError):
    pass


class MissingAnswers(ServiceError):
    def __init__(self, questions):
        count = len(questions)
        super().__init__(
            ngettext(
                "%(count)d required answer is missing",
                "%(count)d required answers are missing",
                count,
            )
            % {"count": count}
        )
        self.questions = questions


@dataclass
class Conflict:
    question: Question
    stored: str
    submitted: str


@dataclass
class SaveOutcome:
    version: int
    saved: int
    conflicts: list


def response_open(*, invitation: Invitation) -> Response:
    """The invitation's response, created on first visit; marks the link opened."""
    try:
        response = invitation.response
    except Response.DoesNotExist:
        response, created = Response.objects.get_or_create(invitation=invitation)
        if created:
            _prefill_from_agency(response, invitation)
    if invitation.status == Invitation.Status.SENT:
        invitation.status = Invitation.Status.OPENED
        invitation.opened_at = timezone.now()
        invitation.save(update_fields=["status", "opened_at"])
    return response


# Profile questions answered from the agency's record when a response starts
# (the respondent may change them): the kind of agency routes whole sections.
# A participant's role comes from their nomination.
PREFILLED = {
    "agency_kind": lambda invitation: invitation.agency.kind,
    "role": lambda invitation: invitation.participant.role if invitation.participant_id else "",
}


def _prefill_from_agency(response: Response, invitation: Invitation) -> None:
    questionnaire_id = invitation.campaign.questionnaire_id
    questions = Question.objects.filter(questionnaire_id=questionnaire_id, code__in=PREFILLED)
    for question in questions:
        value = PREFILLED[question.code](invitation)
        offered = Choice.objects.filter(
            questionnaire_id=questionnaire_id, list_name=question.list_name, name=value
        ).exists()
        if value and offered:
            answer = Answer(response=response, question=question, value=value)
            answer._change_reason = "pre-filled from the agency's record"
            answer.save()


def answer_number(question: Question, value: str) -> float | None:
    if question.type in (Question.Type.INTEGER, Question.Type.DECIMAL, Question.Type.SELECT_ONE):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


RESPONDENT = "respondent, through the invitation link"


_invitation_field = Response._meta.get_field("invitation")


@transaction.atomic
def response_save_answers(
    *,
    response: Response,
    questions: list[Question],
    values: dict[str, str],
    base_version: int,
    section_code: str = "",
    actor: AbstractBaseUser | None = None,
    reason: str = RESPONDENT,
    base_versions: dict[str, int] | None = None,
) -> SaveOutcome:
    """Save one page's answers (question code → text, "" to clear).

    Only values that differ from what is stored are written. A value that
    another tab or device changed after this page was rendered (its
    saved_version is newer than base_version) is not overwritten: it comes
    back as a Conflict for the person to decide, and everything else is saved.
    Every change is kept in the answer's history, with `actor` (a user, or
    None for the agency through its link) and `reason`. `base_versions`
    gives some answers a later base: those the page has autosaved since.
    """
    base_versions = base_versions or {}
    # The invitation as the request read it, if it did: once in progress, an
    # invitation never goes back to sent or opened.
    read = response.invitation if _invitation_field.is_cached(response) else None
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.is_submitted:
        raise ResponseLocked(_("This response has been submitted and can no longer be changed."))
    by_code = {question.code: question for question in questions}
    stored = {
        answer.question_id: answer
        for answer in Answer.objects.filter(response=response, question__in=questions)
    }
    new_version = response.version + 1
    now = timezone.now()
    conflicts, to_create, to_update, to_delete = [], [], [], []
    for code, value in values.items():
        question = by_code[code]
        answer = stored.get(question.pk)
        current = answer.value if answer else ""
        if value == current:
            continue
        if answer is not None and answer.saved_version > base_versions.get(code, base_version):
            conflicts.append(Conflict(question, current, value))
            continue
        if not value:
            to_delete.append(answer)
        elif answer is None:
            to_create.append(
                Answer(
                    response=response,
                    question=question,
                    value=value,
                    number=answer_number(question, value),
                    saved_version=new_version,
                    updated_at=now,
                )
            )
        else:
            answer.value = value
            answer.number = answer_number(question, value)
            answer.saved_version = new_version
            answer.updated_at = now
            to_update.append(answer)
    saved = len(to_create) + len(to_update) + len(to_delete)
    if saved:
        history = {"default_user": actor, "default_change_reason": reason}
        bulk_create_with_history(to_create, Answer, **history)
        _update_with_history(to_update, new_version, now, history)
        _delete_with_history(to_delete, actor, reason)
        response.version = new_version
    response.updated_at = now
    if section_code:
        response.last_section = section_code
    response.save(update_fields=["version", "updated_at", "last_section"])
    not_started = [Invitation.Status.SENT, Invitation.Status.OPENED]
    if saved and (read is None or read.status in not_started):
        invitation_set_status(
            response.invitation_id, Invitation.Status.IN_PROGRESS, only_from=not_started
        )
    return SaveOutcome(version=response.version, saved=saved, conflicts=conflicts)


# Above this many distinct values on a page (free text), one bulk_update.
_UPDATES_PER_PAGE = 8


def _update_with_history(answers, version, now, history):
    """Write changed answers, and their history, with one UPDATE per distinct
    value: a page of ratings holds five at most. Django's bulk_update builds
    a CASE over every row, which cost more than the rest of the save. Runs in
    the caller's transaction (response_save_answers)."""
    by_value = defaultdict(list)
    for answer in answers:
        by_value[answer.value, answer.number].append(answer.pk)
    if len(by_value) > _UPDATES_PER_PAGE:
        Answer.objects.bulk_update(answers, ["value", "number", "saved_version", "updated_at"])
    else:
        for (value, number), pks in by_value.items():
            Answer.objects.filter(pk__in=pks).update(
                value=value, number=number, saved_version=version, updated_at=now
            )
    get_history_manager_for_model(Answer).bulk_history_create(answers, update=True, **history)


def _delete_with_history(answers, actor, reason):
    # One by one so that each deletion is recorded; a page clears few answers.
    for answer in answers:
        answer._history_user = actor
        answer._change_reason = reason
        answer.delete()


def response_set_position(
    *, response: Response, section_code: str | None = None, language: str | None = None
) -> None:
    fields = []
    if section_code is not None and response.last_section != section_code:
        response.last_section = section_code
        fields.append("last_section")
    if language is not None and response.language != language:
        response.language = language
        fields.append("language")
    if fields:
        response.save(update_fields=fields)


@transaction.atomic
def response_submit(*, response: Response) -> Response:
    """Lock the response. Answers to questions that no longer apply (skip
    logic) are removed, as ODK does, so they are never counted."""
    response = (
        Response.objects.select_for_update()
        .select_related("invitation__campaign")
        .get(pk=response.pk)
    )
    if response.is_submitted:
        return response
    structure = questionnaire_selectors.questionnaire_structure(
        response.invitation.campaign.questionnaire
    )
    answers = response_selectors.response_answers(response)
    relevant = rules.relevance(structure, answers)
    missing = rules.missing_required(structure, answers, relevant)
    if missing:
        raise MissingAnswers(missing)
    irrelevant = [code for code, applies in relevant.items() if not applies and code in answers]
    if irrelevant:
        _delete_with_history(
            Answer.objects.filter(response=response, question__code__in=irrelevant),
            None,
            "skip logic: the question no longer applied when the response was submitted",
        )
    now = timezone.now()
    response.status = Response.Status.SUBMITTED
    response.submitted_at = now
    response.updated_at = now
    response.version += 1
    response.save(update_fields=["status", "submitted_at", "updated_at", "version"])
    invitation_set_status(response.invitation_id, Invitation.Status.SUBMITTED)
    log.info("response %s submitted", response.pk)
    return response


@transaction.atomic
def response_reopen(*, response: Response) -> Response:
    """A coordinator reopens a submitted response so the agency can change it."""
    response = Response.objects.select_for_update().get(pk=response.pk)
    if not response.is_submitted:
        return response
    response.status = Response.Status.DRAFT
    response.submitted_at = None
    response.updated_at = timezone.now()
    response.version += 1
    response.save(update_fields=["status", "submitted_at", "updated_at", "version"])
    invitation_set_status(response.invitation_id, Invitation.Status.IN_PROGRESS)
    return response
