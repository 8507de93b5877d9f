"""The offline pages, for the agency through its link and for coordinators;
who may use which."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from surveys import offline
from surveys.campaigns import services as campaign_services
from surveys.models import Answer, OfflineUpload, Response
from surveys.respond import services as response_services
from tests.conftest import make_user
from tests.surveys.offline.helpers import (
    FILLED,
    FILLED_STORED,
    Role,
    assert_refused,
    download,
    filled,
    page_text,
    stored,
    upload,
    url,
    workbook_from,
    workbook_from_service,
)

pytestmark = pytest.mark.django_db


def test_the_start_page_links_to_the_offline_pages(client, token):
    text = client.get(url("start", token)).content.decode()

    assert url("offline", token) in text and url("offline_download", token) in text


def test_the_upload_page_explains_the_offline_questionnaire(client, token):
    reply = client.get(url("offline", token))

    assert reply.status_code == 200
    assert "does not remove an answer already saved online" in page_text(reply)


def test_a_bad_link_gets_the_same_clear_page(client, db):
    reply = client.get(url("offline_download", "x" * 43))

    assert reply.status_code == 404 and "This link is not valid" in page_text(reply)


def test_a_closed_campaign_refuses_the_link(client, token, campaign):
    campaign_services.campaign_close(campaign=campaign)

    assert client.get(url("offline_download", token)).status_code == 410
    assert upload(client, token, b"anything").status_code == 410
    assert not OfflineUpload.objects.exists()


def test_the_link_downloads_only_its_own_invitations_workbook(
    client, token, invitation, other_invitation
):
    reply = client.get(url("offline_download", token))
    reading = offline.read_offline_upload(reply.content, invitation)

    assert reading.binding.invitation == str(invitation.pk)
    assert "cybercrime-unit" in reply["Content-Disposition"]
    with pytest.raises(offline.WorkbookRefused):
        offline.read_offline_upload(reply.content, other_invitation)


def test_a_submitted_response_refuses_an_upload(client, token, invitation):
    data = filled(download(client, token), FILLED)
    Response.objects.filter(invitation=invitation).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "This questionnaire has been submitted", data)


def test_a_submitted_response_is_not_downloaded_through_the_link(client, token, invitation):
    response_services.response_open(invitation=invitation)
    Response.objects.filter(invitation=invitation).update(status=Response.Status.SUBMITTED)

    reply = client.get(url("offline_download", token))

    assert reply.status_code == 302 and reply["Location"] == url("done", token)


def test_a_coordinator_downloads_and_uploads_for_any_invitation(
    client, coordinator, campaign, other_invitation
):
    client.force_login(coordinator)
    code, pk = campaign.code, other_invitation.pk

    workbook = workbook_from(client.get(url("invitation_offline_download", code, pk)))
    reply = client.post(
        url("invitation_offline", code, pk),
        {"workbook": SimpleUploadedFile("brazil.xlsx", filled(workbook, FILLED))},
    )

    assert "9 new or changed answers saved." in page_text(reply)
    assert stored(other_invitation) == FILLED_STORED
    record = OfflineUpload.objects.get()
    assert record.uploaded_by == coordinator and record.invitation == other_invitation
    answer = Answer.objects.get(question__code="role")
    assert answer.history.latest().history_user == coordinator
    assert "brazil.xlsx" in page_text(client.get(url("invitation_offline", code, pk)))


def test_the_campaign_page_links_each_invitation_to_its_offline_page(
    client, coordinator, campaign, invitation
):
    client.force_login(coordinator)

    text = client.get(url("campaign", campaign.code)).content.decode()

    assert url("invitation_offline", campaign.code, invitation.pk) in text


def test_a_coordinator_cannot_upload_to_a_closed_campaign(
    client, coordinator, campaign, invitation
):
    data = filled(workbook_from_service(invitation), FILLED)
    campaign_services.campaign_close(campaign=campaign)
    client.force_login(coordinator)

    reply = client.post(
        url("invitation_offline", campaign.code, invitation.pk),
        {"workbook": SimpleUploadedFile("late.xlsx", data)},
    )

    assert_refused(reply, invitation, "The assessment round R1 is not open")


@pytest.mark.parametrize(
    ("username", "role", "country"),
    [("focal-ke", Role.FOCAL_POINT, "KE"), ("trainer", Role.TRAINER, None)],
)
def test_focal_points_and_trainers_get_403(client, campaign, invitation, username, role, country):
    client.force_login(make_user(username, role, country))
    code, pk = campaign.code, invitation.pk

    assert client.get(url("invitation_offline_download", code, pk)).status_code == 403
    assert client.get(url("invitation_offline", code, pk)).status_code == 403
    reply = client.post(
        url("invitation_offline", code, pk),
        {"workbook": SimpleUploadedFile("x.xlsx", b"anything")},
    )
    assert reply.status_code == 403 and not OfflineUpload.objects.exists()


def test_a_visitor_must_log_in_for_the_coordinators_pages(client, campaign, invitation):
    reply = client.get(url("invitation_offline_download", campaign.code, invitation.pk))

    assert reply.status_code == 302 and reply["Location"].startswith("/accounts/login/")


def test_a_coordinator_gets_404_for_an_invitation_of_another_campaign(
    client, coordinator, campaign, invitation, questionnaire
):
    other = campaign_services.campaign_create(
        code="R2",
        name="Round two",
        questionnaire=questionnaire,
        opens_on=campaign.opens_on,
        closes_on=campaign.closes_on,
    )
    client.force_login(coordinator)

    assert (
        client.get(url("invitation_offline_download", other.code, invitation.pk)).status_code == 404
    )
