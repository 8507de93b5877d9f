"""The analysis's background jobs (common.jobs): every round's workbook in one
zip, and every State's country report in one zip. Both name agencies, so
only coordinators start them (analysis.views.job_start)."""

import io
import zipfile

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from analysis import country_report, profile_chart, results
from analysis.state_profile import state_profile
from analysis.workbook import write_workbook
from surveys import access
from surveys.models import Country


def _campaigns(job, codes):
    user_access = access.access_for(job.requested_by)
    found = {c.code: c for c in access.campaigns_for(user_access).filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValueError(f"No such campaign: {', '.join(missing)}")
    return user_access, [found[code] for code in codes]


def round_workbooks(job, progress):
    """Each round's full workbook (its Answers sheet too), zipped."""
    user_access, campaigns = _campaigns(job, job.params["campaigns"])
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, campaign in enumerate(campaigns):
            progress(100 * index / len(campaigns), campaign.code)
            data = results.workbook_data(
                campaign,
                results.Filters(),
                include_answers=user_access.sees_single_agencies,
                exact=user_access.sees_exact_results,
            )
            workbook = io.BytesIO()
            write_workbook(data, workbook)
            archive.writestr(f"tna-{slugify(campaign.code)}.xlsx", workbook.getvalue())
    return "tna-workbooks.zip", output.getvalue()


def country_reports(job, progress):
    """Every invited State's Word country report in one campaign, zipped."""
    user_access, (campaign,) = _campaigns(job, [job.params["campaign"]])
    countries = list(
        Country.objects.filter(agencies__invitations__campaign=campaign).distinct().order_by("name")
    )
    exported = date_format(timezone.localtime(), "d F Y")
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, country in enumerate(countries):
            progress(100 * index / len(countries), country.name)
            profile = state_profile(campaign, country.code, user_access)
            report = io.BytesIO()
            country_report.write_report(
                profile, profile_chart.profile_png(profile), report, exported_at=exported
            )
            name = f"country-report-{slugify(campaign.code)}-{country.code}.docx"
            archive.writestr(name, report.getvalue())
    return f"country-reports-{slugify(campaign.code)}.zip", output.getvalue()
