"""The downloaded workbook: answers given online already in it, its language,
locked labels, validated answer cells, a signed binding."""

import datetime

import pytest
from django.utils import formats, translation

from surveys import offline
from surveys.models import Question
from surveys.respond import services as response_services
from tests.surveys.offline.helpers import (
    answer_cell,
    binding_workbook,
    download,
    filled,
    page_text,
    prefilled,
    save_online,
    stored,
    upload,
    url,
)

pytestmark = pytest.mark.django_db


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
        "agency_kind": "Specialised unit",  # pre-filled from the agency's record
    }
    assert answer_cell(workbook, "last_training_date").value.date() == datetime.date(2024, 5, 1)


def test_an_empty_cell_does_not_clear_an_answer_given_online(client, token, invitation):
    save_online(invitation, {"role": "judge", "years_in_post": "7"})
    workbook = download(client, token)

    upload(client, token, filled(workbook, {"years_in_post": None, "role": "Prosecutor"}))

    assert stored(invitation) == prefilled(invitation) | {
        "role": "prosecutor",
        "years_in_post": "7",
    }


def test_prefilled_text_that_looks_like_a_formula_is_written_as_text(client, token, invitation):
    comment = '=HYPERLINK("http://evil.example","Click")'
    save_online(invitation, {"profile_comment": comment})

    workbook = download(client, token)
    cell = answer_cell(workbook, "profile_comment")

    assert (cell.value, cell.data_type) == (comment, "s")
    reply = upload(client, token, filled(workbook, {}))
    assert "0 new or changed answers saved. No problem found." in page_text(reply)
    assert stored(invitation) == prefilled(invitation) | {"profile_comment": comment}


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
    assert "Available: English, Français" in text  # each language named in itself


def test_the_binding_names_the_invitation_and_is_signed(client, token, invitation):
    data = filled(download(client, token), {})

    reading = offline.read_offline_upload(data, invitation)

    assert reading.binding.invitation == str(invitation.pk)
    assert (reading.binding.questionnaire, reading.binding.version) == ("tna", "1")
    assert len(reading.binding.cells) == Question.objects.exclude(type="note").count()


def test_the_workbook_speaks_the_responses_language_whoever_downloads_it(invitation):
    # The service both downloads use; the request (here none) is in English.
    response = response_services.response_open(invitation=invitation)
    response_services.response_set_position(response=response, language="French (fr)")

    data = offline.build_offline_workbook(invitation, response=response)

    workbook = binding_workbook(data)
    with translation.override("fr"):
        long_date = translation.pgettext("long date", "d F Y")
        deadline = formats.date_format(invitation.campaign.closes_on, long_date)
        language, available = translation.gettext("Language"), translation.gettext("Deadline")
        sheet = translation.gettext("Instructions")
    rows = dict(workbook[sheet].iter_rows(max_col=2, values_only=True))
    assert language != "Language"  # the French catalogue was used
    assert rows[language].startswith("Français. ")
    assert "English, Français, Español, العربية, Русский, 中文" in rows[language]
    # Month names come from Django's own French catalogue: the build ran in French.
    assert rows[available] == deadline != invitation.campaign.closes_on.strftime("%d %B %Y")
    assert translation.get_language() == "en"  # and the request's language is left as it was
