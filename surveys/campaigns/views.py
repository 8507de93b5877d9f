"""The coordinators' pages for running a round: campaigns, invitations,
reminders, closing. Access is decided by surveys.access, nowhere else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from surveys import access
from surveys.campaigns import selectors as campaign_selectors
from surveys.campaigns import services as campaign_services
from surveys.campaigns.forms import CampaignForm, InviteForm
from surveys.models import Assessment, Response
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
        _, _, totals = campaign_selectors.response_rates(campaign, user_access.forced_country)
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
        messages.success(request, f"Campaign {campaign.code} created. Now invite agencies.")
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
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    if Assessment.objects.filter(campaign=campaign).exists():
        messages.error(request, "This campaign asks a course's participants: invite them there.")
        return redirect("surveys:campaign", code=code)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The invitation filters were not valid.")
        return redirect("surveys:campaign", code=code)
    issued = campaign_services.campaign_invite(
        campaign=campaign, agencies=form.agencies(), link_for=link_maker(request)
    )
    if not issued:
        messages.info(request, "Every matching agency is already invited.")
        return redirect("surveys:campaign", code=code)
    return links_page(request, campaign, issued, f"Invited {len(issued)} agencies")


@login_required
@require_POST
def campaign_remind(request, code):
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    if not campaign.is_open():
        messages.error(request, "The campaign is closed: reopen it before sending reminders.")
        return redirect("surveys:campaign", code=code)
    pending = campaign_selectors.reminders_due(campaign.invitations).count()
    unconfirmed = _unconfirmed(
        request,
        campaign,
        title="Send reminders",
        consequence=f"{pending} agenc{'y' if pending == 1 else 'ies'} that have not submitted "
        "will each be e-mailed a reminder with a new link; their earlier links keep working. "
        "This cannot be undone.",
        button="Send the reminders",
    )
    if unconfirmed:
        return unconfirmed
    issued = campaign_services.campaign_send_reminders(
        campaign=campaign, link_for=link_maker(request)
    )
    if not issued:
        messages.info(request, "Every invited agency has submitted: no reminder to send.")
        return redirect("surveys:campaign", code=code)
    return links_page(request, campaign, issued, f"Reminded {len(issued)} agencies")


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
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    unconfirmed = request.POST.get("reopen") is None and _unconfirmed(
        request,
        campaign,
        title="Close the campaign",
        consequence="Every invitation link stops working at once: agencies can no longer "
        "answer, online or offline, until you reopen the campaign.",
        button="Close the campaign",
    )
    if unconfirmed:
        return unconfirmed
    if request.POST.get("reopen"):
        campaign_services.campaign_reopen(campaign=campaign)
        messages.success(request, f"Campaign {code} is open again until {campaign.closes_on}.")
    else:
        campaign_services.campaign_close(campaign=campaign)
        messages.success(request, f"Campaign {code} is closed: its links no longer work.")
    return redirect("surveys:campaign", code=code)


@login_required
@require_POST
def invitation_new_link(request, code, invitation_id):
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    invitation = get_object_or_404(campaign.invitations, pk=invitation_id)
    unconfirmed = _unconfirmed(
        request,
        campaign,
        title=f"New link for {invitation.agency.name}",
        consequence="The links this agency has now stop working at once; the new link is "
        "shown once, for you to send to the agency.",
        button="Withdraw the old links and make a new one",
    )
    if unconfirmed:
        return unconfirmed
    token = campaign_services.invitation_issue_token(invitation=invitation)
    issued = [campaign_services.IssuedLink(invitation, token, emailed=False)]
    return links_page(request, campaign, issued, "New link (earlier links no longer work)")


@login_required
@require_POST
def response_reopen(request, code, invitation_id):
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    response = get_object_or_404(
        Response, invitation__campaign=campaign, invitation_id=invitation_id
    )
    response_services.response_reopen(response=response)
    messages.success(
        request, f"The response of {response.invitation.agency.name} is open for changes again."
    )
    return redirect("surveys:campaign", code=code)
