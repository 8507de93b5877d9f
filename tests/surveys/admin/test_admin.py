import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from surveys.models import Invitation, Questionnaire, Response
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import read_xlsform

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = get_user_model().objects.create_superuser("coord", "c@example.org", "pw-long-enough")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "model",
    [
        "questionnaire",
        "section",
        "question",
        "choice",
        "agency",
        "country",
        "region",
        "campaign",
        "invitation",
        "response",
    ],
)
def test_every_list_opens_for_a_coordinator(client, coordinator, invitation, model):
    page = client.get(reverse(f"admin:surveys_{model}_changelist"))

    assert page.status_code == 200


def test_a_stranger_is_sent_to_the_login_page(client, questionnaire):
    page = client.get(reverse("admin:surveys_questionnaire_xlsform", args=[questionnaire.pk]))

    assert page.status_code == 302
    assert "/admin/login/" in page["Location"]


def test_the_xlsform_download_reads_back_as_the_same_questionnaire(
    client, coordinator, questionnaire
):
    page = client.get(reverse("admin:surveys_questionnaire_xlsform", args=[questionnaire.pk]))

    assert page["Content-Disposition"] == 'attachment; filename="tna-v1.xlsx"'
    assert read_xlsform(page.content).digest() == questionnaire.digest


def test_uploading_a_broken_xlsform_lists_the_problems_and_imports_nothing(client, coordinator):
    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["begin group", "g", "Group"])
    survey.append(["geopoint", "where", "Where?"])
    survey.append(["end group"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id"])
    settings.append(["broken"])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "broken.xlsx"

    page = client.post(reverse("admin:surveys_questionnaire_import"), {"file": data})

    assert page.status_code == 200
    assert "sheet &#x27;survey&#x27;, row 3, column &#x27;type&#x27;" in page.content.decode()
    assert "geopoint" in page.content.decode()
    assert Questionnaire.objects.count() == 0


def test_uploading_the_shipped_form_imports_and_publishes_it(
    client, coordinator, shipped_form_bytes
):
    data = io.BytesIO(shipped_form_bytes)
    data.name = "tna.xlsx"

    page = client.post(
        reverse("admin:surveys_questionnaire_import"), {"file": data, "publish": "on"}
    )

    assert page.status_code == 302
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.is_published
    assert questionnaire.questions.count() == 277


def test_adding_an_invitation_shows_its_link_once(client, coordinator, campaign, agency):
    page = client.post(
        reverse("admin:surveys_invitation_add"),
        {
            "campaign": campaign.pk,
            "agency": agency.pk,
            "links-TOTAL_FORMS": 0,
            "links-INITIAL_FORMS": 0,
        },
        follow=True,
    )

    link = re.search(r"http://testserver(/r/[A-Za-z0-9_\-]+/)", page.content.decode()).group(1)
    invitation = Invitation.objects.get(campaign=campaign, agency=agency)
    stored_hash = invitation.links.get().token_hash
    assert link.split("/")[2] not in stored_hash, "only the hash is stored"
    assert client.get(link).status_code == 200


def test_issuing_a_new_link_retires_the_old_one(client, coordinator, invitation, token):
    page = client.post(
        reverse("admin:surveys_invitation_changelist"),
        {"action": "issue_new_links", "_selected_action": [invitation.pk]},
        follow=True,
    )

    new_link = re.search(r"http://testserver(/r/[A-Za-z0-9_\-]+/)", page.content.decode()).group(1)
    assert client.get(f"/r/{token}/").status_code == 410
    assert client.get(new_link).status_code == 200


def test_withdrawing_a_link_makes_it_say_so(client, coordinator, invitation, token):
    client.post(
        reverse("admin:surveys_invitation_changelist"),
        {"action": "revoke_links", "_selected_action": [invitation.pk]},
    )

    assert client.get(f"/r/{token}/").status_code == 410


def test_a_coordinator_can_reopen_a_submitted_response(client, coordinator, invitation):
    response = Response.objects.create(invitation=invitation, status=Response.Status.SUBMITTED)

    client.post(
        reverse("admin:surveys_response_changelist"),
        {"action": "reopen", "_selected_action": [response.pk]},
    )

    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT


def test_a_campaign_can_only_use_a_published_questionnaire(client, coordinator, shipped_definition):

    draft, _ = questionnaire_services.questionnaire_import(definition=shipped_definition)

    page = client.post(
        reverse("admin:surveys_campaign_add"),
        {
            "code": "R9",
            "name": "Round",
            "questionnaire": draft.pk,
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
        },
    )

    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_a_campaign_with_answers_keeps_its_questionnaire(
    client, coordinator, campaign, invitation, shipped_definition
):
    import dataclasses

    from surveys.models import Campaign
    from surveys.respond import services as response_services

    response_services.response_open(invitation=invitation)
    other, _ = questionnaire_services.questionnaire_import(
        definition=dataclasses.replace(shipped_definition, form_version="2"), publish=True
    )
    fields = {
        "code": "R1",
        "name": "Round one",
        "opens_on": campaign.opens_on.isoformat(),
        "closes_on": campaign.closes_on.isoformat(),
    }

    page = client.post(
        reverse("admin:surveys_campaign_change", args=[campaign.pk]),
        {**fields, "questionnaire": other.pk},
    )

    assert page.status_code == 200
    assert "Agencies have already answered" in page.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).questionnaire == campaign.questionnaire


def test_a_coordinator_changes_which_audiences_a_kind_of_agency_trains(client, db):
    from surveys.models import KindAudience

    coordinator = get_user_model().objects.create_superuser("boss", "b@example.org", "pw")
    client.force_login(coordinator)
    mapping = KindAudience.objects.get(kind="prosecution")
    url = reverse("admin:surveys_kindaudience_change", args=[mapping.pk])

    page = client.get(url)
    reply = client.post(url, {"kind": "prosecution", "audiences": ["prosecutors", "judges"]})

    assert page.status_code == 200 and "Prosecutors" in page.content.decode()
    assert reply.status_code == 302
    mapping.refresh_from_db()
    assert mapping.audiences == ["prosecutors", "judges"]
    assert mapping.history.first().history_user == coordinator
    assert set(KindAudience.objects.values_list("kind", flat=True)) == {
        "police", "specialised_unit", "prosecution", "judiciary", "ministry",
    }  # fmt: skip
