"""The answers frame (analysis.selectors.answers_frame): one row per answer,
each number as a float beside its text as the form stored it; and the
questionnaire's labels in the reader's language."""

import math

import pytest
from django.utils import translation

from analysis.selectors import answers_frame, question_labels
from surveys.campaigns import services as campaign_services
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db


def test_each_answer_keeps_its_text_and_its_number(campaign):
    invitation, _ = campaign_services.invitation_create(
        campaign=campaign, agency=make_agency("Cyber unit", "KE")
    )
    submit_ratings(
        invitation,
        {"DF-01": (5, 2), "DF-02": (3, 3)},
        legal={"DF-R04": "12", "DF-R06": "2.5", "DF-R05": "0"},
    )

    frame = answers_frame([campaign]).set_index("question")

    expected = {"DF-01_imp": 5.0, "DF-01_cap": 2.0, "DF-02_imp": 3.0, "DF-02_cap": 3.0,
                "DF-R04": 12.0, "DF-R06": 2.5, "DF-R05": 0.0}  # fmt: skip
    for code, number in expected.items():
        assert frame.loc[code, "number"] == number
        assert frame.loc[code, "value"] == ("2.5" if code == "DF-R06" else str(int(number)))
    assert frame.loc["role", "value"] == "investigator"
    assert math.isnan(frame.loc["role", "number"])
    assert set(frame["country"]) == {"KE"} and set(frame["agency_name"]) == {"Cyber unit"}


def test_the_labels_are_in_the_readers_language_and_read_once(
    questionnaire, django_assert_num_queries
):
    with translation.override("fr"):
        french = question_labels(questionnaire)
        french["domains"]["forensics"] = "changed by a caller"
        with django_assert_num_queries(0):
            again = question_labels(questionnaire)
    with translation.override("en"):
        english = question_labels(questionnaire)

    assert again["domains"]["forensics"] == "Criminalistique numérique"
    assert again["competencies"]["DF-01"].startswith("Saisir et préserver")
    assert english["domains"]["forensics"] == "Digital forensics"
