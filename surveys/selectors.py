"""Reads that span relations: questionnaire structure, answers, relevance."""

import hashlib
import hmac
import re
import threading
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from . import expressions
from .models import Answer, Choice, Invitation, InvitationLink, Question, Questionnaire, Section
from .xlsform import ChoiceDef, FormDefinition, QuestionDef, SectionDef

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{20,100}$")


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class LinkProblem(Exception):
    """Why an invitation link cannot be used. Says nothing about the agency."""

    MESSAGES = {
        "unknown": (
            404,
            "This link is not valid",
            "Check that you copied the whole link from your invitation, or ask the "
            "coordinator of the assessment for a new one.",
        ),
        "revoked": (
            410,
            "This link has been withdrawn",
            "The coordinator has replaced or withdrawn this invitation. If you received "
            "a newer link, use that one; otherwise contact the coordinator.",
        ),
        "closed": (
            410,
            "This assessment round is closed",
            "Answers can no longer be given through this link. Contact the coordinator "
            "if you still need to respond.",
        ),
        "not_open": (
            403,
            "This assessment round has not opened yet",
            "The link will work from the opening date given in your invitation.",
        ),
    }

    def __init__(self, kind, date=None):
        super().__init__(kind)
        self.kind = kind
        self.date = date
        self.status, self.title, self.advice = self.MESSAGES[kind]


def invitation_for_token(token, today=None):
    """The invitation a link's token opens, or LinkProblem saying why not."""
    if not token or not _TOKEN_SHAPE.match(token):
        raise LinkProblem("unknown")
    digest = token_hash(token)
    link = (
        InvitationLink.objects.select_related(
            "invitation__campaign__questionnaire",
            "invitation__agency__country__region",
            "invitation__response",
        )
        .filter(token_hash=digest)
        .first()
    )
    # The lookup is by hash; comparing again in constant time costs nothing.
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise LinkProblem("unknown")
    invitation = link.invitation
    if link.revoked_at or invitation.revoked_at:
        raise LinkProblem("revoked")
    campaign = invitation.campaign
    today = today or timezone.localdate()
    if campaign.closed_at or today > campaign.closes_on:
        raise LinkProblem("closed", campaign.closes_on)
    if today < campaign.opens_on:
        raise LinkProblem("not_open", campaign.opens_on)
    return invitation


@dataclass
class Structure:
    """A questionnaire's sections, questions and choice lists, loaded once."""

    questionnaire: Questionnaire
    sections: list
    questions_by_section: dict
    choices: dict = field(default_factory=dict)

    @property
    def questions(self):
        return [q for s in self.sections for q in self.questions_by_section[s.pk]]

    def section(self, code):
        return next((s for s in self.sections if s.code == code), None)


_PUBLISHED_STRUCTURES = {}
_PUBLISHED_STRUCTURES_KEPT = 16
_STRUCTURES_LOCK = threading.Lock()


def questionnaire_structure(questionnaire):
    """Three queries whatever the size of the questionnaire, and none for a
    published version seen before: a published version never changes, so
    its structure is kept in memory, keyed by what identifies that version
    (id, content digest and publication time). Callers only read it."""
    if not questionnaire.is_published:
        return _load_structure(questionnaire)
    key = (questionnaire.pk, questionnaire.digest, questionnaire.published_at)
    structure = _PUBLISHED_STRUCTURES.get(key)
    if structure is None:
        structure = _load_structure(questionnaire)
        with _STRUCTURES_LOCK:  # threaded servers share the dict
            while len(_PUBLISHED_STRUCTURES) >= _PUBLISHED_STRUCTURES_KEPT:
                _PUBLISHED_STRUCTURES.pop(next(iter(_PUBLISHED_STRUCTURES)))
            _PUBLISHED_STRUCTURES[key] = structure
    return structure


def _load_structure(questionnaire):
    sections = list(Section.objects.filter(questionnaire=questionnaire).order_by("position"))
    by_section = {section.pk: [] for section in sections}
    for question in Question.objects.filter(questionnaire=questionnaire).order_by("position"):
        by_section[question.section_id].append(question)
    choices = {}
    for choice in Choice.objects.filter(questionnaire=questionnaire).order_by("position"):
        choices.setdefault(choice.list_name, []).append(choice)
    return Structure(questionnaire, sections, by_section, choices)


def response_answers(response):
    """Question code → stored text, for one response, in one query."""
    if response is None or response.pk is None:
        return {}
    return dict(Answer.objects.filter(response=response).values_list("question__code", "value"))


def relevance(structure, answers):
    """Question code → whether it applies, given these answers.

    As in ODK, a question that does not apply counts as empty for the
    questions after it, and a section that does not apply hides all its
    questions.
    """
    effective = dict(answers)
    relevant = {}
    for section in structure.sections:
        section_applies = expressions.evaluate(section.relevant, effective)
        for question in structure.questions_by_section[section.pk]:
            applies = section_applies and expressions.evaluate(question.relevant, effective)
            relevant[question.code] = applies
            if not applies:
                effective[question.code] = ""
    return relevant


def section_applies(structure, section, relevant):
    return any(relevant[q.code] for q in structure.questions_by_section[section.pk])


def missing_required(structure, answers, relevant=None):
    """Required questions that apply and have no answer, in questionnaire order."""
    relevant = relevant if relevant is not None else relevance(structure, answers)
    return [
        question
        for question in structure.questions
        if question.required
        and question.type != Question.Type.NOTE
        and relevant[question.code]
        and not answers.get(question.code)
    ]


def section_progress(structure, answers, relevant):
    """Per section that applies: (section, answered, questions to answer)."""
    rows = []
    for section in structure.sections:
        asked = [
            q
            for q in structure.questions_by_section[section.pk]
            if relevant[q.code] and q.type != Question.Type.NOTE
        ]
        if asked:
            answered = sum(1 for q in asked if answers.get(q.code))
            rows.append((section, answered, len(asked)))
    return rows


def definition_from_questionnaire(questionnaire):
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
        sections=sections,
        choices=choices,
    )


def answer_display(question, value, choices, text):
    """A stored value as the respondent reads it: choice labels, not names."""
    if not value:
        return ""
    if question.type in (Question.Type.SELECT_ONE, Question.Type.SELECT_MULTIPLE):
        labels = {choice.name: text(choice.label) for choice in choices.get(question.list_name, [])}
        return "; ".join(labels.get(name, name) for name in value.split())
    return value


def answer_copy(structure, answers, relevant, text):
    """The answers by section for the printable copy: [(section, [(question, answer)])]."""
    copy = []
    for section in structure.sections:
        rows = [
            (
                text(q.label) + (f" ({q.get_dimension_display().lower()})" if q.competency else ""),
                answer_display(q, answers.get(q.code, ""), structure.choices, text),
            )
            for q in structure.questions_by_section[section.pk]
            if relevant[q.code] and q.type != Question.Type.NOTE
        ]
        if rows:
            copy.append((text(section.label), rows))
    return copy


def response_rates(campaign, country=None):
    """Invited and submitted agencies by region and by country, one query.

    Returns (by_region, by_country, totals): lists of dicts with invited,
    submitted and rate (0–1), and the campaign's totals.
    """
    invitations = Invitation.objects.filter(campaign=campaign)
    if country:
        invitations = invitations.filter(agency__country__code=country)
    rows = list(
        invitations.values("agency__country__region__name", "agency__country__name")
        .annotate(
            invited=Count("pk"),
            submitted=Count("pk", filter=Q(status=Invitation.Status.SUBMITTED)),
        )
        .order_by("agency__country__region__name", "agency__country__name")
    )
    by_country = [
        {
            "region": row["agency__country__region__name"],
            "country": row["agency__country__name"],
            "invited": row["invited"],
            "submitted": row["submitted"],
        }
        for row in rows
    ]
    by_region = {}
    for row in by_country:
        region = by_region.setdefault(
            row["region"], {"region": row["region"], "invited": 0, "submitted": 0}
        )
        region["invited"] += row["invited"]
        region["submitted"] += row["submitted"]
    totals = {
        "invited": sum(row["invited"] for row in by_country),
        "submitted": sum(row["submitted"] for row in by_country),
    }
    for row in [*by_country, *by_region.values(), totals]:
        row["rate"] = row["submitted"] / row["invited"] if row["invited"] else 0.0
    return list(by_region.values()), by_country, totals


def invitations_overview(campaign, country=None):
    """The campaign's invitations with agency, country and link counts."""
    invitations = (
        Invitation.objects.filter(campaign=campaign)
        .select_related("agency__country__region", "response")
        .annotate(
            active_links=Count("links", filter=Q(links__revoked_at__isnull=True)),
        )
        .order_by("agency__country__region__name", "agency__country__name", "agency__name")
    )
    if country:
        invitations = invitations.filter(agency__country__code=country)
    return invitations
