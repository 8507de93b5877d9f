"""Dashboards. Each view: access check, filters, one call into the analysis
library (through the cache in results.py), render."""

import csv
import math
import tempfile

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from common.downloads import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment, escape_formula
from surveys import access
from surveys.campaigns import selectors as campaign_selectors
from surveys.models import Agency, Choice, Country, localized

from . import charts, exports, gaps, results
from .forms import DashboardFilterForm
from .plan import plan_note
from .workbook import write_workbook

TOP = 10
CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _context(request, code):
    campaign, user_access = access.campaign_for_user(request.user, code)
    form = DashboardFilterForm(
        request.GET, campaign=campaign, forced_country=user_access.forced_country
    )
    filters = form.filters()
    return {
        "campaign": campaign,
        "access": user_access,
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "labels": results.labels(campaign.questionnaire),
        "min_n": results.min_cell_size(),
    }


def records(table):
    """DataFrame rows as dicts, with NaN as None so templates show nothing."""
    rows = table.to_dict("records")
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                row[key] = None
            elif value is not None and str(value) == "<NA>":
                row[key] = None
    return rows


@login_required
def dashboard(request, code):
    context = _context(request, code)
    campaign, filters = context["campaign"], context["filters"]
    data = results.overview(campaign, filters)
    by_region, by_country, totals = _rates(campaign, context["access"])
    competencies = records(data["competencies"])
    shown = [row for row in competencies if not row["suppressed"]]
    domains_by_region = data["domains_by_region"]
    context.update(
        respondents=data["respondents"],
        top=shown[:TOP],
        hidden_rows=len(competencies) - len(shown),
        domains=records(data["domains"]),
        region_matrix=_matrix(domains_by_region, "region", context["labels"]["domains"]),
        kind_matrix=_matrix(
            data["domains_by_kind"],
            "agency_kind",
            context["labels"]["domains"],
            group_labels=dict(Agency.Kind.choices),
        ),
        shares=_lacking(data["shares"], context["labels"]["items"]),
        by_region=by_region,
        by_country=by_country,
        totals=totals,
        quadrant_convention=gaps.QUADRANT_CONVENTION,
    )
    return render(request, "analysis/dashboard.html", context)


def _rates(campaign, user_access):
    return campaign_selectors.response_rates(campaign, user_access.forced_country)


def _matrix(table, by, domain_labels, group_labels=None):
    """Domain × group cells for a table: [(domain label, [cell per group])]."""
    groups = sorted(table[by].astype(str).unique()) if not table.empty else []
    cells = {(str(row[by]), row["domain"]): row for row in records(table)}
    rows = []
    for domain, label in domain_labels.items():
        row = [cells.get((group, domain)) for group in groups]
        if any(row):
            rows.append((label, row))
    headers = [(group_labels or {}).get(group, group) for group in groups]
    return {"groups": headers, "rows": rows}


def _lacking(shares, item_labels):
    rows = [row for row in records(shares) if not row["suppressed"]]
    for row in rows:
        row["label"] = item_labels.get(row["question"], row["question"])
        row["lacking"] = (row.get("share_no") or 0) + (row.get("share_partly") or 0)
    return sorted(rows, key=lambda row: (-row["lacking"], row["question"]))


@login_required
def competency(request, code, competency_code):
    context = _context(request, code)
    statement = context["labels"]["competencies"].get(competency_code)
    if statement is None:
        raise Http404("No such competency")
    campaign, filters = context["campaign"], context["filters"]
    overall = results.overview(campaign, filters)["competencies"]
    tables = results.breakdowns(campaign, filters)
    names = _group_labels(campaign)
    context.update(
        code=competency_code,
        statement=statement,
        overall=_one(overall, "competency", competency_code),
        breakdowns=[
            (by, _rows_for(tables[by]["competencies"], "competency", competency_code, by, names))
            for by in results.BREAKDOWNS
            if not (by == "country" and context["access"].forced_country)
        ],
    )
    if context["access"].sees_single_agencies:
        context["agencies"] = records(results.agency_ratings(campaign, filters, competency_code))
    return render(request, "analysis/competency.html", context)


@login_required
def domain(request, code, domain_code):
    context = _context(request, code)
    label = context["labels"]["domains"].get(domain_code)
    if label is None:
        raise Http404("No such domain")
    campaign, filters = context["campaign"], context["filters"]
    data = results.overview(campaign, filters)
    tables = results.breakdowns(campaign, filters)
    names = _group_labels(campaign)
    context.update(
        code=domain_code,
        label=label,
        overall=_one(data["domains"], "domain", domain_code),
        competencies=[row for row in records(data["competencies"]) if row["domain"] == domain_code],
        items=_items_by_region(data, domain_code, context["labels"]["items"]),
        breakdowns=[
            (by, _rows_for(tables[by]["domains"], "domain", domain_code, by, names))
            for by in results.BREAKDOWNS
            if not (by == "country" and context["access"].forced_country)
        ],
    )
    return render(request, "analysis/domain.html", context)


def _csv_cell(value):
    """Numbers as numbers (a negative gap is not a formula); text escaped."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    return escape_formula(str(value))


def _items_by_region(data, domain_code, item_labels):
    """The domain's legal-power and resource items: share lacking (no or
    partly) overall and by region; None marks a group too small to show."""
    by_region = data["shares_by_region"]
    regions = sorted(by_region["region"].astype(str).unique()) if not by_region.empty else []
    cells = {(str(row["region"]), row["question"]): row for row in records(by_region)}
    rows = []
    for row in records(data["shares"]):
        if row["domain"] != domain_code:
            continue
        rows.append(
            {
                "question": row["question"],
                "label": item_labels.get(row["question"], row["question"]),
                "n": row["n"],
                "lacking": _lacking_share(row),
                "regions": [
                    _lacking_share(cells.get((region, row["question"]))) for region in regions
                ],
            }
        )
    return {"regions": regions, "rows": rows}


def _lacking_share(row):
    if row is None or row["suppressed"]:
        return None
    return (row.get("share_no") or 0) + (row.get("share_partly") or 0)


def _rows_for(table, column, code, by, group_labels):
    """The rows of one competency or domain, each with a readable group label."""
    rows = records(table[table[column] == code])
    for row in rows:
        value = str(row[by]) if row[by] is not None else ""
        row["group_label"] = group_labels.get(by, {}).get(value, value)
    return rows


def _group_labels(campaign):
    """Display names for the values of each grouping: kinds, roles, countries."""
    language = campaign.questionnaire.default_language
    roles = Choice.objects.filter(questionnaire=campaign.questionnaire, list_name="role")
    countries = Country.objects.filter(agencies__invitations__campaign=campaign).distinct()
    return {
        "agency_kind": dict(Agency.Kind.choices),
        "role": {choice.name: localized(choice.label, language, language) for choice in roles},
        "country": dict(countries.values_list("code", "name")),
    }


def _one(table, column, code):
    rows = [row for row in records(table) if row[column] == code]
    return rows[0] if rows else None


# matplotlib's SVG styles its elements inline; opened on its own, the chart
# needs inline styles allowed (for this response only).
@csp_update({"style-src": ["'unsafe-inline'"]})
@login_required
def chart(request, code, name, fmt):
    if fmt not in CHART_TYPES:
        raise Http404("Unknown chart format")
    context = _context(request, code)
    campaign, filters, labels = context["campaign"], context["filters"], context["labels"]
    min_n = context["min_n"]
    data = results.overview(campaign, filters)
    if name == "gaps":
        figure = charts.gap_bars(
            data["competencies"],
            top=15,
            min_n=min_n,
            labels=labels["competencies"],
            domain_labels=labels["domains"],
        )
    elif name == "heatmap":
        figure = charts.heatmap(
            data["domains_by_region"], min_n=min_n, domain_labels=labels["domains"]
        )
    elif name == "quadrant":
        figure = charts.quadrant_plot(
            data["competencies"], min_n=min_n, domain_labels=labels["domains"]
        )
    elif name == "response-rate":
        rows, invited, invited_by = results.submissions(campaign, context["access"].forced_country)
        figure = charts.response_rate(
            [row[0] for row in rows], invited, by=[row[1] for row in rows], invited_by=invited_by
        )
    else:
        raise Http404("Unknown chart")
    response = HttpResponse(charts.render(figure, fmt), content_type=CHART_TYPES[fmt])
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def training_plan(request, code):
    """The plan as a printable page: what the workbook's Training plan sheet holds."""
    context = _context(request, code)
    table = results.training_plan(context["campaign"], context["filters"])
    context.update(
        plan=records(table),
        plan_note=plan_note(min_n=context["min_n"]),
    )
    return render(request, "analysis/plan.html", context)


@login_required
def workbook(request, code):
    """The campaign workbook, honouring the page's filters and the user's
    role: the one-row-per-agency Answers sheet is for coordinators only."""
    context = _context(request, code)
    campaign, filters, user_access = context["campaign"], context["filters"], context["access"]
    data = exports.workbook_data(
        campaign, filters, include_answers=user_access.sees_single_agencies
    )
    output = tempfile.TemporaryFile()
    write_workbook(data, output)
    output.seek(0)
    suffix = "-".join(slugify(value) for value in filters.active().values())
    filename = f"tna-{slugify(campaign.code)}{'-' + suffix if suffix else ''}.xlsx"
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@login_required
def gaps_csv(request, code):
    context = _context(request, code)
    campaign, filters = context["campaign"], context["filters"]
    table = results.overview(campaign, filters)["competencies"]
    statements = context["labels"]["competencies"]
    suffix = "-".join(slugify(value) for value in filters.active().values())
    filename = f"gaps-{slugify(campaign.code)}{'-' + suffix if suffix else ''}.csv"
    response = attachment(HttpResponse(content_type=CSV_CONTENT_TYPE), filename)
    writer = csv.writer(response)
    columns = ["competency", "domain", *gaps.GAP_COLUMNS]
    writer.writerow([*columns[:1], "statement", *columns[1:]])
    for row in records(table):
        values = [row[column] for column in columns]
        values.insert(1, statements.get(row["competency"], ""))
        writer.writerow([_csv_cell(value) for value in values])
    writer.writerow([])
    writer.writerow([escape_formula(f"Filters: {filters.key() or 'none'}")])
    writer.writerow([f"Rows with fewer than {context['min_n']} respondents show n only."])
    writer.writerow([gaps.QUADRANT_CONVENTION])
    return response
