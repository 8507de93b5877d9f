"""Invitations and reminders in bulk as background jobs (common.jobs): a
round can invite a thousand agencies, and each e-mail may take a second.

Each agency gets its link by e-mail where it has an address. The job keeps
no link: its file lists who was invited or reminded and whether the e-mail
went, and for the agencies it could not e-mail the job's page offers fresh
links, shown once (surveys.campaigns.views.job_links). Each agency's outcome
is saved as it goes, so a job tried again after a failure does not invite
or remind anyone twice."""

import csv
import io
import smtplib

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import jobs
from common.downloads import escape_formula
from surveys import access
from surveys.campaigns import selectors as campaign_selectors
from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Invitation

# Each invitation's outcome; PENDING until its e-mail was tried (a job stopped
# there sends a fresh link when tried again).
PENDING, EMAILED, NO_ADDRESS, FAILED = "pending", "emailed", "no-address", "failed"


def link_maker(site):
    """`token -> absolute link` on the site the coordinator was using."""
    return lambda token: site.rstrip("/") + reverse("surveys:start", args=[token])


def _campaign(job):
    user_access = access.access_for(job.requested_by)
    campaign = access.campaigns_for(user_access).filter(code=job.params["campaign"]).first()
    if campaign is None or not user_access.is_coordinator:
        raise ValueError(_("No such campaign, or you may no longer invite for it."))
    return campaign


def _email(invitation, link, *, reminder):
    try:
        sent = campaign_services.email_link(invitation, link, reminder=reminder)
    except (smtplib.SMTPException, OSError) as error:
        return f"{FAILED}: {_mail_error(error)}"
    return EMAILED if sent else NO_ADDRESS


def _mail_error(error):
    """What went wrong, in words a coordinator can act on."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _("the mail server refused the address")
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return _("the mail server answered %(reply)s") % {"reply": f"{error.smtp_code} {reply}"}
    if isinstance(error, smtplib.SMTPException):
        return str(error) or error.__class__.__name__
    return _("the mail server could not be reached (%(error)s)") % {"error": error}


def invitations(job, progress):
    """Invite the agencies named in the job, those not invited yet."""
    campaign = _campaign(job)
    link_for = link_maker(job.params["site"])
    agencies = Agency.objects.filter(pk__in=job.params["agencies"]).select_related("country")
    todo = list(agencies.order_by("country__name", "name"))
    outcomes = job.result.setdefault("outcomes", {})
    for index, agency in enumerate(todo):
        progress(100 * index / len(todo), agency.name)
        with transaction.atomic():
            agency_invitations = campaign.invitations.filter(participant__isnull=True)
            invitation = agency_invitations.filter(agency=agency).first()
            if invitation is not None and outcomes.get(str(invitation.pk)) != PENDING:
                continue  # invited before, or by this job before it was tried again
            if invitation is None:
                invitation, token = campaign_services.invitation_create(
                    campaign=campaign, agency=agency
                )
            else:
                token = campaign_services.new_link(invitation)  # the earlier one never went
            _record(job, invitation, PENDING)
        _record(job, invitation, _email(invitation, link_for(token), reminder=False))
    return f"invitations-{campaign.code}.csv", _summary_csv(job)


def reminders(job, progress):
    """A reminder with a new link to each invitation named in the job that is
    still not submitted; earlier links keep working."""
    campaign = _campaign(job)
    if not campaign.is_open():
        raise ValueError(_("The campaign is closed: reopen it before sending reminders."))
    link_for = link_maker(job.params["site"])
    due = campaign_selectors.reminders_due(
        campaign.invitations.filter(pk__in=job.params["invitations"])
    ).select_related("agency__country", "campaign__questionnaire", "participant")
    outcomes = job.result.setdefault("outcomes", {})
    todo = [i for i in due.order_by("pk") if outcomes.get(str(i.pk), PENDING) == PENDING]
    for index, invitation in enumerate(todo):
        progress(100 * index / len(todo), invitation.agency.name)
        with transaction.atomic():
            token = campaign_services.new_link(invitation)
            if str(invitation.pk) not in outcomes:  # counted once, whatever the retries
                invitation.reminders_sent += 1
                invitation.last_reminded_at = timezone.now()
                invitation.save(update_fields=["reminders_sent", "last_reminded_at"])
            _record(job, invitation, PENDING)
        _record(job, invitation, _email(invitation, link_for(token), reminder=True))
    return f"reminders-{campaign.code}.csv", _summary_csv(job)


def _record(job, invitation, outcome):
    job.result.setdefault("outcomes", {})[str(invitation.pk)] = outcome
    jobs.job_save_result(job)


def unsent(job):
    """The invitations of a finished job whose link no e-mail carried."""
    ids = [int(pk) for pk, outcome in job.result.get("outcomes", {}).items() if outcome != EMAILED]
    return Invitation.objects.filter(pk__in=ids, campaign__code=job.params.get("campaign"))


def summary(job):
    """What the job's page says: how many, e-mailed, and not."""
    outcomes = list(job.result.get("outcomes", {}).values())
    emailed = outcomes.count(EMAILED)
    return {"done": len(outcomes), "emailed": emailed, "unsent": len(outcomes) - emailed}


def _outcome_text(outcome, invitation):
    if outcome == EMAILED:
        address = invitation.participant.email if invitation.participant_id else None
        return _("e-mailed to %(address)s") % {
            "address": address or invitation.agency.contact_email
        }
    if outcome == NO_ADDRESS:
        return _("not e-mailed: no address on file")
    return _("not e-mailed: %(error)s") % {"error": outcome.removeprefix(f"{FAILED}: ")}


def _summary_csv(job):
    """Who the job invited or reminded and whether the e-mail went; no link."""
    outcomes = job.result.get("outcomes", {})
    invitations = Invitation.objects.filter(pk__in=[int(pk) for pk in outcomes]).select_related(
        "agency__country", "participant"
    )
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([_("Agency"), _("Country"), _("E-mail")])
    for invitation in sorted(invitations, key=lambda i: (i.agency.country.name, i.agency.name)):
        row = [
            invitation.agency.name,
            invitation.agency.country.name,
            _outcome_text(outcomes[str(invitation.pk)], invitation),
        ]
        writer.writerow([escape_formula(cell) for cell in row])
    return ("\ufeff" + output.getvalue()).encode()
