"""Dashboards. Each view: access check, filters, one call into the analysis
library (through the cache in results.py), render."""

import csv
import tempfile

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analysis import (
    cached_charts,
    charts,
    country_report,
    gaps,
    profile_chart,
    profiles,
    results,
    rounds,
    rounds_workbook,
    selectors,
    state_profile,
    tables,
)
from analysis.forms import DashboardFilterForm
from analysis.plan import plan_note
from analysis.workbook import write_workbook
from common.downloads import (
    CSV_CONTENT_TYPE,
    DOCX_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    attachment,
    escape_formula,
)
from surveys import access
from surveys.campaigns import selectors as campaign_selectors
from surveys.models import Agency

TOP = 10
CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _context(request, code):
    campaign, user_access = access.campaign_for_user(request.user, code)
    results.pin_data_stamp(campaign)
    form = DashboardFilterForm(
        request.GET, campaign=campaign, forced_country=user_access.forced_country
    )
    filters = form.filters()
    disclosure_state = results.disclosure_state(campaign, filters, user_access.sees_exact_results)
    return {
        **disclosure_state,
        "campaign": campaign,
        "access": user_access,
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "labels": selectors.question_labels(campaign.questionnaire),
        "min_n": results.min_cell_size(),
        "exact": user_access.sees_exact_results,
    }


def _download_name(prefix, campaign, filters, extension):
    suffix = "-".join(slugify(value) for value in filters.active().values())
    return f"{prefix}-{slugify(campaign.code)}{'-' + suffix if suffix else ''}.{extension}"


@login_required
def dashboard(request, code):
    context = _context(request, code)
    campaign, labels = context["campaign"], context["labels"]
    data = results.overview(campaign, context["filters"], exact=context["exact"])
    by_region, by_country, totals = campaign_selectors.response_rates(
        campaign, context["access"].forced_country
    )
    competencies = tables.records(data["competencies"])
    shown = [row for row in competencies if not row["suppressed"]]
    kinds = dict(Agency.Kind.choices)
    context.update(
        respondents=data["respondents"],
        top=shown[:TOP],
        hidden_rows=len(competencies) - len(shown),
        domains=tables.records(data["domains"]),
        region_matrix=tables.domain_matrix(data["domains_by_region"], "region", labels["domains"]),
        kind_matrix=tables.domain_matrix(
            data["domains_by_kind"], "agency_kind", labels["domains"], kinds
        ),
        shares=tables.lacking_items(data["shares"], labels["items"]),
        by_region=by_region,
        by_country=by_country,
        totals=totals,
        quadrant_convention=gaps.quadrant_convention(),
        priority_convention=gaps.priority_convention(),
        other_rounds=access.campaigns_for(context["access"])
        .exclude(pk=campaign.pk)
        .filter(assessment__isnull=True),
    )
    return render(request, "analysis/dashboard.html", context)


def _breakdowns(context, kind, column, code):
    """(grouping, rows of this competency or domain) for each breakdown the
    user may see: a focal point's results are one country already."""
    campaign = context["campaign"]
    by_group = results.breakdowns(campaign, context["filters"], exact=context["exact"])
    names = selectors.group_labels(campaign)
    return [
        (by, tables.rows_for(by_group[by][kind], column, code, by, names))
        for by in results.BREAKDOWNS
        if not (by == "country" and context["access"].forced_country)
    ]


@login_required
def competency(request, code, competency_code):
    context = _context(request, code)
    statement = context["labels"]["competencies"].get(competency_code)
    if statement is None:
        raise Http404("No such competency")
    campaign, filters = context["campaign"], context["filters"]
    overall = results.overview(campaign, filters, exact=context["exact"])["competencies"]
    context.update(
        code=competency_code,
        statement=statement,
        overall=tables.one(overall, "competency", competency_code),
        breakdowns=_breakdowns(context, "competencies", "competency", competency_code),
    )
    if context["access"].sees_single_agencies:
        agencies = results.agency_ratings(campaign, filters, competency_code)
        context["agencies"] = tables.records(agencies)
    return render(request, "analysis/competency.html", context)


@login_required
def domain(request, code, domain_code):
    context = _context(request, code)
    label = context["labels"]["domains"].get(domain_code)
    if label is None:
        raise Http404("No such domain")
    data = results.overview(context["campaign"], context["filters"], exact=context["exact"])
    competencies = tables.records(data["competencies"])
    context.update(
        code=domain_code,
        label=label,
        overall=tables.one(data["domains"], "domain", domain_code),
        competencies=[row for row in competencies if row["domain"] == domain_code],
        items=tables.items_by_region(
            data["shares"], data["shares_by_region"], context["labels"]["items"], domain_code
        ),
        breakdowns=_breakdowns(context, "domains", "domain", domain_code),
    )
    return render(request, "analysis/domain.html", context)


# matplotlib's SVG styles its elements inline; opened on its own, the chart
# needs inline styles allowed (for this response only).
@csp_update({"style-src": ["'unsafe-inline'"]})
@login_required
def chart(request, code, name, fmt):
    if fmt not in CHART_TYPES or name not in charts.DASHBOARD_CHARTS:
        raise Http404("Unknown chart")
    context = _context(request, code)
    chart_bytes = cached_charts.dashboard_chart(
        context["campaign"],
        context["filters"],
        name,
        fmt,
        exact=context["exact"],
        forced_country=context["access"].forced_country,
    )
    # Like the page it belongs to, not kept in any browser cache (common.middleware).
    return HttpResponse(chart_bytes, content_type=CHART_TYPES[fmt])


@login_required
def training_plan(request, code):
    """The plan as a printable page: what the workbook's Training plan sheet holds."""
    context = _context(request, code)
    checked = results.training_plan(context["campaign"], context["filters"], exact=context["exact"])
    named = context["access"].sees_single_agencies
    context.update(
        plan=tables.records(checked.courses),
        agencies=tables.records(checked.agencies) if named else [],
        preconditions=tables.records(checked.preconditions) if named else [],
        covered=tables.records(checked.covered) if named else [],
        registry_months=results.registry_months(),
        named=named,
        kinds=dict(Agency.Kind.choices),
        plan_note=plan_note(min_n=context["min_n"], cost_per_participant_day=results.cost_rate()),
    )
    return render(request, "analysis/plan.html", context)


@login_required
def workbook(request, code):
    """The campaign workbook, honouring the page's filters and the user's
    role: the one-row-per-agency Answers sheet is for coordinators only."""
    context = _context(request, code)
    campaign, filters, user_access = context["campaign"], context["filters"], context["access"]
    data = results.workbook_data(
        campaign,
        filters,
        include_answers=user_access.sees_single_agencies,
        exact=user_access.sees_exact_results,
    )
    output = tempfile.TemporaryFile()
    write_workbook(data, output)
    output.seek(0)
    filename = _download_name("tna", campaign, filters, "xlsx")
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def _csv_cell(value):
    """Numbers as numbers (a negative gap is not a formula); text escaped."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    return escape_formula(str(value))


@login_required
def gaps_csv(request, code):
    context = _context(request, code)
    campaign, filters = context["campaign"], context["filters"]
    table = results.overview(campaign, filters, exact=context["exact"])["competencies"]
    statements = context["labels"]["competencies"]
    filename = _download_name("gaps", campaign, filters, "csv")
    response = attachment(HttpResponse(content_type=CSV_CONTENT_TYPE), filename)
    writer = csv.writer(response)
    columns = ["competency", "domain", *gaps.GAP_COLUMNS]
    writer.writerow([*columns[:1], "statement", *columns[1:]])
    for row in tables.records(table):
        values = [row[column] for column in columns]
        values.insert(1, statements.get(row["competency"], ""))
        writer.writerow([_csv_cell(value) for value in values])
    writer.writerow([])
    for note in _csv_notes(filters, context["min_n"]):
        writer.writerow([note])
    return response


def _csv_notes(filters, min_n):
    """The lines below the gap table: its filters, the small-cell rule, priorities."""
    # Translators: %(filters)s lists the filters as codes, such as "agency_kind=police".
    shown = _("Filters: %(filters)s") % {"filters": filters.key() or _("none")}
    small = ngettext(
        "Rows with fewer than %(count)d respondent show n only.",
        "Rows with fewer than %(count)d respondents show n only.",
        min_n,
    ) % {"count": min_n}
    return [escape_formula(shown), small, gaps.priority_convention()]


def _state_profile(request, code, country):
    campaign, user_access = access.campaign_for_user(request.user, code)
    return state_profile.state_profile(campaign, country, user_access)


@login_required
def country_profile(request, code, country):
    """A State's page: its agencies' gaps beside its region and the world,
    what it lacks, the proposed courses, who answered (state_profile)."""
    profile = _state_profile(request, code, country)
    context = {
        "campaign": profile.campaign,
        "profile": profile,
        "domains": tables.records(profile.domains.sort_values("state_gap", ascending=False))
        if not profile.domains.empty
        else [],
        "needs": tables.records(profile.needs),
        "lacking": tables.records(profile.lacking),
        "remedies": tables.records(profile.remedies),
        "courses": profile.courses(),
        "preconditions": tables.records(profile.plan.preconditions) if profile.plan else [],
        "labels": profile.labels,
        "equal_states": profiles.EQUAL_STATES,
        "unweighted": profiles.UNWEIGHTED,
    }
    return render(request, "analysis/country.html", context)


@login_required
def country_chart(request, code, country):
    profile = _state_profile(request, code, country)
    return HttpResponse(profile_chart.profile_png(profile), content_type=CHART_TYPES["png"])


@login_required
def country_report_docx(request, code, country):
    """The Word country report of the page, for a programme officer to edit."""
    profile = _state_profile(request, code, country)
    output = tempfile.TemporaryFile()
    country_report.write_report(
        profile, profile_chart.profile_png(profile), output, exported_at=_today()
    )
    output.seek(0)
    filename = f"country-report-{slugify(profile.campaign.code)}-{profile.country.code}.docx"
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=DOCX_CONTENT_TYPE
    )


def _today():
    return date_format(timezone.localtime(), "d F Y")


def _comparison(request, code, other):
    campaign, user_access = access.campaign_for_user(request.user, code)
    earlier = access.campaign_for_user(request.user, other)[0]
    by = request.GET.get("by") or None
    if by not in (None, *rounds.BY):
        raise Http404("No such breakdown")
    return rounds.compare_campaigns(campaign, earlier, user_access, by=by), user_access


@login_required
def compare_rounds(request, code, other):
    """Two rounds side by side: the change in gap per competency, and
    whether the agencies trained in between closed their gaps more."""
    comparison, user_access = _comparison(request, code, other)
    labels = selectors.question_labels(comparison.after.questionnaire)
    context = {
        "campaign": comparison.after,
        "comparison": comparison,
        "rows": tables.records(comparison.table),
        "trained": tables.records(comparison.trained),
        "labels": labels,
        "breakdowns": rounds.BY,
        "code": code,
        "other": other,
        "query": request.GET.urlencode(),
        "access": user_access,
    }
    return render(request, "analysis/compare.html", context)


@login_required
def compare_workbook(request, code, other):
    comparison = _comparison(request, code, other)[0]
    output = tempfile.TemporaryFile()
    rounds_workbook.write(comparison, output)
    output.seek(0)
    filename = f"compare-{slugify(comparison.before.code)}-{slugify(comparison.after.code)}.xlsx"
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
