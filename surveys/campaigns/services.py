"""Writes that run a round: campaigns, invitations and their links, reminders."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.languages import interface_code
from surveys import access
from surveys.models import (
    Campaign,
    Invitation,
    InvitationLink,
    Release,
    Response,
)

if TYPE_CHECKING:
    import datetime

    from surveys.models import Agency, Questionnaire


class CampaignError(ValueError):
    """A campaign that cannot be created as asked; the message says why."""


log = logging.getLogger(__name__)


def campaign_create(
    *,
    code: str,
    name: str,
    questionnaire: Questionnaire,
    opens_on: datetime.date,
    closes_on: datetime.date,
) -> Campaign:
    if not questionnaire.is_published:
        raise CampaignError(
            _("%(questionnaire)s is a draft: publish it before starting a campaign on it.")
            % {"questionnaire": questionnaire}
        )
    if closes_on < opens_on:
        raise CampaignError(_("The campaign cannot close before it opens."))
    return Campaign.objects.create(
        code=code,
        name=name,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
    )


def new_link(invitation):
    """Add a link to the invitation and return its token, shown once: 256
    bits from the OS's CSPRNG, of which only the SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    InvitationLink.objects.create(invitation=invitation, token_hash=access.token_hash(token))
    return token


def invitation_create(*, campaign: Campaign, agency: Agency) -> tuple[Invitation, str]:
    """Returns (invitation, token)."""
    invitation = Invitation.objects.create(campaign=campaign, agency=agency)
    return invitation, new_link(invitation)


def _revoke_links(invitation, now):
    # Saved one by one so that each withdrawal is in the link's history.
    for link in invitation.links.filter(revoked_at__isnull=True):
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])


def invitation_set_status(
    invitation_id: int, status: str, only_from: list[str] | None = None
) -> None:
    """Change the status through save(), so the audit trail records it."""
    invitations = Invitation.objects.filter(pk=invitation_id)
    if only_from:
        invitations = invitations.filter(status__in=only_from)
    invitation = invitations.first()
    if invitation is not None and invitation.status != status:
        invitation.status = status
        invitation.save(update_fields=["status"])


@transaction.atomic
def invitation_issue_token(*, invitation: Invitation) -> str:
    """A new link for the invitation; every earlier link stops working."""
    now = timezone.now()
    _revoke_links(invitation, now)
    if invitation.revoked_at:
        invitation.revoked_at = None
        invitation.save(update_fields=["revoked_at"])
    return new_link(invitation)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
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


def language_for(questionnaire: Questionnaire, invitation: Invitation | None = None) -> str:
    """The interface language of what is written to a respondent: the one
    their response is in (a reminder), else the questionnaire's default where
    the interface speaks it, else the site's."""
    response = getattr(invitation, "response", None) if invitation else None
    chosen = interface_code(response.language) if response and response.language else None
    return chosen or interface_code(questionnaire.default_language) or settings.LANGUAGE_CODE


def _subject(campaign, reminder):
    return _("Reminder: %(campaign)s") % {"campaign": campaign.name} if reminder else campaign.name


def email_participant(participant, campaign, link, *, reminder=False):
    """E-mail a course participant their own link to one of its questionnaires."""
    if not participant.email:
        return False
    with translation.override(language_for(campaign.questionnaire)):
        values = {
            "campaign": campaign.name,
            "event": participant.event.label,
            "date": date_format(campaign.closes_on, "j F Y"),
        }
        if reminder:
            ask = _(
                'This is a reminder: please answer the short questionnaire "%(campaign)s" '
                "about %(event)s by %(date)s. It helps the trainers fit the course to the "
                "class and shows whether the course closed the gaps it was meant to."
            )
        else:
            ask = _(
                'Please answer the short questionnaire "%(campaign)s" about %(event)s by '
                "%(date)s. It helps the trainers fit the course to the class and shows "
                "whether the course closed the gaps it was meant to."
            )
        paragraphs = [
            _("Dear %(name)s,") % {"name": participant.name},
            ask % values,
            _("Your personal link:") + f"\n{link}",
            _("Please do not forward it: it is yours alone."),
        ]
        subject = _subject(campaign, reminder)
    send_mail(subject, "\n\n".join(paragraphs) + "\n", None, [participant.email])
    return True


def email_link(invitation, link, *, reminder):
    """E-mail the invitation's link to its participant or agency, in the
    language of its questionnaire; False when there is no address."""
    if invitation.participant_id:
        return email_participant(
            invitation.participant, invitation.campaign, link, reminder=reminder
        )
    agency = invitation.agency
    if not agency.contact_email:
        return False
    campaign = invitation.campaign
    with translation.override(language_for(campaign.questionnaire, invitation)):
        values = {"campaign": campaign.name, "date": date_format(campaign.closes_on, "j F Y")}
        if reminder:
            ask = _(
                "This is a reminder that your agency is invited to answer the training needs "
                'assessment "%(campaign)s" by %(date)s.'
            )
        else:
            ask = _(
                'Your agency is invited to answer the training needs assessment "%(campaign)s" '
                "by %(date)s."
            )
        paragraphs = [
            _("Dear colleagues at %(agency)s,") % {"agency": agency.name},
            ask % values,
            _("Open your agency's questionnaire with this personal link:") + f"\n{link}",
            _(
                "You can stop at any time and continue later with the same link; answers are "
                "saved on every page. Please do not forward the link outside your agency."
            ),
        ]
        subject = _subject(campaign, reminder)
    send_mail(subject, "\n\n".join(paragraphs) + "\n", None, [agency.contact_email])
    return True


def campaign_close(*, campaign: Campaign) -> Campaign:
    if campaign.closed_at is None:
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["closed_at"])
    return campaign


def campaign_reopen(*, campaign: Campaign) -> Campaign:
    if campaign.closed_at is not None:
        campaign.closed_at = None
        campaign.save(update_fields=["closed_at"])
    return campaign


@transaction.atomic
def campaign_release(*, campaign: Campaign, min_n: int) -> Release | None:
    """The campaign's latest release, cut anew first when it is due: when at
    least `min_n` submitted responses are not in it yet, or when the
    campaign has closed and any are not. None while nothing is released.

    A released response stays released (with its answers as they are) even
    if it is reopened: dropping it would let two downloads differ by one."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    latest = campaign.releases.order_by("-number").first()
    released = set(latest.responses) if latest else set()
    submitted = set(
        Response.objects.filter(
            invitation__campaign=campaign, status=Response.Status.SUBMITTED
        ).values_list("pk", flat=True)
    )
    new = submitted - released
    closed = campaign.closed_at is not None or campaign.closes_on < timezone.localdate()
    if len(new) >= min_n or (closed and new):
        latest = Release.objects.create(
            campaign=campaign,
            number=latest.number + 1 if latest else 1,
            responses=sorted(released | new),
        )
    return latest
