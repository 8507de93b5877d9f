"""Who may see what: the one place every coordinator-side view asks.

- coordinator (or superuser): everything, including one agency's answers;
- country focal point: their own country's agencies and results only;
- trainer: aggregated, suppressed results and exports, never one agency.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Campaign, Country, UserRole

Role = UserRole.Role


@dataclass(frozen=True)
class Access:
    role: str
    country: Country | None = None

    @property
    def is_coordinator(self):
        return self.role == Role.COORDINATOR

    @property
    def sees_invitations(self):
        """Which agencies were invited and where each stands."""
        return self.role in (Role.COORDINATOR, Role.FOCAL_POINT)

    @property
    def sees_single_agencies(self):
        """One agency's own answers and results."""
        return self.role == Role.COORDINATOR

    @property
    def forced_country(self):
        """A focal point's results are always filtered to their country."""
        return self.country.code if self.role == Role.FOCAL_POINT else None

    def label(self):
        if self.role == Role.FOCAL_POINT:
            return f"Country focal point, {self.country.name}"
        return Role(self.role).label


def access_for(user):
    """The user's Access, or PermissionDenied for a user with no role."""
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_superuser:
        return Access(Role.COORDINATOR)
    role = UserRole.objects.select_related("country").filter(user=user).first()
    if role is None:
        raise PermissionDenied("Your account has no role in the assessment.")
    return Access(role.role, role.country)


def campaigns_for(access):
    campaigns = Campaign.objects.select_related("questionnaire")
    if access.forced_country:
        campaigns = campaigns.filter(invitations__agency__country__code=access.forced_country)
    return campaigns.distinct()


def campaign_for_user(user, code, *, need=None):
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


def require(user, need):
    access = access_for(user)
    if not getattr(access, need):
        raise PermissionDenied
    return access
