"""The coordinators' audit trail of a campaign: a page and a CSV export.
Access is decided by surveys.access, nowhere else."""

import csv
import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.downloads import CSV_CONTENT_TYPE, attachment, escape_formula
from surveys import access
from surveys.audit import selectors as audit

PER_PAGE = 50
CSV_COLUMNS = ["when", "agency", "subject", "action", "from", "to", "who", "reason"]

log = logging.getLogger(__name__)


def _agency_filter(request, campaign):
    """(agencies for the filter, the chosen agency id or None)."""
    agencies = audit.campaign_agencies(campaign)
    chosen = request.GET.get("agency", "")
    valid = {str(pk): pk for pk, _label in agencies}
    return agencies, valid.get(chosen)


@login_required
def audit_page(request, code):
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    agencies, agency_id = _agency_filter(request, campaign)
    changes = audit.campaign_audit(campaign, agency_id=agency_id)
    page = Paginator(changes, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/audit.html",
        {
            "campaign": campaign,
            "agencies": agencies,
            "agency_id": agency_id,
            "page": page,
            "link_user": audit.LINK_USER,
        },
    )


@login_required
def audit_csv(request, code):
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    agency_id = _agency_filter(request, campaign)[1]
    changes = audit.campaign_audit(campaign, agency_id=agency_id)
    suffix = f"-agency-{agency_id}" if agency_id else ""
    filename = f"audit-{slugify(campaign.code)}{suffix}.csv"
    response = attachment(HttpResponse(content_type=CSV_CONTENT_TYPE), filename)
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for change in changes:
        cells = [change.when.isoformat(timespec="seconds")]
        cells += [change.agency, change.subject, change.action, change.before, change.after]
        cells += [change.who, change.reason]
        writer.writerow([escape_formula(cell) for cell in cells])
    writer.writerow([])
    exported_by, now = request.user.get_username(), timezone.now()
    exported = _("Exported on request by %(user)s, %(when)s UTC")
    writer.writerow(
        [escape_formula(exported % {"user": exported_by, "when": f"{now:%Y-%m-%d %H:%M}"})]
    )
    log.info("audit of campaign %s exported by %s", campaign.code, request.user.get_username())
    return response
