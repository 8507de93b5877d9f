"""One State's profile in one campaign, for the page, the Word report and
`manage.py country_report`: read here, computed by analysis.profiles and
analysis.plan.

Who sees what (DESIGN.md, "Analysis"): coordinators and that State's focal
point own the data and see it in full, each agency named, whatever the
number of agencies; a reader of aggregates (a trainer) sees the released
results only, and nothing of a State whose agencies could be singled out
(fewer than the minimum cell size, or hidden by analysis.disclosure).
"""

from dataclasses import dataclass, field

import pandas as pd
from django.http import Http404

from analysis import plan, profiles, results, selectors
from surveys.models import Country, Invitation


@dataclass
class StateProfile:
    campaign: object
    country: Country
    own: bool  # the reader owns the data: agencies named, every number shown
    withheld: bool  # a reader of aggregates, and the State could be singled out
    min_n: int
    labels: dict
    invited: int = 0
    submitted: int = 0
    status: list = field(default_factory=list)  # per agency, for own readers
    domains: pd.DataFrame = field(default_factory=pd.DataFrame)
    needs: pd.DataFrame = field(default_factory=pd.DataFrame)
    lacking: pd.DataFrame = field(default_factory=pd.DataFrame)
    remedies: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan: object = None  # analysis.plan.Plan of the State's agencies

    @property
    def region(self):
        return self.country.region.name

    def courses(self):
        """The proposed courses: those with at least one of the State's
        agencies counted, in priority order."""
        if self.plan is None or self.plan.courses.empty:
            return []
        counted = self.plan.courses[self.plan.courses["agencies_needing"].fillna(0) > 0]
        return results_records(counted)


def results_records(table):
    return table.astype(object).where(table.notna(), None).to_dict("records")


def state_profile(campaign, code, access):
    """The StateProfile of country `code` for a reader with `access`
    (surveys.access.Access); Http404 for a country that is not the focal
    point's own or has no invited agency."""
    country = Country.objects.select_related("region").filter(code=code.upper()).first()
    if country is None or (access.forced_country and access.forced_country != country.code):
        raise Http404("No such country")
    invitations = list(
        Invitation.objects.filter(campaign=campaign, agency__country=country)
        .select_related("agency", "response")
        .order_by("agency__name")
    )
    if not invitations:
        raise Http404("No agency of this country is invited to this campaign")
    own = access.sees_exact_results
    min_n = results.min_cell_size()
    frames = results.Frames(campaign, results.Filters(), exact=own)
    frame = frames.whole()
    mine = frame[frame["country"].astype(str) == country.code]
    profile = StateProfile(
        campaign=campaign,
        country=country,
        own=own,
        withheld=False,
        min_n=min_n,
        labels=selectors.question_labels(campaign.questionnaire),
        invited=len(invitations),
        submitted=sum(1 for i in invitations if i.status == Invitation.Status.SUBMITTED),
    )
    if own:
        profile.status = [_status(invitation) for invitation in invitations]
    responses = mine["response"].unique()
    blocks = frames.blocks()
    if not own and (len(responses) < min_n or not blocks.publishable(pd.Series(responses))):
        profile.withheld = True
        profile.invited = profile.submitted = None  # not even how many answered
        return profile
    _fill(profile, frame, mine)
    return profile


def _fill(profile, frame, mine):
    code, own, min_n = profile.country.code, profile.own, profile.min_n
    profile.domains = profiles.comparison(frame, code, "domain", min_n=min_n, own=own)
    profile.needs = profiles.ranked_needs(frame, code, min_n=min_n, own=own)
    profile.lacking = profiles.lacking(frame, code, min_n=min_n, own=own)
    profile.remedies = profiles.remedies(frame, code)
    settings = results.plan_settings(profile.campaign)
    settings["min_n"] = 1 if own else min_n
    profile.plan = plan.build_plan(mine, selectors.course_catalogue(), **settings)
    if not own:
        empty = profile.plan
        profile.plan = plan.Plan(
            empty.courses, empty.agencies.iloc[:0], empty.preconditions.iloc[:0]
        )


def _status(invitation):
    response = getattr(invitation, "response", None)
    return {
        "agency": invitation.agency.name,
        "kind": invitation.agency.get_kind_display(),
        "status": invitation.get_status_display(),
        "submitted_at": response.submitted_at if response else None,
    }
