"""Forged requests, formulas in exports, oversized posts and uploads."""

import csv
import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from surveys.models import (
    Campaign,
    Question,
    Questionnaire,
)
from surveys.models import Response as SurveyResponse
from tests.security.helpers import FORMULA, answers_of, section_post, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_section_save_without_the_csrf_token_is_refused_and_saves_nothing(
    csrf_client, token, invitation
):
    page = csrf_client.get(url("surveys:section", token, "forensics"))

    reply = csrf_client.post(
        url("surveys:section", token, "forensics"),
        {"DF-01_imp": "5", "version": page.context["version"], "action": "save"},
    )

    assert reply.status_code == 403
    # The page comes back with the typed answer, unsaved, and a new token.
    assert "were not saved yet" in reply.content.decode()
    assert answers_of(invitation) == {}


def test_a_submit_without_the_csrf_token_is_refused(csrf_client, token, invitation):
    csrf_client.get(url("surveys:review", token))

    reply = csrf_client.post(url("surveys:submit", token))

    assert reply.status_code == 403
    invitation.response.refresh_from_db()
    assert invitation.response.status == SurveyResponse.Status.DRAFT


def test_a_coordinator_action_without_the_csrf_token_is_refused(
    csrf_client, coordinator, invitation
):
    csrf_client.force_login(coordinator)
    csrf_client.get(url("surveys:campaign", "R1"))

    reply = csrf_client.post(url("surveys:campaign_close", "R1"))

    assert reply.status_code == 403
    assert Campaign.objects.get(code="R1").closed_at is None


def test_a_formula_typed_by_a_respondent_stays_text_in_the_audit_csv(
    client, coordinator, token, invitation
):
    section_post(client, token, "profile", {"profile_comment": FORMULA})
    assert answers_of(invitation)["profile_comment"] == FORMULA
    client.force_login(coordinator)

    reply = client.get(url("audit:csv", "R1"))

    cells = [cell for row in csv.reader(io.StringIO(reply.content.decode())) for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_formulas_stay_text_in_the_gap_csv(client, coordinator, submitted, questionnaire):
    # Statements come from the imported form: an XLSForm author is a stranger too.
    for question in Question.objects.filter(questionnaire=questionnaire, competency="DF-01"):
        question.label = {key: FORMULA for key in question.label}
        question.save(update_fields=["label"])
    client.force_login(coordinator)

    reply = client.get(url("analysis:gaps_csv", "R1"))

    rows = list(csv.reader(io.StringIO(reply.content.decode())))
    df01 = next(row for row in rows if row and row[0] == "DF-01")
    assert df01[1] == "'" + FORMULA
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_a_post_with_too_many_fields_gets_the_plain_400_page(client, token, invitation):
    fields = {f"field{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    reply = client.post(url("surveys:section", token, "profile"), fields)

    assert reply.status_code == 400
    assert "too large" in reply.content.decode()
    assert "Traceback" not in reply.content.decode()
    assert answers_of(invitation) == {}


def test_a_post_larger_than_the_limit_gets_the_plain_400_page(client, token):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    reply = client.post(url("surveys:section", token, "profile"), {"profile_comment": big})

    assert reply.status_code == 400
    assert "too large" in reply.content.decode()


def test_an_xlsform_above_the_size_limit_is_refused_in_the_admin(
    client, settings, shipped_form_bytes
):
    settings.XLSFORM_MAX_UPLOAD_BYTES = 1024
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    data = io.BytesIO(shipped_form_bytes)
    data.name = "tna.xlsx"

    page = client.post(reverse("admin:surveys_questionnaire_import"), {"file": data})

    assert page.status_code == 200
    assert "the limit is 1 KB" in page.content.decode()
    assert Questionnaire.objects.count() == 0
