"""Reads across a campaign's invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q

from surveys.models import Invitation

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from surveys.models import Campaign


def response_rates(
    campaign: Campaign, country: str | None = None
) -> tuple[list[dict], list[dict], dict]:
    """Invited and submitted agencies by region and by country, one query.

    Returns (by_region, by_country, totals): lists of dicts with invited,
    submitted and rate (0–1), and the campaign's totals.
    """
    invitations = Invitation.objects.filter(campaign=campaign)
    if country:
        invitations = invitations.filter(agency__country__code=country)
    rows = list(
        invitations.values(
            "agency__country__region__name", "agency__country__name", "agency__country__code"
        )
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
            "code": row["agency__country__code"],
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


def invitations_overview(campaign: Campaign, country: str | None = None) -> QuerySet[Invitation]:
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


def reminders_due(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """The invitations a reminder goes to: not withdrawn, not submitted."""
    return invitations.filter(revoked_at__isnull=True).exclude(status=Invitation.Status.SUBMITTED)
