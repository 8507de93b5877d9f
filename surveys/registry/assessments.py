"""Assessing a course's participants (report E/CN.15/2014/7 para 59, and
Kirkpatrick levels 2 and 3): each nominated participant gets a link of their
own to the course's pre-training questionnaire before the course, just after
it, and three to six months later. `send_followups` (daily, by cron) invites
those due and erases names and addresses once they are no longer needed."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.courses.pretraining import pretraining_definition
from surveys.models import (
    Assessment,
    Course,
    Invitation,
    Participant,
    Questionnaire,
    TrainingEvent,
)
from surveys.questionnaires import services as questionnaire_services

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)
Stage = Assessment.Stage


class AssessmentError(ValueError):
    """An assessment that cannot be run as asked; the message says why."""


def stage_window(event: TrainingEvent, stage: str, today: datetime.date):
    """(opens_on, closes_on) of a stage: before the course until it starts;
    TNA_POST_COURSE_DAYS from its last day; TNA_FOLLOWUP_AFTER_DAYS to
    TNA_FOLLOWUP_UNTIL_DAYS after it."""
    end, days = event.end_date, datetime.timedelta
    if stage == Stage.PRE:
        return today, event.start_date
    if stage == Stage.POST:
        return end, end + days(settings.TNA_POST_COURSE_DAYS)
    return (
        end + days(settings.TNA_FOLLOWUP_AFTER_DAYS),
        end + days(settings.TNA_FOLLOWUP_UNTIL_DAYS),
    )


def _course_of(event):
    """The course, or for a free-text event a course-like record of its title
    and competencies (without prerequisites)."""
    if event.course_id:
        return event.course
    code = f"EV{event.pk}"
    return SimpleNamespace(
        code=code, title=event.title, competencies=event.competencies,
        prerequisites=Course.objects.none(),
    )  # fmt: skip


def assessment_questionnaire(event: TrainingEvent) -> Questionnaire:
    """The published pre-training questionnaire of the event's course,
    generated from the latest needs questionnaire that rates its competencies
    and imported like any form (the same content reuses the same version)."""
    course = _course_of(event)
    if not course.competencies:
        raise AssessmentError(f"{event.label} names no competencies to assess.")
    base = (
        Questionnaire.objects.filter(
            status=Questionnaire.Status.PUBLISHED, questions__competency__in=course.competencies
        )
        .exclude(code__startswith="pre_")
        .order_by("-published_at")
        .first()
    )
    if base is None:
        raise AssessmentError(
            f"No published questionnaire rates the competencies of {event.label}."
        )
    questionnaire, _ = questionnaire_services.questionnaire_import(
        definition=pretraining_definition(course, base), publish=True
    )
    return questionnaire


@transaction.atomic
def assessment_for(event: TrainingEvent, stage: str, today: datetime.date) -> Assessment:
    """The event's assessment at `stage`, with its campaign, made when first needed."""
    found = event.assessments.filter(stage=stage).select_related("campaign").first()
    if found:
        return found
    opens_on, closes_on = stage_window(event, stage, today)
    campaign = campaign_services.campaign_create(
        code=f"event-{event.pk}-{stage}",
        name=f"{event.label}, {event.country.name} {event.start_date:%b %Y}: "
        f"{Stage(stage).label.lower()}",
        questionnaire=assessment_questionnaire(event),
        opens_on=opens_on,
        closes_on=closes_on,
    )
    return Assessment.objects.create(event=event, stage=stage, campaign=campaign)


@transaction.atomic
def participants_invite(
    event: TrainingEvent, stage: str, *, link_for: Callable[[str], str], today=None
) -> list[campaign_services.IssuedLink]:
    """Invite to the stage every participant of the event not yet invited to
    it (names erased: no longer); e-mail each link. The links are shown once."""
    today = today or timezone.localdate()
    if event.status == TrainingEvent.Status.CANCELLED:
        raise AssessmentError(f"{event.label} was cancelled: nobody is asked about it.")
    participants = event.nominees.filter(anonymised_at__isnull=True).select_related("agency")
    if not participants:
        raise AssessmentError("Add the participants first.")
    if stage == Stage.PRE and event.start_date < today:
        raise AssessmentError(
            f"{event.label} started on {event.start_date:%d %B %Y}: the pre-course "
            "questionnaire is for before it."
        )
    if stage != Stage.PRE and today < event.end_date:
        raise AssessmentError(
            f"{event.label} ends on {event.end_date:%d %B %Y}: its participants are asked "
            "again from then."
        )
    campaign = assessment_for(event, stage, today).campaign
    if campaign.opens_on > today:  # sent by hand before its window
        campaign.opens_on = today
        campaign.save(update_fields=["opens_on"])
    if campaign.closes_on < today or campaign.closed_at:
        raise AssessmentError(f'"{campaign.name}" closed on {campaign.closes_on:%d %B %Y}.')
    invited = set(campaign.invitations.values_list("participant_id", flat=True))
    issued = []
    for participant in participants:
        if participant.pk in invited:
            continue
        invitation = Invitation.objects.create(
            campaign=campaign, agency=participant.agency, participant=participant
        )
        token = campaign_services.new_link(invitation)
        emailed = campaign_services.email_participant(participant, campaign, link_for(token))
        issued.append(campaign_services.IssuedLink(invitation, token, emailed))
    log.info("event %s %s: invited %d participants", event.pk, stage, len(issued))
    return issued


def stages_due(event: TrainingEvent, today: datetime.date) -> list[str]:
    """The follow-up stages whose window is open today for a delivered event."""
    if event.status != TrainingEvent.Status.DELIVERED:
        return []
    due = []
    for stage in (Stage.POST, Stage.FOLLOWUP):
        opens_on, closes_on = stage_window(event, stage, today)
        if opens_on <= today <= closes_on:
            due.append(stage)
    return due


@dataclass
class FollowupReport:
    invited: list[tuple[TrainingEvent, str, int]]
    anonymised: int
    problems: list[tuple[TrainingEvent, str]]


def send_followups(*, link_for: Callable[[str], str], today=None) -> FollowupReport:
    """Invite every participant due a post-course or follow-up questionnaire
    and not yet invited to it; erase the names and addresses whose retention
    has run out. Running it twice on a day sends nothing more; an event that
    cannot be followed up is reported and the others still are."""
    today = today or timezone.localdate()
    invited, problems = [], []
    events = TrainingEvent.objects.filter(
        status=TrainingEvent.Status.DELIVERED,
        nominees__anonymised_at__isnull=True,
        end_date__lte=today,
    ).distinct()
    for event in events.select_related("course", "country"):
        for stage in stages_due(event, today):
            try:
                issued = participants_invite(event, stage, link_for=link_for, today=today)
            except AssessmentError as error:
                problems.append((event, str(error)))
                continue
            if issued:
                invited.append((event, stage, len(issued)))
    return FollowupReport(invited, participants_anonymise(today=today), problems)


@transaction.atomic
def participants_anonymise(*, today=None) -> int:
    """Erase the name and e-mail of every participant whose event's last
    follow-up closed more than TNA_PARTICIPANT_RETENTION_DAYS ago (or who was
    nominated for an event cancelled that long ago), from the record and its
    history. Their answers stay, tied to the agency and role only."""
    today = today or timezone.localdate()
    keep = datetime.timedelta(
        days=settings.TNA_FOLLOWUP_UNTIL_DAYS + settings.TNA_PARTICIPANT_RETENTION_DAYS
    )
    due = Participant.objects.filter(anonymised_at__isnull=True, event__end_date__lt=today - keep)
    ids = list(due.values_list("pk", flat=True))
    if ids:
        Participant.objects.filter(pk__in=ids).update(
            name="", email="", anonymised_at=timezone.now()
        )
        Participant.history.filter(id__in=ids).update(name="", email="")
        log.info("anonymised %d participants", len(ids))
    return len(ids)
