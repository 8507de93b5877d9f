"""Invitations and reminders in bulk run as background jobs
(surveys.campaigns.jobs): every agency reached by e-mail where it can be,
fresh links shown once for the others, no link kept in the job's file, and
nobody invited or reminded twice when a job that stopped is tried again."""

import re
import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from common.models import Job
from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Invitation
from tests.conftest import make_agency

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/r/[A-Za-z0-9_\-]+/)")


@pytest.fixture
def agencies(campaign):
    """Three Kenyan agencies: two with an address, one without."""
    made = []
    for name, address in [("Cyber unit", "cyber@example.ke"), ("Court", ""),
                          ("Prosecutors", "dpp@example.ke")]:  # fmt: skip
        agency = make_agency(name, "KE", Agency.Kind.POLICE)
        agency.contact_email = address
        agency.save()
        made.append(agency)
    return made


def invite(client, coordinator):
    client.force_login(coordinator)
    return client.post(reverse("surveys:campaign_invite", args=["R1"]), {}, follow=True)


def job_file(client, job):
    reply = client.get(reverse("common:job_file", args=[job.pk]))
    return b"".join(reply.streaming_content).decode("utf-8-sig")


def test_the_job_emails_who_it_can_and_its_file_lists_them_without_a_link(
    client, coordinator, campaign, agencies
):
    page = invite(client, coordinator)

    job = Job.objects.get()
    assert job.kind == "invitations" and job.status == Job.Status.DONE
    text = page.content.decode()
    assert "3 agencies invited so far" in text
    assert "2 got their links by e-mail" in text
    assert "1 agency could not be e-mailed" in text
    assert sorted(message.to[0] for message in mail.outbox) == [
        "cyber@example.ke",
        "dpp@example.ke",
    ]
    listed = job_file(client, job)
    assert "Court,Kenya,not e-mailed: no address on file" in listed
    assert "Cyber unit,Kenya,e-mailed to cyber@example.ke" in listed
    assert "/r/" not in listed


def test_the_agencies_not_emailed_get_links_shown_once_that_work(
    client, coordinator, campaign, agencies
):
    invite(client, coordinator)
    job = Job.objects.get()

    page = client.post(reverse("surveys:job_links", args=["R1", job.pk]))

    links = LINK.findall(page.content.decode())
    assert len(links) == 1
    assert "Court" in page.content.decode()
    assert client.get(links[0]).status_code == 200
    court = Invitation.objects.get(agency__name="Court")
    assert court.links.filter(revoked_at__isnull=True).count() == 2, "nothing withdrawn"


@pytest.mark.parametrize("status", [Job.Status.RUNNING, Job.Status.FAILED])
def test_a_job_not_done_gives_no_links_its_agencies_may_yet_be_emailed(
    client, coordinator, campaign, agencies, status
):
    """Running, it may still e-mail them; failed, a retry may."""
    invite(client, coordinator)
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(status=status)
    links_before = {i.pk: i.links.count() for i in Invitation.objects.all()}

    page = client.post(reverse("surveys:job_links", args=["R1", job.pk]), follow=True)

    text = page.content.decode()
    assert "The links are offered once the job is done" in text
    assert not LINK.findall(text)
    assert {i.pk: i.links.count() for i in Invitation.objects.all()} == links_before


def test_an_email_that_fails_is_reported_and_the_others_still_go(
    client, coordinator, campaign, agencies, monkeypatch
):
    real = campaign_services.send_mail

    def refusing(subject, body, sender, to):
        if to == ["dpp@example.ke"]:
            raise smtplib.SMTPRecipientsRefused({"dpp@example.ke": (550, b"no such user")})
        return real(subject, body, sender, to)

    monkeypatch.setattr(campaign_services, "send_mail", refusing)

    page = invite(client, coordinator)

    assert "2 agencies could not be e-mailed" in page.content.decode()
    assert [message.to for message in mail.outbox] == [["cyber@example.ke"]]
    assert campaign.invitations.count() == 3
    listed = job_file(client, Job.objects.get())
    assert "Prosecutors,Kenya,not e-mailed: the mail server refused the address" in listed


def test_a_job_tried_again_invites_and_emails_no_one_twice(
    client, coordinator, campaign, agencies, monkeypatch
):
    real = campaign_services.email_link
    calls = []

    def breaking(invitation, link, *, reminder):
        calls.append(invitation.agency.name)
        if len(calls) == 2:
            raise RuntimeError("the mail server went away")
        return real(invitation, link, reminder=reminder)

    monkeypatch.setattr(campaign_services, "email_link", breaking)
    page = invite(client, coordinator)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "the mail server went away" in page.content.decode()

    client.post(reverse("common:job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert calls == ["Court", "Cyber unit", "Cyber unit", "Prosecutors"]
    assert sorted(m.to[0] for m in mail.outbox) == ["cyber@example.ke", "dpp@example.ke"]
    assert campaign.invitations.count() == 3
    assert client.get(LINK.findall(mail.outbox[0].body)[0]).status_code == 200


def test_only_a_coordinator_gets_the_links_and_only_of_that_campaigns_job(
    client, coordinator, campaign, agencies, focal_point, questionnaire
):
    invite(client, coordinator)
    job = Job.objects.get()
    client.force_login(focal_point)
    assert client.post(reverse("surveys:job_links", args=["R1", job.pk])).status_code == 403

    from surveys.demo import factories

    factories.campaign_open(questionnaire, "R2", "Round two")
    client.force_login(coordinator)
    assert client.post(reverse("surveys:job_links", args=["R2", job.pk])).status_code == 404
