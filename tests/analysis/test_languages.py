"""Results in the reader's language: the interface's words, and the
questionnaire's own texts (competency statements, domain names) where the
questionnaire has that language; a cached English table never reaches a
French reader."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from surveys.models import Question

pytestmark = pytest.mark.django_db


def statement(questionnaire, language):
    return Question.objects.get(questionnaire=questionnaire, code="DF-02_imp").label[language]


def test_the_dashboard_speaks_the_readers_language(client, coordinator, round_with_answers):
    client.force_login(coordinator)
    url = reverse("analysis:dashboard", args=["R1"])
    questionnaire = round_with_answers.questionnaire

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert statement(questionnaire, "English (en)") in english
    assert statement(questionnaire, "Spanish (es)") in spanish
    assert statement(questionnaire, "English (en)") not in spanish  # not the cached table
    domain = Question.objects.get(questionnaire=questionnaire, code="DF-02_imp").section.label
    assert '<html lang="es"' in spanish and domain["Spanish (es)"] in spanish


def test_the_trainers_workbook_speaks_the_readers_language(client, coordinator, round_with_answers):
    client.force_login(coordinator)

    reply = client.get(reverse("analysis:workbook", args=["R1"]), HTTP_ACCEPT_LANGUAGE="fr")

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(reply.streaming_content)))
    assert "Codebook" not in workbook.sheetnames
    with translation.override("fr"):
        codebook = workbook[translation.gettext("Codebook")]
    assert codebook["A1"].value.startswith("Libellés en French (fr)")
    labels = [row[3] for row in codebook.iter_rows(min_row=3, values_only=True)]
    assert statement(round_with_answers.questionnaire, "French (fr)") in labels


def test_an_arabic_readers_workbook_reads_right_to_left(client, coordinator, round_with_answers):
    client.force_login(coordinator)

    reply = client.get(reverse("analysis:workbook", args=["R1"]), HTTP_ACCEPT_LANGUAGE="ar")
    english = client.get(reverse("analysis:workbook", args=["R1"]), HTTP_ACCEPT_LANGUAGE="en")

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(reply.streaming_content)))
    assert all(sheet.sheet_view.rightToLeft for sheet in workbook)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(english.streaming_content)))
    assert not any(sheet.sheet_view.rightToLeft for sheet in workbook)
