"""Assessing a course's participants (report E/CN.15/2014/7 para 59, and
Kirkpatrick levels 2 and 3): each nominated participant gets a link of their
own to the course's pre-training questionnaire before the course, just after
it, and three to six months later. `send_followups` (daily, by cron) invites
those due and erases names and addresses once they are no longer needed."""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from surveys.campaigns import services as campaign_services
from surveys.courses.pretraining import pretraining_definition, pretraining_form_id
from surveys.models import (
    Assessment,
    Course,
    Invitation,
    Participant,
    Questionnaire,
    Response,
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
    """The event's pre-training questionnaire: the course's, as a coordinator
    last published it (pretraining_form, edited, then import_questionnaire),
    else generated from the latest needs questionnaire that rates its
    competencies and imported like any form."""
    course = _course_of(event)
    if not course.competencies:
        raise AssessmentError(
            _("%(event)s names no competencies to assess.") % {"event": event.label}
        )
    published = Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED)
    edited = published.filter(code=pretraining_form_id(course)).order_by("-version").first()
    if edited:
        return edited
    base = (
        published.filter(questions__competency__in=course.competencies)
        .exclude(code__startswith="pre_")
        .order_by("-published_at")
        .first()
    )
    if base is None:
        raise AssessmentError(
            _("No published questionnaire rates the competencies of %(event)s.")
            % {"event": event.label}
        )
    questionnaire, _created = questionnaire_services.questionnaire_import(
        definition=pretraining_definition(course, base), publish=True
    )
    return questionnaire


def _follow_the_event(assessment, event, today):
    """A stage nobody has answered yet moves with the event's dates."""
    campaign = assessment.campaign
    if Response.objects.filter(invitation__campaign=campaign).exists():
        return
    opens_on, closes_on = stage_window(event, assessment.stage, today)
    if assessment.stage == Stage.PRE:
        opens_on = min(campaign.opens_on, closes_on)
    if (campaign.opens_on, campaign.closes_on) != (opens_on, closes_on):
        campaign.opens_on, campaign.closes_on = opens_on, closes_on
        campaign.save(update_fields=["opens_on", "closes_on"])


@transaction.atomic
def assessment_for(event: TrainingEvent, stage: str, today: datetime.date) -> Assessment:
    """The event's assessment at `stage`, with its campaign, made when first
    needed; every stage asks the questionnaire of the first one."""
    found = event.assessments.filter(stage=stage).select_related("campaign").first()
    if found:
        _follow_the_event(found, event, today)
        return found
    first = event.assessments.select_related("campaign__questionnaire").first()
    opens_on, closes_on = stage_window(event, stage, today)
    questionnaire = first.campaign.questionnaire if first else assessment_questionnaire(event)
    # The name goes to the participants: in the language they are written to.
    with translation.override(campaign_services.language_for(questionnaire)):
        month = date_format(event.start_date, "M Y")
        name = f"{Stage(stage).label}: {event.label}, {event.country.name} {month}"
    campaign = campaign_services.campaign_create(
        code=f"event-{event.pk}-{stage}",
        name=name[:200],
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    return Assessment.objects.create(event=event, stage=stage, campaign=campaign)


@dataclass
class Invited:
    issued: list[campaign_services.IssuedLink] = field(default_factory=list)
    # Not invited, tried again next time: (participant, why).
    failed: list[tuple[Participant, str]] = field(default_factory=list)
    # Left for a coordinator to invite from the event's page.
    no_address: list[Participant] = field(default_factory=list)


def _check_stage(event, stage, today):
    if event.status == TrainingEvent.Status.CANCELLED:
        raise AssessmentError(
            _("%(event)s was cancelled: nobody is asked about it.") % {"event": event.label}
        )
    if stage == Stage.PRE and event.start_date < today:
        raise AssessmentError(
            _("%(event)s started on %(date)s: the pre-course questionnaire is for before it.")
            % {"event": event.label, "date": date_format(event.start_date, "d F Y")}
        )
    if stage != Stage.PRE and today < event.end_date:
        raise AssessmentError(
            _("%(event)s ends on %(date)s: its participants are asked again from then.")
            % {"event": event.label, "date": date_format(event.end_date, "d F Y")}
        )


def _invite_one(participant, campaign, link_for):
    # Its own transaction: a link e-mailed stays valid whatever happens to
    # the next participant, and one that could not be sent is not kept.
    with transaction.atomic():
        invitation = Invitation.objects.create(
            campaign=campaign, agency=participant.agency, participant=participant
        )
        token = campaign_services.new_link(invitation)
        emailed = campaign_services.email_participant(participant, campaign, link_for(token))
    return campaign_services.IssuedLink(invitation, token, emailed)


def participants_invite(
    event: TrainingEvent,
    stage: str,
    *,
    link_for: Callable[[str], str],
    today=None,
    by_hand: bool = True,
) -> Invited:
    """Invite to the stage every participant of the event not yet invited to
    it (names erased: no longer) and e-mail each their link. By hand, the
    links are also shown once, so those without an address are invited too;
    otherwise (send_followups) they are left for the coordinator."""
    today = today or timezone.localdate()
    _check_stage(event, stage, today)
    participants = event.nominees.filter(anonymised_at__isnull=True).select_related("agency")
    if not participants:
        raise AssessmentError(_("Add the participants first."))
    assessment = event.assessments.filter(stage=stage).select_related("campaign").first()
    invited = set(
        assessment.campaign.invitations.values_list("participant_id", flat=True)
        if assessment
        else []
    )
    pending = [p for p in participants if p.pk not in invited]
    result = Invited()
    if not pending:
        return result
    campaign = assessment_for(event, stage, today).campaign
    if campaign.opens_on > today:  # sent by hand before its window
        campaign.opens_on = today
        campaign.save(update_fields=["opens_on"])
    if campaign.closes_on < max(today, timezone.localdate()) or campaign.closed_at:
        raise AssessmentError(
            _('"%(campaign)s" closed on %(date)s.')
            % {"campaign": campaign.name, "date": date_format(campaign.closes_on, "d F Y")}
        )
    event.agencies.add(*{participant.agency_id for participant in pending})
    for participant in pending:
        if not by_hand and not participant.email:
            result.no_address.append(participant)
            continue
        try:
            result.issued.append(_invite_one(participant, campaign, link_for))
        except (OSError, smtplib.SMTPException) as error:
            log.warning(
                "event %s: could not e-mail participant %s: %s", event.pk, participant.pk, error
            )
            result.failed.append((participant, str(error)))
    log.info("event %s %s: invited %d participants", event.pk, stage, len(result.issued))
    return result


def stages_due(event: TrainingEvent, today: datetime.date) -> list[str]:
    """The follow-up stages whose window is open today."""
    due = []
    for stage in (Stage.POST, Stage.FOLLOWUP):
        opens_on, closes_on = stage_window(event, stage, today)
        if opens_on <= today <= closes_on:
            due.append(stage)
    return due


@dataclass
class FollowupReport:
    invited: list[tuple[TrainingEvent, str, int]] = field(default_factory=list)
    anonymised: int = 0
    # Events that could not be followed up, and why: reported every day
    # until someone acts or the window closes.
    problems: list[tuple[TrainingEvent, str]] = field(default_factory=list)


def send_followups(*, link_for: Callable[[str], str], today=None) -> FollowupReport:
    """Invite every participant due a post-course or follow-up questionnaire
    and not yet invited to it; erase the names and addresses whose retention
    has run out. Running it twice on a day sends nothing more; an event that
    cannot be followed up is reported and the others still are."""
    today = today or timezone.localdate()
    report = FollowupReport(anonymised=participants_anonymise(today=today))
    events = TrainingEvent.objects.filter(
        nominees__anonymised_at__isnull=True, end_date__lte=today
    ).exclude(status=TrainingEvent.Status.CANCELLED)
    for event in events.distinct().select_related("course", "country"):
        due = stages_due(event, today)
        if due and event.status == TrainingEvent.Status.PLANNED:
            report.problems.append(
                (event, "still marked planned although it ended: mark it delivered (or "
                 "cancelled) in the registry to follow its participants up")
            )  # fmt: skip
            continue
        for stage in due:
            try:
                invited = participants_invite(
                    event, stage, link_for=link_for, today=today, by_hand=False
                )
            except AssessmentError as error:
                report.problems.append((event, str(error)))
                continue
            if invited.issued:
                report.invited.append((event, stage, len(invited.issued)))
            report.problems += [
                (event, f"could not e-mail participant {p.pk} ({stage}): {why}")
                for p, why in invited.failed
            ]
            report.problems += [
                (event, f"participant {p.pk} has no e-mail address: invite them from the "
                 f"event's page ({stage})")
                for p in invited.no_address
            ]  # fmt: skip
    return report


@transaction.atomic
def participants_anonymise(*, today=None) -> int:
    """Erase the name and e-mail of every participant whose event's last
    follow-up closed more than TNA_PARTICIPANT_RETENTION_DAYS ago (or who was
    nominated for an event cancelled that long ago), from the record and its
    history, and from the history of participants since deleted. Their
    answers stay, tied to the agency and role only."""
    today = today or timezone.localdate()
    keep = datetime.timedelta(
        days=settings.TNA_FOLLOWUP_UNTIL_DAYS + settings.TNA_PARTICIPANT_RETENTION_DAYS
    )
    due = Participant.objects.filter(anonymised_at__isnull=True, event__end_date__lt=today - keep)
    count = due.update(name="", email="", anonymised_at=timezone.now())
    kept = Participant.objects.filter(anonymised_at__isnull=True).values("pk")
    Participant.history.exclude(id__in=kept).exclude(name="", email="").update(name="", email="")
    if count:
        log.info("anonymised %d participants", count)
    return count
