"""What the event's page shows of its class: the participants and their
invitations at each stage, the class profile before the course, and the
change per competency after it (analysis.class_profile computes; this module
reads the database and decides who sees what)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from analysis import class_profile
from surveys.campaigns import services as campaign_services
from surveys.models import Answer, Assessment, Choice, Course, Invitation, Question, UserRole

Stage = Assessment.Stage
PREREQUISITE = "prereq_"
INVITE_BUTTONS = [
    (Stage.PRE, gettext_lazy("Invite to the pre-course questionnaire")),
    (Stage.POST, gettext_lazy("Send the post-course questionnaire now")),
    (Stage.FOLLOWUP, gettext_lazy("Send the follow-up questionnaire now")),
]


def role_choices() -> list[tuple[str, str]]:
    """The roles the needs questionnaire offers (latest published version)."""
    choices = Choice.objects.filter(list_name="role", questionnaire__status="published").order_by(
        "-questionnaire__published_at", "position"
    )
    seen = {}
    for choice in choices:
        seen.setdefault(choice.name, next(iter(choice.label.values()), choice.name))
    return list(seen.items())


def _label(participant, index):
    # Translators: a participant whose name has been erased, numbered in the class.
    return participant.name or gettext("Participant %(number)d") % {"number": index}


def stage_answers(assessment: Assessment, released=False) -> list[class_profile.ClassAnswers]:
    """One ClassAnswers per participant who submitted at this stage; with
    `released`, only those in the stage's latest release (cut every TNA_MIN_N
    answers, as for trainers' dashboards), so that two views a trainer
    compares never differ by one person."""
    invitations = Invitation.objects.filter(
        campaign=assessment.campaign, participant__isnull=False, response__status="submitted"
    )
    if released:
        release = campaign_services.campaign_release(
            campaign=assessment.campaign, min_n=settings.TNA_MIN_N
        )
        invitations = invitations.filter(response__in=release.responses if release else [])
    invitations = invitations.select_related("participant", "response").order_by(
        "participant__agency__name", "participant__name", "participant_id"
    )
    by_response = {}
    for index, invitation in enumerate(invitations, start=1):
        by_response[invitation.response.pk] = class_profile.ClassAnswers(
            invitation.participant_id, _label(invitation.participant, index)
        )
    numbers = {}
    answers = Answer.objects.filter(response_id__in=by_response).select_related("question")
    for answer in answers:
        question, here = answer.question, by_response[answer.response_id]
        if question.competency and answer.number is not None:
            numbers.setdefault((answer.response_id, question.competency), {})[
                question.dimension
            ] = answer.number
        elif question.code.startswith(PREREQUISITE):
            here.prerequisites[question.code.removeprefix(PREREQUISITE)] = answer.value
        elif question.code == "tools":
            here.tools = answer.value
    for (response_id, code), rated in numbers.items():
        if {"importance", "capability"} <= set(rated):
            by_response[response_id].ratings[code] = (rated["importance"], rated["capability"])
    return list(by_response.values())


def _competencies(assessment):
    questionnaire = assessment.campaign.questionnaire
    questions = Question.objects.filter(
        questionnaire=questionnaire, dimension="capability"
    ).order_by("position")
    language = questionnaire.default_language
    return [(q.competency, q.label.get(language) or q.code) for q in questions]


def _prerequisites(assessment):
    codes = [
        code.removeprefix(PREREQUISITE)
        for code in Question.objects.filter(
            questionnaire=assessment.campaign.questionnaire, code__startswith=PREREQUISITE
        ).values_list("code", flat=True)
    ]
    titles = dict(Course.objects.filter(code__in=codes).values_list("code", "title"))
    return [(code, titles.get(code, "")) for code in sorted(codes)]


def _stage_counts(assessment):
    invitations = assessment.campaign.invitations.filter(participant__isnull=False)
    return {
        "assessment": assessment,
        "invited": invitations.count(),
        "submitted": invitations.filter(status=Invitation.Status.SUBMITTED).count(),
    }


def _person(person, competencies):
    return {
        "label": person.label,
        "capability": [person.ratings.get(code, (None, None))[1] for code, _ in competencies],
        "lacking": sorted(code for code, said in person.prerequisites.items() if said == "no"),
        "tools": person.tools,
    }


def event_class(event, user_access) -> dict:
    """The event page's figures for `user_access`: coordinators see every
    participant and every figure; trainers the class only, from TNA_MIN_N
    answers up."""
    coordinator = user_access.is_coordinator
    min_n = 1 if coordinator else settings.TNA_MIN_N
    assessments = {a.stage: a for a in event.assessments.select_related("campaign__questionnaire")}
    context = {
        "stages": [_stage_counts(assessments[s]) for s in Stage.values if s in assessments],
        "min_n": settings.TNA_MIN_N,
        "shows_people": coordinator,
        "answered": None,
        "retention_days": settings.TNA_PARTICIPANT_RETENTION_DAYS,
        "invite_buttons": INVITE_BUTTONS if coordinator else [],
    }
    if coordinator:
        roles = dict(role_choices())
        context["nominees"] = [
            (person, roles.get(person.role, person.role))
            for person in event.nominees.select_related("agency")
        ]
    pre = assessments.get(Stage.PRE)
    if pre is None:
        return context
    competencies = _competencies(pre)
    before = stage_answers(pre, released=not coordinator)
    context["answered"] = len(before)
    context["submitted"] = _stage_counts(pre)["submitted"]
    if len(before) < min_n:
        context["withheld"] = True
        return context
    context["competencies"] = class_profile.competency_rows(before, competencies, min_n)
    context["prerequisites"] = class_profile.prerequisite_rows(before, _prerequisites(pre))
    context["tools"] = class_profile.tool_counts(before)
    if coordinator:
        context["people"] = [_person(person, competencies) for person in before]
    context["changes"] = [
        (assessments[stage], class_profile.change_rows(before, after, competencies, min_n))
        for stage in (Stage.POST, Stage.FOLLOWUP)
        if stage in assessments
        and (after := stage_answers(assessments[stage], released=not coordinator))
    ]
    return context


def sees_events(user_access) -> bool:
    """Coordinators run an event's assessments; trainers see its class."""
    return user_access.role in (UserRole.Role.COORDINATOR, UserRole.Role.TRAINER)
