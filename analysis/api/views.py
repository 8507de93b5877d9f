"""The read-only API: the dashboard's numbers as JSON for partners' own
dashboards. Each view: the same access check as the pages
(surveys.access.campaign_for_user), the same filters, one call into the
analysis library (through the cache in analysis.results), a serializer.

Readers of aggregates (trainers) get what the pages give them: released
results, suppressed cells as nulls, never one agency. One agency's answers
are for coordinators only.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.response import Response

from analysis import results, state_profile, tables
from analysis.api import serializers
from analysis.forms import DashboardFilterForm
from surveys import access
from surveys.campaigns import selectors as campaign_selectors
from surveys.models import Invitation

ERRORS = {
    401: OpenApiResponse(serializers.ErrorSerializer, description="No or unknown token"),
    403: OpenApiResponse(serializers.ErrorSerializer, description="Not for this role"),
    404: OpenApiResponse(serializers.ErrorSerializer, description="No such campaign"),
    429: OpenApiResponse(serializers.ErrorSerializer, description="Too many requests"),
}
FILTER_ERRORS = {
    **ERRORS,
    400: OpenApiResponse(serializers.FilterErrorSerializer, description="A filter is unknown"),
}
FILTERS = [
    OpenApiParameter("region", str, description="A UN region, e.g. Africa"),
    OpenApiParameter("country", str, description="ISO 3166-1 alpha-2, e.g. KE"),
    OpenApiParameter("agency_kind", str, description="police, specialised_unit, prosecution…"),
    OpenApiParameter("role", str, description="A respondent role's name, e.g. investigator"),
]
BY = OpenApiParameter(
    "by", str, enum=list(results.BREAKDOWNS), description="One row per group of this"
)


def _campaign(request, code, need=None):
    """(campaign, access) as for the pages; the API says 404 and 403 in JSON."""
    try:
        return access.campaign_for_user(request.user, code, need=need)
    except Http404 as error:
        raise exceptions.NotFound(_("No such campaign.")) from error
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error


def _selection(request, campaign, user_access, *, by=False):
    """The validated filters (and `by`), or a 400 naming the unknown values."""
    form = DashboardFilterForm(
        request.query_params, campaign=campaign, forced_country=user_access.forced_country
    )
    filters = form.filters()
    grouping = request.query_params.get("by") or None
    errors = _filter_errors(request.query_params, form, filters, grouping if by else None)
    if errors:
        raise FilterInvalid(errors)
    state = results.disclosure_state(campaign, filters, user_access.sees_exact_results)
    release = state["release"]
    return (
        filters,
        grouping,
        {
            "filters": filters.active(),
            "by": grouping,
            "min_n": results.min_cell_size(),
            "release": release.number if release else None,
            "hidden_selection": state["hidden_selection"],
        },
    )


def _filter_errors(params, form, filters, grouping):
    errors = {
        name: _("Unknown value '%(value)s'.") % {"value": params[name]}
        for name in form.fields
        if params.get(name) and name not in filters.active()
    }
    if grouping and grouping not in results.BREAKDOWNS:
        errors["by"] = _("One of %(values)s.") % {"values": ", ".join(results.BREAKDOWNS)}
    if grouping == "country" and form.forced_country:
        errors["by"] = _("Your results are one country's already.")
    return errors


class FilterInvalid(exceptions.APIException):
    status_code = 400

    def __init__(self, errors):
        super().__init__()
        self.detail = {"errors": errors}


def _rows(table, item, by):
    rows = tables.records(table)
    for row in rows:
        if by:
            row["group"] = str(row.pop(by))
        if row.get("suppressed"):  # never a number of a hidden cell
            row.update({key: None for key in row if key not in (item, "domain", "group", "n")})
            row["suppressed"] = True
    return rows


@extend_schema(responses={200: serializers.CampaignSerializer(many=True), **ERRORS})
@api_view(["GET"])
def campaigns(request):
    """The campaigns (assessment rounds) you may see."""
    found = access.campaigns_for(access.access_for(request.user)).order_by("-opens_on", "code")
    return Response(serializers.CampaignSerializer(found, many=True).data)


@extend_schema(responses={200: serializers.CampaignSerializer, **ERRORS})
@api_view(["GET"])
def campaign(request, code):
    """One campaign."""
    found, _access = _campaign(request, code)
    return Response(serializers.CampaignSerializer(found).data)


@extend_schema(responses={200: serializers.ResponseRatesSerializer, **ERRORS})
@api_view(["GET"])
def response_rates(request, code):
    """Invited and submitted agencies, in all and by region and country (a
    focal point's: their country's)."""
    found, user_access = _campaign(request, code)
    by_region, by_country, totals = campaign_selectors.response_rates(
        found, user_access.forced_country
    )
    data = {"totals": totals, "by_region": by_region, "by_country": by_country}
    return Response(serializers.ResponseRatesSerializer(data).data)


@extend_schema(
    parameters=[*FILTERS, BY], responses={200: serializers.GapsSerializer, **FILTER_ERRORS}
)
@api_view(["GET"])
def gaps(request, code):
    """The gap tables per competency and per domain, with the dashboard's
    filters, optionally one row per group of `by`."""
    found, user_access = _campaign(request, code)
    filters, by, data = _selection(request, found, user_access, by=True)
    exact = user_access.sees_exact_results
    if by:
        tables_by = results.breakdowns(found, filters, exact=exact)[by]
        overview = results.overview(found, filters, exact=exact)
    else:
        overview = tables_by = results.overview(found, filters, exact=exact)
    data.update(
        respondents=None if data["hidden_selection"] else overview["respondents"],
        competencies=_rows(tables_by["competencies"], "competency", by),
        domains=_rows(tables_by["domains"], "domain", by),
    )
    return Response(serializers.GapsSerializer(data).data)


@extend_schema(
    parameters=[*FILTERS, OpenApiParameter("by", str, enum=["region"])],
    responses={200: serializers.SharesSerializer, **FILTER_ERRORS},
)
@api_view(["GET"])
def shares(request, code):
    """The legal-power and resource items: the share of agencies answering
    yes, partly, no and don't know, and of those lacking each."""
    found, user_access = _campaign(request, code)
    filters, by, data = _selection(request, found, user_access, by=True)
    if by not in (None, "region"):
        raise FilterInvalid({"by": _("Shares are given in all or by region.")})
    overview = results.overview(found, filters, exact=user_access.sees_exact_results)
    table = overview["shares_by_region" if by else "shares"]
    data.update(
        respondents=None if data["hidden_selection"] else overview["respondents"],
        shares=_rows(table, "question", by),
    )
    return Response(serializers.SharesSerializer(data).data)


@extend_schema(
    parameters=FILTERS, responses={200: serializers.TrainingPlanSerializer, **FILTER_ERRORS}
)
@api_view(["GET"])
def training_plan(request, code):
    """The checked training plan: courses in priority order, and (for
    coordinators) which agency needs which."""
    found, user_access = _campaign(request, code)
    filters, _by, data = _selection(request, found, user_access)
    checked = results.training_plan(found, filters, exact=user_access.sees_exact_results)
    named = user_access.sees_single_agencies
    data.update(
        respondents=None,
        courses=tables.records(checked.courses),
        agencies=tables.records(checked.agencies) if named else [],
    )
    return Response(serializers.TrainingPlanSerializer(data).data)


@extend_schema(responses={200: serializers.StateProfileSerializer, **ERRORS})
@api_view(["GET"])
def country_profile(request, code, country):
    """A State's profile: its gaps by domain beside its region's and the
    world's, and the courses proposed for its agencies. Withheld from readers
    of aggregates when the State's agencies could be singled out."""
    found, user_access = _campaign(request, code)
    try:
        profile = state_profile.state_profile(found, country, user_access)
    except Http404 as error:
        raise exceptions.NotFound(_("No such country in this campaign.")) from error
    data = {
        "country": profile.country,
        "region": profile.region,
        "withheld": profile.withheld,
        "invited": profile.invited,
        "submitted": profile.submitted,
        "domains": [] if profile.withheld else tables.records(profile.domains),
        "courses": [] if profile.withheld else profile.courses(),
        "agencies": profile.status if profile.own else [],
    }
    return Response(serializers.StateProfileSerializer(data).data)


@extend_schema(responses={200: serializers.AgencyResponseSerializer(many=True), **ERRORS})
@api_view(["GET"])
def agency_responses(request, code):
    """Each invited agency's answers (coordinators only): status, submission
    time and every stored answer by question code."""
    found, _access = _campaign(request, code, need="sees_single_agencies")
    invitations = (
        Invitation.objects.filter(campaign=found, participant=None)
        .select_related("agency__country", "response")
        .prefetch_related("response__answers__question")
    )
    rows = []
    for invitation in invitations:
        response = getattr(invitation, "response", None)
        answers = response.answers.all() if response else []
        rows.append(
            {
                "agency": invitation.agency.name,
                "country": invitation.agency.country.code,
                "kind": invitation.agency.kind,
                "status": invitation.status,
                "submitted_at": response.submitted_at if response else None,
                "answers": {answer.question.code: answer.value for answer in answers},
            }
        )
    return Response(serializers.AgencyResponseSerializer(rows, many=True).data)


@extend_schema(exclude=True)
@api_view(["GET"])
def not_found(request):
    raise exceptions.NotFound(_("No such endpoint: see /api/schema/."))
