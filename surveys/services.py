"""Writes that span several models."""

import logging
import math
import secrets
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import selectors
from .models import (
    Answer,
    Campaign,
    Choice,
    Invitation,
    InvitationLink,
    Question,
    Questionnaire,
    Response,
    Section,
)

log = logging.getLogger(__name__)


class ServiceError(Exception):
    pass


# Questionnaires ------------------------------------------------------------


@transaction.atomic
def questionnaire_import(*, definition, publish=False):
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


def questionnaire_publish(*, questionnaire):
    if not questionnaire.is_published:
        questionnaire.status = Questionnaire.Status.PUBLISHED
        questionnaire.published_at = timezone.now()
        questionnaire.save(update_fields=["status", "published_at"])
    return questionnaire


# Campaigns and invitations --------------------------------------------------


def campaign_create(*, code, name, questionnaire, opens_on, closes_on):
    if not questionnaire.is_published:
        raise ServiceError(
            f"{questionnaire} is a draft: publish it before starting a campaign on it."
        )
    if closes_on < opens_on:
        raise ServiceError("The campaign cannot close before it opens.")
    return Campaign.objects.create(
        code=code,
        name=name,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
    )


def _new_link(invitation):
    """Add a link to the invitation and return its token, shown once: 256
    bits from the OS's CSPRNG, of which only the SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    InvitationLink.objects.create(invitation=invitation, token_hash=selectors.token_hash(token))
    return token


def invitation_create(*, campaign, agency):
    """Returns (invitation, token)."""
    invitation = Invitation.objects.create(campaign=campaign, agency=agency)
    return invitation, _new_link(invitation)


def _revoke_links(invitation, now):
    # Saved one by one so that each withdrawal is in the link's history.
    for link in invitation.links.filter(revoked_at__isnull=True):
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])


def _set_invitation_status(invitation_id, status, only_from=None):
    """Change the status through save(), so the audit trail records it."""
    invitations = Invitation.objects.filter(pk=invitation_id)
    if only_from:
        invitations = invitations.filter(status__in=only_from)
    invitation = invitations.first()
    if invitation is not None and invitation.status != status:
        invitation.status = status
        invitation.save(update_fields=["status"])


@transaction.atomic
def invitation_issue_token(*, invitation):
    """A new link for the invitation; every earlier link stops working."""
    now = timezone.now()
    _revoke_links(invitation, now)
    if invitation.revoked_at:
        invitation.revoked_at = None
        invitation.save(update_fields=["revoked_at"])
    return _new_link(invitation)


@transaction.atomic
def invitation_revoke(*, invitation):
    """Withdraw the invitation: none of its links work any more."""
    now = timezone.now()
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    _revoke_links(invitation, now)


@dataclass
class IssuedLink:
    invitation: Invitation
    token: str
    emailed: bool


def _email_link(invitation, link, *, reminder):
    agency = invitation.agency
    if not agency.contact_email:
        return False
    campaign = invitation.campaign
    subject = ("Reminder: " if reminder else "") + campaign.name
    body = (
        f"Dear colleagues at {agency.name},\n\n"
        f"{'This is a reminder that your' if reminder else 'Your'} agency is invited to answer "
        f'the training needs assessment "{campaign.name}" by '
        f"{campaign.closes_on:%d %B %Y}.\n\n"
        f"Open your agency's questionnaire with this personal link:\n{link}\n\n"
        "You can stop at any time and continue later with the same link; answers are saved "
        "on every page. Please do not forward the link outside your agency.\n"
    )
    send_mail(subject, body, None, [agency.contact_email])
    return True


@transaction.atomic
def campaign_invite(*, campaign, agencies, link_for):
    """Invite the agencies not yet invited; e-mail each link where the agency
    has an address. `link_for(token)` makes the absolute URL. Returns the
    new links (IssuedLink), which are shown once."""
    invited = set(campaign.invitations.values_list("agency_id", flat=True))
    issued = []
    for agency in agencies:
        if agency.pk in invited:
            continue
        invitation, token = invitation_create(campaign=campaign, agency=agency)
        issued.append(
            IssuedLink(invitation, token, _email_link(invitation, link_for(token), reminder=False))
        )
    log.info("campaign %s: invited %d agencies", campaign.code, len(issued))
    return issued


@transaction.atomic
def campaign_send_reminders(*, campaign, link_for, invitations=None):
    """A reminder with a fresh link to every invitation not yet submitted.
    Earlier links keep working: the reminder adds one."""
    pending = (
        (invitations if invitations is not None else campaign.invitations)
        .filter(revoked_at__isnull=True)
        .exclude(status=Invitation.Status.SUBMITTED)
        .select_related("agency", "campaign")
    )
    issued = []
    now = timezone.now()
    for invitation in pending:
        token = _new_link(invitation)
        emailed = _email_link(invitation, link_for(token), reminder=True)
        invitation.reminders_sent += 1
        invitation.last_reminded_at = now
        invitation.save(update_fields=["reminders_sent", "last_reminded_at"])
        issued.append(IssuedLink(invitation, token, emailed))
    log.info("campaign %s: reminded %d agencies", campaign.code, len(issued))
    return issued


def campaign_close(*, campaign):
    if campaign.closed_at is None:
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["closed_at"])
    return campaign


def campaign_reopen(*, campaign):
    if campaign.closed_at is not None:
        campaign.closed_at = None
        campaign.save(update_fields=["closed_at"])
    return campaign


# Responses -----------------------------------------------------------------


class ResponseLocked(ServiceError):
    pass


class MissingAnswers(ServiceError):
    def __init__(self, questions):
        super().__init__(f"{len(questions)} required answers are missing")
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


def response_open(*, invitation):
    """The invitation's response, created on first visit; marks the link opened."""
    try:
        response = invitation.response
    except Response.DoesNotExist:
        response, _ = Response.objects.get_or_create(invitation=invitation)
    if invitation.status == Invitation.Status.SENT:
        invitation.status = Invitation.Status.OPENED
        invitation.opened_at = timezone.now()
        invitation.save(update_fields=["status", "opened_at"])
    return response


def answer_number(question, value):
    if question.type in (Question.Type.INTEGER, Question.Type.DECIMAL, Question.Type.SELECT_ONE):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


RESPONDENT = "respondent, through the invitation link"


@transaction.atomic
def response_save_answers(
    *, response, questions, values, base_version, section_code="", actor=None, reason=RESPONDENT
):
    """Save one page's answers (question code → text, "" to clear).

    Only values that differ from what is stored are written. A value that
    another tab or device changed after this page was rendered (its
    saved_version is newer than base_version) is not overwritten: it comes
    back as a Conflict for the person to decide, and everything else is saved.
    Every change is kept in the answer's history, with `actor` (a user, or
    None for the agency through its link) and `reason`.
    """
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.is_submitted:
        raise ResponseLocked("This response has been submitted and can no longer be changed.")
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
        if answer is not None and answer.saved_version > base_version:
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
        bulk_update_with_history(
            to_update, Answer, ["value", "number", "saved_version", "updated_at"], **history
        )
        _delete_with_history(to_delete, actor, reason)
        response.version = new_version
    response.updated_at = now
    if section_code:
        response.last_section = section_code
    response.save(update_fields=["version", "updated_at", "last_section"])
    if saved:
        _set_invitation_status(
            response.invitation_id,
            Invitation.Status.IN_PROGRESS,
            only_from=[Invitation.Status.SENT, Invitation.Status.OPENED],
        )
    return SaveOutcome(version=response.version, saved=saved, conflicts=conflicts)


def _delete_with_history(answers, actor, reason):
    # One by one so that each deletion is recorded; a page clears few answers.
    for answer in answers:
        answer._history_user = actor
        answer._change_reason = reason
        answer.delete()


def response_set_position(*, response, section_code=None, language=None):
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
def response_submit(*, response):
    """Lock the response. Answers to questions that no longer apply (skip
    logic) are removed, as ODK does, so they are never counted."""
    response = (
        Response.objects.select_for_update()
        .select_related("invitation__campaign")
        .get(pk=response.pk)
    )
    if response.is_submitted:
        return response
    structure = selectors.questionnaire_structure(response.invitation.campaign.questionnaire)
    answers = selectors.response_answers(response)
    relevant = selectors.relevance(structure, answers)
    missing = selectors.missing_required(structure, answers, relevant)
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
    _set_invitation_status(response.invitation_id, Invitation.Status.SUBMITTED)
    log.info("response %s submitted", response.pk)
    return response


@transaction.atomic
def response_reopen(*, response):
    """A coordinator reopens a submitted response so the agency can change it."""
    response = Response.objects.select_for_update().get(pk=response.pk)
    if not response.is_submitted:
        return response
    response.status = Response.Status.DRAFT
    response.submitted_at = None
    response.updated_at = timezone.now()
    response.version += 1
    response.save(update_fields=["status", "submitted_at", "updated_at", "version"])
    _set_invitation_status(response.invitation_id, Invitation.Status.IN_PROGRESS)
    return response
