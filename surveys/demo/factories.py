"""Small factories for the rows a round is made of. seed_demo builds the demo
with them and the tests build their rounds with them, so both exercise the
same shapes of data: an agency, a user with a role, a campaign, a response
written straight to the database with its answers (no form involved)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.models import (
    Agency,
    Answer,
    Campaign,
    Country,
    Invitation,
    Question,
    Response,
    UserRole,
)
from surveys.respond import services as response_services


def agency_create(
    name: str, country: str, kind: str = Agency.Kind.SPECIALISED_UNIT, size: int | None = None
) -> Agency:
    return Agency.objects.create(
        name=name, country=Country.objects.get(code=country), kind=kind, size=size
    )


def user_create(
    username: str, role: str | None = None, country: str | None = None, *, password: str = "pw"
):
    """A user with one role (coordinator, focal_point with a country, trainer) or none."""
    user = get_user_model().objects.create_user(username, f"{username}@example.org", password)
    if role:
        UserRole.objects.create(
            user=user, role=role, country=Country.objects.get(code=country) if country else None
        )
    return user


def campaign_open(
    questionnaire, code: str, name: str, *, opened_days_ago: int = 5, closes_in_days: int = 30
) -> Campaign:
    """A campaign open today: it opened `opened_days_ago` and closes in
    `closes_in_days`."""
    today = timezone.localdate()
    return campaign_services.campaign_create(
        code=code,
        name=name,
        questionnaire=questionnaire,
        opens_on=today - datetime.timedelta(days=opened_days_ago),
        closes_on=today + datetime.timedelta(days=closes_in_days),
    )


def response_with_answers(
    invitation: Invitation,
    values: dict[str, str],
    *,
    submitted: bool = True,
    at: datetime.datetime | None = None,
    started: datetime.datetime | None = None,
    last_section: str = "",
) -> Response:
    """A response holding `values` (question code → stored text), started at
    `started` and submitted (or last saved as a draft) at `at`, both now by
    default; its invitation is marked to match."""
    at = at or timezone.now()
    started = started or at
    questions = {
        q.code: q for q in Question.objects.filter(questionnaire=invitation.campaign.questionnaire)
    }
    response = Response.objects.create(
        invitation=invitation,
        status=Response.Status.SUBMITTED if submitted else Response.Status.DRAFT,
        version=1,
        last_section=last_section,
        started_at=started,
        updated_at=at,
        submitted_at=at if submitted else None,
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=questions[code],
            value=value,
            number=response_services.answer_number(questions[code], value),
            saved_version=1,
            updated_at=at,
        )
        for code, value in values.items()
    )
    invitation.status = Invitation.Status.SUBMITTED if submitted else Invitation.Status.IN_PROGRESS
    invitation.opened_at = started
    invitation.save(update_fields=["status", "opened_at"])
    return response
