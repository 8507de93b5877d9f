"""A filled workbook read back: the intended answers saved, every problem
named by sheet and cell, and hostile or wrong files refused."""

import dataclasses

import pytest

from surveys.models import Answer, OfflineUpload
from surveys.offline.services import offline_upload_receive
from surveys.questionnaires import services as questionnaire_services
from tests.surveys.offline.helpers import (
    FILLED,
    FILLED_STORED,
    assert_refused,
    download,
    filled,
    page_text,
    prefilled,
    save_online,
    stored,
    upload,
    where,
    workbook_from_service,
)
from tests.surveys.questionnaires.xlsforms import ENTITY_SHEETS, add_zeros, replace_member

pytestmark = pytest.mark.django_db


def test_a_filled_workbook_saves_the_intended_answers(client, token, invitation):
    data = filled(download(client, token), FILLED)

    reply = upload(client, token, data, name="Kenya answers.xlsx")

    assert reply.status_code == 200
    assert "9 new or changed answers saved. No problem found." in page_text(reply)
    assert stored(invitation) == FILLED_STORED
    record = OfflineUpload.objects.get()
    assert (record.outcome, record.saved_answers, record.problems) == ("saved", 9, [])
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

    assert stored(invitation) == prefilled(invitation) | {
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
    assert stored(invitation) == prefilled(invitation) | {"role": "judge", "DF-R05": "7"}
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
    assert stored(invitation) == prefilled(invitation) | {"last_training_date": "2025-03-01"}


def test_a_cell_that_cleans_to_nothing_does_not_clear_an_online_answer(client, token, invitation):
    save_online(invitation, {"training_languages": "en"})

    upload(client, token, filled(download(client, token), {"training_languages": " ; "}))

    assert stored(invitation) == prefilled(invitation) | {"training_languages": "en"}


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
    assert stored(invitation) == prefilled(invitation) | {"role": "judge"}
    record = OfflineUpload.objects.get()
    assert record.outcome == "saved"
    assert [p["kind"] for p in record.problems] == ["notice"]


def test_skip_logic_uses_the_answers_stored_online_too(client, token, invitation):
    save_online(invitation, {"role": "other"})

    upload(client, token, filled(download(client, token), {"role_other": "Cyber analyst"}))

    assert stored(invitation)["role_other"] == "Cyber analyst"


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
    assert not OfflineUpload.objects.exists() and stored(invitation) == prefilled(invitation)


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
