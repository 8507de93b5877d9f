"""Labelled exports for SPSS, Stata, R and pandas: reading the files back
gives the database's answers, with the questions and choices as labels."""

import io

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from django.urls import reverse

from surveys.campaigns import services as campaign_services
from surveys.demo import factories
from surveys.exports.labelled import Names
from tests.conftest import make_agency, make_user

pytestmark = pytest.mark.django_db

ANSWERS = {
    "Unit A": {"role": "investigator", "DF-04_imp": "5", "DF-04_cap": "na", "AD-L01": "partly",
               "training_languages": "en fr", "years_in_post": "7", "role_other": ""},
    "Unit B": {"role": "prosecutor", "DF-04_imp": "2", "DF-04_cap": "1", "AD-L01": "dont_know",
               "training_languages": "ar", "years_in_post": "12"},
}  # fmt: skip


@pytest.fixture
def answered(campaign):
    for name, values in ANSWERS.items():
        invitation, _ = campaign_services.invitation_create(
            campaign=campaign, agency=make_agency(name, "KE")
        )
        factories.response_with_answers(invitation, {k: v for k, v in values.items() if v})
    campaign_services.invitation_create(campaign=campaign, agency=make_agency("Silent", "KE"))
    return campaign


def export(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    call_command("export_responses", "--campaign", "R1", "--format", fmt, "--output",
                 str(path), stdout=io.StringIO())  # fmt: skip
    return path


def test_names_are_legal_short_and_unique():
    names = Names()

    assert names("DF-04_imp") == "DF_04_imp"
    assert names("4-things") == "v4_things"
    long = "remedy__" + "x" * 40
    first, second = names(long), names(long)
    assert len(first) == len(second) == 32 and first != second


def test_the_sav_file_reads_back_as_the_database_with_its_labels(tmp_path, answered):
    frame, meta = pyreadstat.read_sav(str(export(tmp_path, "sav")), user_missing=True)

    assert list(frame["agency"]) == ["Unit A", "Unit B"]  # submitted only
    assert list(frame.columns[:6]) == [
        "agency", "country", "iso_code", "un_region", "agency_kind", "submitted_at"
    ]  # fmt: skip
    assert list(frame["iso_code"]) == ["KEN", "KEN"]
    assert list(frame["DF_04_imp"]) == [5, 2]
    assert list(frame["DF_04_cap"]) == [99, 1]  # not applicable, declared missing
    assert meta.missing_ranges["DF_04_cap"] == [{"lo": 99.0, "hi": 99.0}]
    assert meta.variable_value_labels["DF_04_imp"][1] == "1 – Very low"
    assert meta.variable_value_labels["DF_04_imp"][99] == "Not applicable to our agency's remit"
    assert meta.column_names_to_labels["DF_04_imp"].endswith("(importance)")
    assert list(frame["AD_L01"]) == [2, 98]  # yes 1 / partly 2 / no 3; don't know 98
    assert meta.variable_value_labels["AD_L01"] == {
        1: "Yes", 2: "Partly", 3: "No", 98: "Don't know"
    }  # fmt: skip
    assert list(frame["training_languages__fr"]) == [1, 0]
    assert list(frame["training_languages__ar"]) == [0, 1]
    assert list(frame["years_in_post"]) == [7, 12]
    assert meta.variable_value_labels["role"][1] == "Investigator"
    assert meta.variable_measure["DF_04_imp"] == "ordinal"
    assert meta.variable_measure["role"] == "nominal"
    assert meta.variable_measure["years_in_post"] == "scale"


def test_the_dta_file_keeps_labels_and_stata_missing_values(tmp_path, answered):
    frame, meta = pyreadstat.read_dta(str(export(tmp_path, "dta")), user_missing=True)

    assert list(frame["DF_04_cap"]) == ["b", 1]  # .b, not applicable
    assert list(frame["AD_L01"]) == [2, "a"]  # .a, don't know
    assert meta.variable_value_labels["AD_L01"]["a"] == "Don't know"
    assert meta.variable_value_labels["DF_04_imp"][5] == "5 – Very high"
    assert meta.column_names_to_labels["role"] == "What is your role?"


def test_csv_and_parquet_hold_the_same_values_with_a_codebook(tmp_path, answered):
    path = export(tmp_path, "csv")
    table = pd.read_csv(path, encoding="utf-8-sig")
    codebook = pd.read_csv(path.with_name("out.codebook.csv"), encoding="utf-8-sig")
    parquet = pd.read_parquet(export(tmp_path, "parquet"))

    assert list(table["DF_04_cap"]) == list(parquet["DF_04_cap"]) == [99, 1]
    row = codebook[codebook["variable"] == "DF_04_imp"].iloc[0]
    assert row["code"] == "DF-04_imp" and row["missing"] == 99
    assert row["values"].startswith("1 = 1 – Very low; 2 = 2 – Low")


def test_only_coordinators_download_the_responses(client, answered):
    url = reverse("surveys:responses_download", args=["R1", "sav"])
    client.force_login(make_user("trainer", "trainer"))
    assert client.get(url).status_code in (403, 404)

    client.force_login(make_user("coord", "coordinator"))
    reply = client.get(url)

    assert reply.status_code == 200
    assert reply["Content-Disposition"].startswith('attachment; filename="R1-responses.sav"')
    assert client.get(reverse("surveys:responses_download", args=["R1", "xls"])).status_code == 404
    assert b"DF_04_imp" in client.get(reverse("surveys:responses_codebook", args=["R1"])).content
