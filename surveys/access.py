"""Who may see what: the one place every view and the admin ask.

- coordinator (or superuser): everything, including one agency's answers;
- country focal point: their own country's agencies and results only;
- trainer: aggregated, suppressed results and exports, never one agency;
- an agency, through its invitation link: its own response only
  (`invitation_for_token`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models import Campaign, Country, InvitationLink, UserRole

if TYPE_CHECKING:
    import datetime

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from surveys.models import Invitation

Role = UserRole.Role


@dataclass(frozen=True)
class Access:
    role: str
    country: Country | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def sees_invitations(self) -> bool:
        """Which agencies were invited and where each stands."""
        return self.role in (Role.COORDINATOR, Role.FOCAL_POINT)

    @property
    def sees_single_agencies(self) -> bool:
        """One agency's own answers and results."""
        return self.role == Role.COORDINATOR

    @property
    def sees_exact_results(self) -> bool:
        """Results from every submitted response, small cells suppressed
        table by table: coordinators, and a focal point (whose results are
        their own State's). The others see released results only, with every
        group hidden that differencing could single out (analysis.disclosure)."""
        return self.role in (Role.COORDINATOR, Role.FOCAL_POINT)

    @property
    def forced_country(self) -> str | None:
        """A focal point's results are always filtered to their country."""
        return self.country.code if self.role == Role.FOCAL_POINT else None

    def label(self) -> str:
        if self.role == Role.FOCAL_POINT:
            return _("Country focal point, %(country)s") % {"country": self.country.name}
        return str(Role(self.role).label)


def access_for(user: AbstractBaseUser | AnonymousUser) -> Access:
    """The user's Access, or PermissionDenied for a user with no role."""
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_superuser:
        return Access(Role.COORDINATOR)
    role = UserRole.objects.select_related("country").filter(user=user).first()
    if role is None:
        raise PermissionDenied("Your account has no role in the assessment.")
    return Access(role.role, role.country)


def campaigns_for(access: Access) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("questionnaire")
    if not access.is_coordinator:
        # A course's participants are seen as a class on the event's page.
        campaigns = campaigns.filter(assessment__isnull=True)
    if access.forced_country:
        campaigns = campaigns.filter(invitations__agency__country__code=access.forced_country)
    return campaigns.distinct()


def campaign_for_user(
    user: AbstractBaseUser | AnonymousUser, code: str, *, need: str | None = None
) -> tuple[Campaign, Access]:
    """(campaign, access) for a campaign the user may see, else 404 or 403.

    `need` names an Access property the view requires, e.g.
    "sees_invitations" or "is_coordinator". A focal point asking for a
    campaign without their country's agencies gets the same 404 as for a
    campaign that does not exist.
    """
    access = access_for(user)
    campaign = campaigns_for(access).filter(code=code).first()
    if campaign is None:
        raise Http404("No such campaign")
    if need and not getattr(access, need):
        raise PermissionDenied
    return campaign, access


def may_use_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Only coordinators (and superusers) use the admin, whatever Django
    permissions a staff account was given: its pages show one agency's
    answers, links and uploads."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return UserRole.objects.filter(user=user, role=Role.COORDINATOR).exists()


def require(user: AbstractBaseUser | AnonymousUser, need: str) -> Access:
    access = access_for(user)
    if not getattr(access, need):
        raise PermissionDenied
    return access


# Invitation links ---------------------------------------------------------------

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{20,100}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkProblem(Exception):
    """Why an invitation link cannot be used. Says nothing about the agency."""

    MESSAGES = {
        "unknown": (
            404,
            _("This link is not valid"),
            _(
                "Check that you copied the whole link from your invitation, or ask the "
                "coordinator of the assessment for a new one."
            ),
        ),
        "revoked": (
            410,
            _("This link has been withdrawn"),
            _(
                "The coordinator has replaced or withdrawn this invitation. If you received "
                "a newer link, use that one; otherwise contact the coordinator."
            ),
        ),
        "closed": (
            410,
            _("This assessment round is closed"),
            _(
                "Answers can no longer be given through this link. Contact the coordinator "
                "if you still need to respond."
            ),
        ),
        "not_open": (
            403,
            _("This assessment round has not opened yet"),
            _("The link will work from the opening date given in your invitation."),
        ),
    }

    def __init__(self, kind, date=None):
        super().__init__(kind)
        self.kind = kind
        self.date = date
        self.status, self.title, self.advice = self.MESSAGES[kind]


def invitation_for_token(token: str, today: datetime.date | None = None) -> Invitation:
    """The invitation a link's token opens, or LinkProblem saying why not."""
    if not token or not _TOKEN_SHAPE.match(token):
        raise LinkProblem("unknown")
    digest = token_hash(token)
    # token_hash is unique: no ORDER BY and no LIMIT, with which PostgreSQL
    # plans this join of seven tables four times slower, on every page.
    links = (
        InvitationLink.objects.select_related(
            "invitation__campaign__questionnaire",
            "invitation__agency__country",
            "invitation__response",
        )
        .filter(token_hash=digest)
        .order_by()
    )
    link = next(iter(links), None)
    # The lookup is by hash; comparing again in constant time costs nothing.
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise LinkProblem("unknown")
    invitation = link.invitation
    if link.revoked_at or invitation.revoked_at:
        raise LinkProblem("revoked")
    campaign = invitation.campaign
    today = today or timezone.localdate()
    if campaign.closed_at or today > campaign.closes_on:
        # Closed early by a coordinator: the day it was closed, not the deadline.
        closed_on = timezone.localdate(campaign.closed_at) if campaign.closed_at else None
        raise LinkProblem("closed", closed_on or campaign.closes_on)
    if today < campaign.opens_on:
        raise LinkProblem("not_open", campaign.opens_on)
    return invitation
