"""The coordinators' pages for running a round: campaigns, invitations,
reminders, closing. Access is decided by surveys.access, nowhere else."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common import jobs
from common.downloads import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment
from common.models import Job
from surveys import access
from surveys.campaigns import jobs as campaign_jobs
from surveys.campaigns import selectors as campaign_selectors
from surveys.campaigns import services as campaign_services
from surveys.campaigns.forms import CampaignForm, InviteForm
from surveys.exports import labelled, writers
from surveys.imports import form as collection_form
from surveys.models import Assessment, Response
from surveys.questionnaires.selectors import questionnaire_structure
from surveys.respond import services as response_services


def link_maker(request):
    return lambda token: request.build_absolute_uri(reverse("surveys:start", args=[token]))


@login_required
def campaign_list(request):
    user_access = access.access_for(request.user)
    campaigns = []
    # A course's assessments are reached from the event's page.
    listed = access.campaigns_for(user_access).filter(assessment__isnull=True)
    for campaign in listed.order_by("-opens_on", "code"):
        totals = campaign_selectors.response_rates(campaign, user_access.forced_country)[2]
        campaigns.append((campaign, totals))
    return render(
        request,
        "surveys/campaign_list.html",
        {"campaigns": campaigns, "access": user_access},
    )


@login_required
def campaign_create(request):
    access.require(request.user, "is_coordinator")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = campaign_services.campaign_create(**form.cleaned_data)
        messages.success(
            request,
            _("Campaign %(code)s created. Now invite agencies.") % {"code": campaign.code},
        )
        return redirect("surveys:campaign", code=campaign.code)
    return render(request, "surveys/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, code):
    campaign, user_access = access.campaign_for_user(request.user, code, need="sees_invitations")
    by_region, by_country, totals = campaign_selectors.response_rates(
        campaign, user_access.forced_country
    )
    return render(
        request,
        "surveys/campaign_detail.html",
        {
            "campaign": campaign,
            "access": user_access,
            "by_region": by_region,
            "by_country": by_country,
            "totals": totals,
            "invitations": campaign_selectors.invitations_overview(
                campaign, user_access.forced_country
            ),
            "invite_form": InviteForm() if user_access.is_coordinator else None,
            "class_of": getattr(
                Assessment.objects.filter(campaign=campaign).first(), "event", None
            ),
        },
    )


@login_required
@require_POST
def campaign_invite(request, code):
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    if Assessment.objects.filter(campaign=campaign).exists():
        messages.error(request, _("This campaign asks a course's participants: invite them there."))
        return redirect("surveys:campaign", code=code)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The invitation filters were not valid."))
        return redirect("surveys:campaign", code=code)
    invited = campaign.invitations.filter(participant__isnull=True).values("agency_id")
    agencies = list(form.agencies().exclude(pk__in=invited).values_list("pk", flat=True))
    if not agencies:
        messages.info(request, _("Every matching agency is already invited."))
        return redirect("surveys:campaign", code=code)
    return _bulk_job(request, "invitations", campaign, agencies=agencies)


def _bulk_job(request, kind, campaign, **params):
    """Start the invitations or reminders job (surveys.campaigns.jobs) and
    show its page: with no broker it is done by then."""
    site = request.build_absolute_uri("/")
    params |= {"campaign": campaign.code, "site": site}
    job = jobs.job_start(kind=kind, params=params, user=request.user)
    return redirect("common:job", job.pk)


@login_required
@require_POST
def campaign_remind(request, code):
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    if not campaign.is_open():
        messages.error(request, _("The campaign is closed: reopen it before sending reminders."))
        return redirect("surveys:campaign", code=code)
    pending = campaign_selectors.reminders_due(campaign.invitations).count()
    unconfirmed = _unconfirmed(
        request,
        campaign,
        title=_("Send reminders"),
        consequence=_reminder_consequence(pending),
        button=_("Send the reminders"),
    )
    if unconfirmed:
        return unconfirmed
    due = list(campaign_selectors.reminders_due(campaign.invitations).values_list("pk", flat=True))
    if not due:
        messages.info(request, _("Every invited agency has submitted: no reminder to send."))
        return redirect("surveys:campaign", code=code)
    return _bulk_job(request, "reminders", campaign, invitations=due)


def _reminder_consequence(pending):
    return ngettext(
        "%(count)d agency that has not submitted will be e-mailed a reminder with a new "
        "link; its earlier links keep working. This cannot be undone.",
        "%(count)d agencies that have not submitted will each be e-mailed a reminder with a "
        "new link; their earlier links keep working. This cannot be undone.",
        pending,
    ) % {"count": pending}


def _unconfirmed(request, campaign, *, title, consequence, button):
    """The page that says what an action will do and asks to confirm it, or
    None once the post carries the confirmation."""
    if request.POST.get("confirm") == "1":
        return None
    context = {"campaign": campaign, "title": title, "consequence": consequence}
    context |= {"button": button, "action": request.path}
    return render(request, "surveys/confirm.html", context)


def links_page(request, campaign, issued, title):
    # Links are stored only as hashes: this page is the one chance to copy them.
    build = link_maker(request)
    rows = [(item.invitation, build(item.token), item.emailed) for item in issued]
    return render(
        request,
        "surveys/campaign_links.html",
        {"campaign": campaign, "rows": rows, "title": title},
    )


@login_required
@require_POST
def campaign_close(request, code):
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    unconfirmed = request.POST.get("reopen") is None and _unconfirmed(
        request,
        campaign,
        title=_("Close the campaign"),
        consequence=_(
            "Every invitation link stops working at once: agencies can no longer "
            "answer, online or offline, until you reopen the campaign."
        ),
        button=_("Close the campaign"),
    )
    if unconfirmed:
        return unconfirmed
    if request.POST.get("reopen"):
        campaign_services.campaign_reopen(campaign=campaign)
        message = _("Campaign %(code)s is open again until %(date)s.")
    else:
        campaign_services.campaign_close(campaign=campaign)
        message = _("Campaign %(code)s is closed: its links no longer work.")
    messages.success(request, message % {"code": code, "date": campaign.closes_on})
    return redirect("surveys:campaign", code=code)


@login_required
@require_POST
def invitation_new_link(request, code, invitation_id):
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    invitation = get_object_or_404(campaign.invitations, pk=invitation_id)
    unconfirmed = _unconfirmed(
        request,
        campaign,
        title=_("New link for %(agency)s") % {"agency": invitation.agency.name},
        consequence=_(
            "The links this agency has now stop working at once; the new link is "
            "shown once, for you to send to the agency."
        ),
        button=_("Withdraw the old links and make a new one"),
    )
    if unconfirmed:
        return unconfirmed
    token = campaign_services.invitation_issue_token(invitation=invitation)
    issued = [campaign_services.IssuedLink(invitation, token, emailed=False)]
    return links_page(request, campaign, issued, _("New link (earlier links no longer work)"))


@login_required
@require_POST
def response_reopen(request, code, invitation_id):
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    response = get_object_or_404(
        Response, invitation__campaign=campaign, invitation_id=invitation_id
    )
    response_services.response_reopen(response=response)
    messages.success(
        request,
        _("The response of %(agency)s is open for changes again.")
        % {"agency": response.invitation.agency.name},
    )
    return redirect("surveys:campaign", code=code)


DOWNLOAD_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "parquet": "application/vnd.apache.parquet",
}


@login_required
def responses_download(request, code, fmt):
    """The submitted responses as a labelled dataset (surveys.exports):
    coordinators only, as it holds one row per agency."""
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    if fmt not in DOWNLOAD_TYPES:
        raise Http404("No such format")
    frame, variables = labelled.dataset(campaign, questionnaire_structure(campaign.questionnaire))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"responses.{fmt}"
        writers.write(frame, variables, fmt, path)
        data = path.read_bytes()
    response = HttpResponse(data, content_type=DOWNLOAD_TYPES[fmt])
    return attachment(response, f"{campaign.code}-responses.{fmt}")


@login_required
def responses_codebook(request, code):
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    _frame, variables = labelled.dataset(campaign, questionnaire_structure(campaign.questionnaire))
    response = HttpResponse(writers.codebook_csv(variables), content_type=CSV_CONTENT_TYPE)
    return attachment(response, f"{campaign.code}-codebook.csv")


@login_required
def collection_xlsform(request, code):
    """The campaign's questionnaire as an XLSForm for KoboToolbox or ODK
    Central, its first question listing the invited agencies (coordinators
    only: the list names every agency invited)."""
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    data = collection_form.collection_xlsform(campaign)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    return attachment(response, f"{campaign.code}-xlsform-for-collection.xlsx")


@login_required
@require_POST
def job_links(request, code, job_id):
    """Fresh links, shown once, for the agencies an invitations or reminders
    job could not e-mail. Each press adds a link; none is withdrawn, since
    the agency may already have one that was handed over."""
    campaign, _user_access = access.campaign_for_user(request.user, code, need="is_coordinator")
    job = get_object_or_404(
        Job, pk=job_id, kind__in=["invitations", "reminders"], params__campaign=campaign.code
    )
    # A failed job may be tried again, and e-mail the agencies it missed.
    if job.status != Job.Status.DONE:
        not_yet = _("The links are offered once the job is done: until then its agencies may yet "
                    "get their e-mail.")  # fmt: skip
        messages.error(request, not_yet)
        return redirect("common:job", job.pk)
    unsent = campaign_jobs.unsent(job).select_related("agency__country", "participant")
    issued = [
        campaign_services.IssuedLink(invitation, campaign_services.new_link(invitation), False)
        for invitation in unsent.order_by("agency__country__name", "agency__name")
    ]
    count = len(issued)
    title = ngettext("Link for %(count)d agency", "Links for %(count)d agencies", count)
    return links_page(request, campaign, issued, title % {"count": count})
