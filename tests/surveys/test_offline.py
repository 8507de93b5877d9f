"""surveys/offline.py, offline_services.py and offline_views.py: the offline
questionnaire workbook, downloaded and uploaded by the agency or a coordinator."""

import dataclasses
import datetime
import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from surveys import offline
from surveys.campaigns import services as campaign_services
from surveys.models import Answer, OfflineUpload, Question, Response, UserRole
from surveys.offline.services import offline_upload_receive
from surveys.questionnaires import services as questionnaire_services
from surveys.respond import services as response_services
from tests.conftest import make_agency, make_user
from tests.surveys.test_xlsform import ENTITY_SHEETS, add_zeros, replace_member

pytestmark = pytest.mark.django_db
Role = UserRole.Role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def other_invitation(campaign):
    invitation, _ = campaign_services.invitation_create(
        campaign=campaign, agency=make_agency("Brazilian federal police", "BR")
    )
    return invitation


def url(name, *args):
    return reverse(f"surveys:{name}", args=args)


def workbook_from(reply):
    assert reply.status_code == 200
    assert reply["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(reply.content))


def download(client, token):
    return workbook_from(client.get(url("offline_download", token)))


def answer_cell(workbook, code):
    """The answer cell of a question, found as a person would: by its code in column A."""
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
                if cell.value == code:
                    return sheet.cell(cell.row, 4)
    raise KeyError(code)


def where(workbook, code):
    cell = answer_cell(workbook, code)
    return f"sheet '{cell.parent.title}', cell {cell.coordinate}"


def filled(workbook, values):
    for code, value in values.items():
        answer_cell(workbook, code).value = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, token, data, name="filled.xlsx"):
    return client.post(url("offline", token), {"workbook": SimpleUploadedFile(name, data)})


def page_text(reply):
    """The page's text as read: entities decoded, white space collapsed."""
    return " ".join(html.unescape(reply.content.decode()).split())


def stored(invitation):
    return dict(
        Answer.objects.filter(response__invitation=invitation).values_list(
            "question__code", "value"
        )
    )


def save_online(invitation, values):
    response = response_services.response_open(invitation=invitation)
    questions = Question.objects.filter(
        questionnaire=invitation.campaign.questionnaire, code__in=values
    )
    response_services.response_save_answers(
        response=response, questions=list(questions), values=values, base_version=0
    )


def binding_workbook(data):
    return openpyxl.load_workbook(io.BytesIO(data))


# Round trip -------------------------------------------------------------------


FILLED = {
    "role": "Investigator",
    "agency_kind": "Specialised unit",
    "years_in_post": 12,
    "training_languages": "English; French",
    "last_training_date": datetime.date(2025, 3, 1),
    "profile_comment": "Two of our examiners left this year.",
    "DF-01_imp": "4 – High",
    "DF-01_cap": "2 – Low",
    "DF-R04": 3,
    "DF-R06": 12.5,
}
FILLED_STORED = {
    "role": "investigator",
    "agency_kind": "specialised_unit",
    "years_in_post": "12",
    "training_languages": "en fr",
    "last_training_date": "2025-03-01",
    "profile_comment": "Two of our examiners left this year.",
    "DF-01_imp": "4",
    "DF-01_cap": "2",
    "DF-R04": "3",
    "DF-R06": "12.5",
}


def test_a_filled_workbook_saves_the_intended_answers(client, token, invitation):
    data = filled(download(client, token), FILLED)

    reply = upload(client, token, data, name="Kenya answers.xlsx")

    assert reply.status_code == 200
    assert "10 new or changed answers saved. No problem found." in page_text(reply)
    assert stored(invitation) == FILLED_STORED
    record = OfflineUpload.objects.get()
    assert (record.outcome, record.saved_answers, record.problems) == ("saved", 10, [])
    assert record.original_name == "Kenya answers.xlsx" and record.uploaded_by is None
    assert record.file.read() == data


def test_the_saved_answers_are_recorded_as_coming_from_the_workbook(client, token, invitation):
    upload(client, token, filled(download(client, token), {"role": "Judge"}), name="w.xlsx")

    answer = Answer.objects.get(question__code="role")
    assert answer.history.latest().history_change_reason == "offline workbook w.xlsx"


def test_labels_in_any_language_of_the_form_and_choice_names_are_accepted(
    client, token, invitation
):
    values = {
        "role": "Enquêteur ou enquêtrice",
        "training_languages": "anglais;  fr",
        "DF-01_imp": 3,
    }

    upload(client, token, filled(download(client, token), values))

    assert stored(invitation) == {
        "role": "investigator",
        "training_languages": "en fr",
        "DF-01_imp": "3",
    }


def test_uploading_the_same_workbook_again_changes_nothing(client, token, invitation):
    data = filled(download(client, token), FILLED)
    upload(client, token, data)

    reply = upload(client, token, data)

    assert "0 new or changed answers saved." in page_text(reply)
    assert stored(invitation) == FILLED_STORED


# Problems, cell by cell -------------------------------------------------------


def test_every_problem_is_listed_by_sheet_and_cell_and_the_valid_answers_are_saved(
    client, token, invitation
):
    workbook = download(client, token)
    data = filled(
        workbook,
        {
            "role": "Judge",
            "agency_kind": "Coast guard",
            "years_in_post": 75,
            "DF-01_imp": "=2+2",
            "DF-R04": "several",
            "DF-R05": 7,
        },
    )

    text = page_text(upload(client, token, data))

    expected = [
        f"{where(workbook, 'agency_kind')}: Select a valid choice. Coast guard is not one of "
        "the available choices.",
        f"{where(workbook, 'years_in_post')}: Enter a whole number of years between 0 and 50.",
        f"{where(workbook, 'DF-01_imp')}: formulas are not accepted; type the value.",
        f"{where(workbook, 'DF-R04')}: Enter a whole number.",
    ]
    for line in expected:
        assert line in text
    assert where(workbook, "DF-R04").startswith("sheet 'Digital forensics', cell D")
    assert stored(invitation) == {"role": "judge", "DF-R05": "7"}
    record = OfflineUpload.objects.get()
    assert (record.outcome, record.saved_answers) == ("partly", 2)
    assert [f"sheet '{p['sheet']}', cell {p['cell']}: {p['message']}" for p in record.problems] == (
        expected
    )


def test_a_date_typed_as_text_must_be_year_month_day(client, token, invitation):
    workbook = download(client, token)

    text = page_text(upload(client, token, filled(workbook, {"last_training_date": "01/03/2025"})))
    upload(client, token, filled(workbook, {"last_training_date": " 2025-03-01 "}))

    assert (
        f"{where(workbook, 'last_training_date')}: Enter the date as year-month-day, "
        "e.g. 2025-03-31." in text
    )
    assert stored(invitation) == {"last_training_date": "2025-03-01"}


def test_a_cell_that_cleans_to_nothing_does_not_clear_an_online_answer(client, token, invitation):
    save_online(invitation, {"training_languages": "en"})

    upload(client, token, filled(download(client, token), {"training_languages": " ; "}))

    assert stored(invitation) == {"training_languages": "en"}


def test_an_answer_to_a_question_that_does_not_apply_is_ignored_with_a_notice(
    client, token, invitation
):
    workbook = download(client, token)
    data = filled(workbook, {"role": "Judge", "role_other": "Cyber analyst"})

    text = page_text(upload(client, token, data))

    assert (
        f"{where(workbook, 'role_other')}: ignored: this question does not apply given the "
        "answers. Answer only if the answer to role is “Other”." in text
    )
    assert stored(invitation) == {"role": "judge"}
    record = OfflineUpload.objects.get()
    assert record.outcome == "saved"
    assert [p["kind"] for p in record.problems] == ["notice"]


def test_skip_logic_uses_the_answers_stored_online_too(client, token, invitation):
    save_online(invitation, {"role": "other"})

    upload(client, token, filled(download(client, token), {"role_other": "Cyber analyst"}))

    assert stored(invitation)["role_other"] == "Cyber analyst"


# Hostile and wrong files ------------------------------------------------------------


def assert_refused(reply, invitation, message, data=None):
    text = page_text(reply)
    assert reply.status_code == 200
    assert "The workbook was refused; no answer was saved." in text
    assert message in text
    record = OfflineUpload.objects.get()
    assert record.outcome == "refused" and record.saved_answers == 0
    assert message in record.problems[0]["message"]
    if data is not None:
        assert record.file.read() == data
    assert stored(invitation) == {}


def test_a_file_that_is_not_a_workbook_is_refused_and_kept(client, token, invitation):
    data = b"role,years_in_post\ninvestigator,12\n"

    reply = upload(client, token, data, name="answers.csv")

    assert_refused(reply, invitation, "the file is not an Excel workbook (.xlsx)", data)
    assert OfflineUpload.objects.get().file.name.endswith(".csv")


def test_a_file_over_the_limit_is_refused_before_it_is_read_and_not_kept(
    client, token, invitation, settings
):
    data = filled(download(client, token), FILLED)
    settings.OFFLINE_MAX_UPLOAD_BYTES = 1024

    reply = upload(client, token, data)

    assert "the limit is 1 KB" in page_text(reply)
    assert not OfflineUpload.objects.exists() and stored(invitation) == {}


def test_the_service_refuses_a_file_over_the_limit_without_keeping_it(invitation, settings):
    settings.OFFLINE_MAX_UPLOAD_BYTES = 1024

    record = offline_upload_receive(invitation=invitation, data=bytes(2048), filename="big.xlsx")

    assert record.pk is None and record.outcome == "refused"
    assert record.problems[0]["message"] == "The file is 2 KB; the limit is 1 KB."
    assert not OfflineUpload.objects.exists()


def test_a_zip_bomb_is_refused(client, token, invitation):
    data = add_zeros(filled(download(client, token), FILLED), megabytes=20)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "possible zip bomb", data)


@pytest.mark.parametrize("sheet_xml", ENTITY_SHEETS)
@pytest.mark.parametrize("member", ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet13.xml"])
def test_xml_entity_tricks_are_refused(client, token, invitation, sheet_xml, member):
    data = replace_member(filled(download(client, token), FILLED), member, sheet_xml)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "could not be read", data)


def test_another_agencys_workbook_is_refused_without_naming_it(
    client, token, invitation, other_invitation
):
    data = filled(workbook_from_service(other_invitation), FILLED)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "This workbook was made for another invitation", data)
    assert "Brazil" not in page_text(reply)


def workbook_from_service(invitation):
    return binding_workbook(offline.build_offline_workbook(invitation))


def test_a_workbook_of_another_questionnaire_version_is_refused(
    client, token, invitation, campaign, shipped_definition
):
    data = filled(download(client, token), FILLED)
    revised = dataclasses.replace(shipped_definition, title="Revised questionnaire")
    version_two, _ = questionnaire_services.questionnaire_import(definition=revised, publish=True)
    campaign.questionnaire = version_two
    campaign.save()

    reply = upload(client, token, data)

    assert_refused(
        reply,
        invitation,
        "This workbook was made for version 1 of the questionnaire; this invitation now uses "
        "version 2. Download a new workbook",
        data,
    )


def test_a_workbook_whose_binding_was_edited_is_refused(client, token, invitation):
    workbook = download(client, token)
    binding = workbook["binding"]
    # Point the role's answer cell at another question.
    row = next(r for r in binding.iter_rows(min_row=9) if r[2].value == "role")
    row[2].value = "agency_kind"
    data = filled(workbook, FILLED)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "its hidden binding to your invitation", data)


def test_a_workbook_whose_binding_names_another_invitation_is_refused(
    client, token, invitation, other_invitation
):
    workbook = download(client, token)
    workbook["binding"]["B2"] = str(other_invitation.pk)

    reply = upload(client, token, filled(workbook, FILLED))

    assert_refused(reply, invitation, "its hidden binding to your invitation")


def test_a_workbook_without_its_binding_sheet_is_refused(client, token, invitation):
    workbook = download(client, token)
    workbook.remove(workbook["binding"])
    data = filled(workbook, FILLED)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "its hidden binding to your invitation", data)


def test_a_workbook_with_inserted_rows_is_refused(client, token, invitation):
    workbook = download(client, token)
    workbook["Respondent profile"].insert_rows(5)
    data = filled(workbook, FILLED)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "Rows were inserted, removed or moved on sheet", data)


# Pre-filled answers -------------------------------------------------------------


def test_answers_saved_online_are_in_the_downloaded_workbook(client, token, invitation):
    save_online(
        invitation,
        {
            "role": "judge",
            "years_in_post": "7",
            "training_languages": "en fr",
            "last_training_date": "2024-05-01",
            "DF-R06": "12.5",
        },
    )

    workbook = download(client, token)

    values = {
        code: answer_cell(workbook, code).value
        for code in ("role", "years_in_post", "training_languages", "DF-R06", "agency_kind")
    }
    assert values == {
        "role": "Judge",
        "years_in_post": 7,
        "training_languages": "English; French",
        "DF-R06": 12.5,
        "agency_kind": None,
    }
    assert answer_cell(workbook, "last_training_date").value.date() == datetime.date(2024, 5, 1)


def test_an_empty_cell_does_not_clear_an_answer_given_online(client, token, invitation):
    save_online(invitation, {"role": "judge", "years_in_post": "7"})
    workbook = download(client, token)

    upload(client, token, filled(workbook, {"years_in_post": None, "role": "Prosecutor"}))

    assert stored(invitation) == {"role": "prosecutor", "years_in_post": "7"}


def test_prefilled_text_that_looks_like_a_formula_is_written_as_text(client, token, invitation):
    comment = '=HYPERLINK("http://evil.example","Click")'
    save_online(invitation, {"profile_comment": comment})

    workbook = download(client, token)
    cell = answer_cell(workbook, "profile_comment")

    assert (cell.value, cell.data_type) == (comment, "s")
    reply = upload(client, token, filled(workbook, {}))
    assert "0 new or changed answers saved. No problem found." in page_text(reply)
    assert stored(invitation) == {"profile_comment": comment}


def test_the_workbook_is_in_the_responses_language(client, token, invitation):
    client.get(url("start", token) + "?lang=French (fr)")

    workbook = download(client, token)

    assert workbook.sheetnames[:3] == [
        "Instructions",
        "Profil du répondant",
        "Criminalistique numérique",
    ]
    role = answer_cell(workbook, "role")
    assert role.parent.cell(role.row, 2).value == "Quelle est votre fonction ?"


def test_sheet_titles_are_short_enough_for_excel(client, token):
    titles = download(client, token).sheetnames

    assert "Mutual legal assistance and…" in titles
    assert all(len(title) <= 31 for title in titles)


# The workbook's design -------------------------------------------------------------


def test_labels_are_locked_and_answer_cells_are_open_and_validated(client, token):
    workbook = download(client, token)
    sheet = workbook["Respondent profile"]
    role = answer_cell(workbook, "role")

    assert sheet.protection.sheet and workbook.security.lockStructure
    assert sheet["B5"].protection.locked and not role.protection.locked
    by_cell = {
        str(validation.sqref): validation for validation in sheet.data_validations.dataValidation
    }
    kinds = {
        code: next(
            v.type
            for ref, v in by_cell.items()
            if answer_cell(workbook, code).coordinate in ref.split()
        )
        for code in ("role", "years_in_post", "last_training_date", "profile_comment")
    }
    assert kinds == {
        "role": "list",
        "years_in_post": "whole",
        "last_training_date": "date",
        "profile_comment": "textLength",
    }
    role_list = next(
        v for v in by_cell.values() if v.type == "list" and role.coordinate in str(v.sqref)
    )
    assert role_list.formula1.startswith("lists!$")
    assert workbook["lists"].sheet_state == "hidden"
    assert workbook["binding"].sheet_state == "veryHidden"


def test_conditional_questions_say_when_to_answer_them(client, token):
    workbook = download(client, token)
    sheet = workbook["Respondent profile"]
    row = answer_cell(workbook, "training_languages_other").row

    assert sheet.cell(row, 3).value.startswith(
        "Answer only if the answers to training_languages include “Other”."
    )
    assert sheet.cell(row, 5).value == "required"


def test_the_instructions_name_the_agency_the_campaign_and_the_deadline(client, token, invitation):
    sheet = download(client, token)["Instructions"]
    text = "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)

    assert "Cybercrime Unit, Kenya" in text and "Round one (R1)" in text
    assert invitation.campaign.closes_on.strftime("%d %B %Y") in text
    assert "Available: English, French." in text


def test_the_binding_names_the_invitation_and_is_signed(client, token, invitation):
    data = filled(download(client, token), {})

    reading = offline.read_offline_upload(data, invitation)

    assert reading.binding.invitation == str(invitation.pk)
    assert (reading.binding.questionnaire, reading.binding.version) == ("tna", "1")
    assert len(reading.binding.cells) == Question.objects.exclude(type="note").count()


# Pages and roles -----------------------------------------------------------------


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

    assert "10 new or changed answers saved." in page_text(reply)
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
