"""Responses collected with KoboToolbox or ODK Central, brought back from
their exports: every cell checked as the online form checks it."""

import csv
import io
import random

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from surveys.campaigns import services as campaign_services
from surveys.demo import factories
from surveys.demo.answers import plausible_answers
from surveys.imports.collected import agency_choice_name
from surveys.imports.services import responses_import
from surveys.models import Answer, Invitation, Response
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.questionnaires.xlsform import read_xlsform
from tests.conftest import make_agency

pytestmark = pytest.mark.django_db

KOBO_METADATA = ["start", "end", "_id", "_uuid", "_submission_time", "meta/instanceID"]


@pytest.fixture
def invited(campaign):
    agencies = [make_agency("Unit A", "KE"), make_agency("Unit B", "BR", kind="prosecution")]
    for agency in agencies:
        campaign_services.invitation_create(campaign=campaign, agency=agency)
    return agencies


def full_answers(campaign, agency, seed):
    """A complete response, select-multiple names in the choice list's order
    (as the online form stores them)."""
    structure = questionnaire_selectors.questionnaire_structure(campaign.questionnaire)
    answers = plausible_answers(structure, structure.sections, agency, random.Random(seed))
    for question in structure.questions:
        if question.type == "select_multiple" and question.code in answers:
            order = [c.name for c in structure.choices[question.list_name]]
            answers[question.code] = " ".join(
                sorted(answers[question.code].split(), key=order.index)
            )
    return answers


def kobo_rows(campaign, rows, *, separator="/", split=True, combined=True):
    """A KoboToolbox-style export: group-prefixed headers, select-multiple as
    a column of names and (`split`) one 0/1 column per choice, metadata."""
    structure = questionnaire_selectors.questionnaire_structure(campaign.questionnaire)
    headers, cells = KOBO_METADATA[:2] + [f"profile{separator}agency"], []
    for section in structure.sections:
        for question in structure.questions_by_section[section.pk]:
            if question.type == "note":
                continue
            name = f"{section.code}{separator}{question.code}"
            if question.type != "select_multiple" or combined:
                headers.append(name)
            if question.type == "select_multiple" and split:
                headers += [f"{name}/{c.name}" for c in structure.choices[question.list_name]]
    headers += KOBO_METADATA[2:]
    for agency, values in rows:
        by_header = {f"profile{separator}agency": agency_choice_name(agency)}
        for header in headers:
            code = header.split(separator, 1)[-1]
            if "/" in code and code.split("/")[0] in values or code in values:
                base, _, choice = code.partition("/")
                by_header[header] = int(choice in values[base].split()) if choice else values[code]
        by_header.update({"start": "2026-11-02T09:00:00", "_id": 7, "_uuid": "c0ffee"})
        cells.append([by_header.get(header, "") for header in headers])
    return headers, cells


def xlsx(headers, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def as_csv(headers, rows):
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(headers)
    writer.writerows(rows)
    return output.getvalue().encode()


def stored(agency):
    response = Response.objects.get(invitation__agency=agency)
    return response, dict(response.answers.values_list("question__code", "value"))


def test_a_kobotoolbox_export_is_imported_and_submitted(campaign, invited):
    a, b = invited
    answers = {a: full_answers(campaign, a, 1), b: full_answers(campaign, b, 2)}
    data = xlsx(*kobo_rows(campaign, answers.items()))

    report = responses_import(campaign=campaign, data=data, filename="kobo.xlsx")

    assert report.problems == [] and report.notices == []  # metadata ignored silently
    assert (report.rows, report.submitted, report.drafts) == (2, 2, 0)
    for agency in invited:
        response, values = stored(agency)
        assert response.is_submitted
        assert values == answers[agency]
    assert Invitation.objects.get(agency=a).status == Invitation.Status.SUBMITTED
    assert "en" in answers[a]["training_languages"].split()


def test_odk_central_csv_with_one_column_per_choice_is_imported(campaign, invited):
    a, _ = invited
    answers = full_answers(campaign, a, 3)
    headers, rows = kobo_rows(campaign, [(a, answers)], separator="-", combined=False)
    assert "profile-training_languages/en" in headers
    assert "profile-training_languages" not in headers

    report = responses_import(campaign=campaign, data=as_csv(headers, rows), filename="odk.csv")

    assert report.problems == []
    assert stored(a)[1]["training_languages"] == answers["training_languages"]
    assert stored(a)[1] == answers


def test_importing_the_same_file_twice_changes_nothing(campaign, invited):
    data = xlsx(*kobo_rows(campaign, [(a, full_answers(campaign, a, 4)) for a in invited]))
    responses_import(campaign=campaign, data=data, filename="kobo.xlsx")
    history = Answer.history.count()

    again = responses_import(campaign=campaign, data=data, filename="kobo.xlsx")

    assert (again.saved, again.unchanged, again.submitted) == (0, 2, 0)
    assert again.notices == []
    assert Answer.history.count() == history


def test_a_file_with_bad_cells_is_refused_naming_row_and_column(campaign, invited):
    a, b = invited
    headers, rows = kobo_rows(campaign, [(a, full_answers(campaign, a, 5)), (b, {"role": "x"})])
    rows[0][headers.index("forensics/DF-01_imp")] = "7"
    rows[0][headers.index("profile/years_in_post")] = "many"
    rows[1][headers.index("profile/agency")] = "Unknown Unit"

    report = responses_import(campaign=campaign, data=xlsx(headers, rows), filename="bad.xlsx")

    assert not report.written
    assert report.problems == [
        "row 2, column 'profile/years_in_post': Enter a whole number.",
        "row 2, column 'forensics/DF-01_imp': Select a valid choice. 7 is not one of the "
        "available choices.",
        "row 3, column 'profile/agency': 'Unknown Unit' is not an agency invited to this campaign.",
    ]
    assert not Response.objects.exists()


def test_the_command_refuses_a_bad_file_and_writes_nothing(campaign, invited, tmp_path):
    a, _ = invited
    headers, rows = kobo_rows(campaign, [(a, full_answers(campaign, a, 6))])
    rows[0][headers.index("profile/training_languages")] = "en klingon"
    path = tmp_path / "bad.csv"
    path.write_bytes(as_csv(headers, rows))

    with pytest.raises(CommandError) as refused:
        call_command("import_responses", "--campaign", "R1", str(path), stdout=io.StringIO())

    assert "nothing was written: 1 problems" in str(refused.value)
    assert "row 2, column 'profile/training_languages': Select a valid choice. klingon" in str(
        refused.value
    )
    assert not Response.objects.exists()


def test_a_dry_run_reports_and_writes_nothing(campaign, invited, tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(
        xlsx(*kobo_rows(campaign, [(invited[0], full_answers(campaign, invited[0], 7))]))
    )
    stdout = io.StringIO()

    call_command("import_responses", "--campaign", "R1", str(path), "--dry-run", stdout=stdout)

    assert "Would import 1 rows" in stdout.getvalue()
    assert "1 responses submitted" in stdout.getvalue()
    assert not Response.objects.exists()
    assert Invitation.objects.get(agency=invited[0]).status == Invitation.Status.SENT


def test_an_answer_given_online_is_kept_unless_overwrite(campaign, invited):
    a, _ = invited
    invitation = Invitation.objects.get(agency=a)
    factories.response_with_answers(invitation, {"DF-01_imp": "2"}, submitted=False)
    answers = full_answers(campaign, a, 8) | {"DF-01_imp": "5"}
    data = xlsx(*kobo_rows(campaign, [(a, answers)]))

    report = responses_import(campaign=campaign, data=data, filename="kobo.xlsx")

    assert stored(a)[1]["DF-01_imp"] == "2"
    assert any("question DF-01_imp: answered '2' already" in n for n in report.notices)
    assert stored(a)[1]["DF-02_imp"] == answers["DF-02_imp"]  # the rest is imported

    replaced = responses_import(campaign=campaign, data=data, filename="kobo.xlsx", overwrite=True)

    assert replaced.saved == 1
    assert stored(a)[1]["DF-01_imp"] == "5"


def test_a_submitted_response_is_changed_only_with_overwrite(campaign, invited):
    a, _ = invited
    factories.response_with_answers(Invitation.objects.get(agency=a), full_answers(campaign, a, 9))
    answers = full_answers(campaign, a, 10)
    data = xlsx(*kobo_rows(campaign, [(a, answers)]))

    kept = responses_import(campaign=campaign, data=data, filename="kobo.xlsx")

    assert kept.saved == 0 and stored(a)[1] != answers
    assert any("the response was submitted already" in n or "already" in n for n in kept.notices)

    responses_import(campaign=campaign, data=data, filename="kobo.xlsx", overwrite=True)
    response, values = stored(a)
    assert response.is_submitted
    # Every answer of the file is in; empty cells clear nothing.
    assert {code: values[code] for code in answers} == answers


def test_a_row_missing_required_answers_stays_a_draft(campaign, invited):
    a, _ = invited
    data = xlsx(*kobo_rows(campaign, [(a, {"role": "investigator", "DF-01_imp": "4"})]))

    report = responses_import(campaign=campaign, data=data, filename="part.xlsx")

    response, values = stored(a)
    assert not response.is_submitted and values["DF-01_imp"] == "4"
    assert report.drafts == 1
    assert "required answers are missing" in report.notices[0]


def test_rows_are_matched_on_agency_name_and_country_without_an_agency_list(campaign, invited):
    a, _ = invited
    make_agency("Unit A", "BR")  # the same name elsewhere, not invited
    headers = ["agency_name", "country", "role", "DF-01_imp", "_index"]
    data = as_csv(headers, [["unit a", "KEN", "Investigator", "4", "1"]])

    report = responses_import(campaign=campaign, data=data, filename="other.csv")

    assert report.problems == []
    assert stored(a)[1] == {
        "role": "investigator", "DF-01_imp": "4", "agency_kind": "specialised_unit"
    }  # fmt: skip


def test_an_agency_column_can_be_named(campaign, invited):
    data = as_csv(["Organisation", "role"], [["Unit B", "prosecutor"]])

    report = responses_import(
        campaign=campaign, data=data, filename="o.csv", agency_column="Organisation"
    )

    assert report.problems == [] and stored(invited[1])[1]["role"] == "prosecutor"


def test_two_rows_for_one_agency_are_refused(campaign, invited):
    data = as_csv(["agency", "role"], [["Unit A", "judge"], ["Unit A", "manager"]])

    report = responses_import(campaign=campaign, data=data, filename="twice.csv")

    assert report.problems == [
        "row 3: Unit A (KE) is also in row 2; keep one row per agency, the one to import."
    ]


def test_the_xlsform_for_collection_lists_the_invited_agencies(
    client, coordinator, campaign, invited
):
    make_agency("Not invited", "KE")
    client.force_login(coordinator)

    response = client.get(reverse("surveys:collection_xlsform", args=["R1"]))

    assert response.status_code == 200
    definition = read_xlsform(response.content)
    first = definition.sections[0].questions[0]
    assert (first.code, first.type, first.list_name, first.required) == (
        "agency", "select_one", "agency", True
    )  # fmt: skip
    agencies = {
        c.name: c.label["English (en)"] for c in definition.choices if c.list_name == "agency"
    }
    assert agencies == {
        agency_choice_name(invited[0]): "Unit A (Kenya)",
        agency_choice_name(invited[1]): "Unit B (Brazil)",
    }
    assert len(definition.questions) == len(campaign.questionnaire.questions.all()) + 1


def test_the_xlsform_for_collection_is_for_coordinators_only(client, trainer, campaign):
    client.force_login(trainer)

    response = client.get(reverse("surveys:collection_xlsform", args=["R1"]))

    assert response.status_code in (403, 404)


def test_a_coordinator_imports_from_the_admin(client, admin_user, campaign, invited):
    a, _ = invited
    data = xlsx(*kobo_rows(campaign, [(a, full_answers(campaign, a, 11))]))
    url = reverse("admin:surveys_campaign_import_responses", args=[campaign.pk])
    client.force_login(admin_user)

    def post(**fields):
        upload = io.BytesIO(data)
        upload.name = "kobo.xlsx"
        return client.post(url, {"file": upload, "agency_column": "", **fields})

    checked = post(dry_run="on")
    assert "Checked kobo.xlsx: 1 row can be imported; nothing was written." in checked.text
    assert not Response.objects.exists()

    imported = post()
    assert "Imported 1 row of kobo.xlsx." in imported.text
    assert stored(a)[0].is_submitted
    record = stored(a)[0].answers.get(question__code="DF-01_imp").history.first()
    assert (record.history_user, record.history_change_reason) == (
        admin_user, "imported from kobo.xlsx, row 2"
    )  # fmt: skip


def test_the_admin_lists_a_bad_files_problems(client, admin_user, campaign, invited):
    url = reverse("admin:surveys_campaign_import_responses", args=[campaign.pk])
    client.force_login(admin_user)
    upload = io.BytesIO(as_csv(["agency", "DF-01_imp"], [["Unit A", "9"]]))
    upload.name = "bad.csv"

    response = client.post(url, {"file": upload})

    assert "The file was not imported; nothing was changed." in response.text
    assert "row 2, column &#x27;DF-01_imp&#x27;: Select a valid choice." in response.text


def test_a_file_without_an_agency_column_is_refused_with_advice(campaign, invited):
    from surveys.imports.services import ImportRefused

    with pytest.raises(ImportRefused, match="No column names the agency"):
        responses_import(campaign=campaign, data=as_csv(["role"], [["judge"]]), filename="x.csv")
