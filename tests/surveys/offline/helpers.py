"""Downloading, filling and uploading offline workbooks, as a test does it."""

import datetime
import html
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys import offline
from surveys.models import Answer, OfflineUpload, Question, UserRole
from surveys.respond import services as response_services

Role = UserRole.Role


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


def prefilled(invitation):
    """What a response holds before anyone answers: the kind of agency, from
    the agency's record."""
    return {"agency_kind": invitation.agency.kind}


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
    assert stored(invitation) == prefilled(invitation)


def workbook_from_service(invitation):
    return binding_workbook(offline.build_offline_workbook(invitation))
