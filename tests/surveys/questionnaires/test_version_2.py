"""Questionnaire version 2 (fixtures/questionnaire/): what it adds, and a
campaign on version 1 that keeps working beside it."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from analysis import results
from analysis.selectors import answers_frame
from surveys.campaigns import services as campaign_services
from surveys.demo import factories
from surveys.models import Agency, Choice, Question, Questionnaire
from surveys.questionnaires import expressions, rules
from surveys.questionnaires.selectors import questionnaire_structure
from tests.conftest import make_agency, submit_ratings

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
DOMAINS = {"forensics": "DF", "data_access": "AD", "undercover": "UC", "victims": "VI",
           "cooperation": "IC", "prosecution": "PA", "structures": "SR", "emerging": "ET",
           "prevention": "PR"}  # fmt: skip
REFERENCES = ("E/CN.15/2014/7", "UNODC Study 2014", "ECPAT", "Protect Children")


def test_every_rating_offers_not_applicable(questionnaire):
    lists = set(questionnaire.questions.exclude(competency="").values_list("list_name", flat=True))

    for list_name in lists:
        choice = Choice.objects.get(questionnaire=questionnaire, list_name=list_name, name="na")
        assert choice.label["English (en)"] == "Not applicable to our agency's remit"


def test_not_applicable_is_kept_out_of_n(questionnaire):
    campaign = factories.campaign_open(questionnaire, "R1", "Round one")
    for number in range(6):
        agency = make_agency(f"Unit {number}", "KE")
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        ratings = {"DF-02": (5, 2)} if number < 5 else {}
        response = submit_ratings(invitation, ratings)
        if number == 5:
            for code in ("DF-02_imp", "DF-02_cap"):
                response.answers.create(question=questionnaire.questions.get(code=code), value="na")

    table = results.overview(campaign, results.Filters())["competencies"]

    row = table.set_index("competency").loc["DF-02"]
    assert row["n"] == 5
    assert row["gap_mean"] == pytest.approx(3.0)
    frame = answers_frame([campaign])
    assert frame.loc[frame["value"] == "na", "number"].isna().all()


@pytest.mark.parametrize(
    ("kind", "skipped"),
    [
        ("prosecution", {"forensics", "undercover"}),
        ("judiciary", {"forensics", "undercover"}),
        ("ministry", {"forensics", "undercover"}),
        ("police", set()),
        ("specialised_unit", set()),
    ],
)
def test_sections_that_do_not_apply_to_a_kind_of_agency_are_skipped(questionnaire, kind, skipped):
    structure = questionnaire_structure(questionnaire)
    answers = {"agency_kind": kind}

    relevant = rules.relevance(structure, answers)

    applies = {s.code for s in structure.sections if rules.section_applies(structure, s, relevant)}
    assert {s.code for s in structure.sections} - applies == skipped


def test_each_domain_asks_staff_level_urgency_remedy_and_delivery(questionnaire):
    questions = {q.code: q for q in questionnaire.questions.all()}

    for section, prefix in DOMAINS.items():
        assert questions[f"{prefix}-staff"].type == Question.Type.INTEGER
        assert questions[f"{prefix}-staff"].section.code == section
        assert questions[f"{prefix}-level"].list_name == "training_level"
        assert questions[f"{prefix}-urgency"].list_name == "urgency"
        assert questions[f"{prefix}-remedy"].list_name == "remedy"
        assert questions[f"{prefix}-delivery"].list_name == "delivery"
    remedies = set(
        Choice.objects.filter(questionnaire=questionnaire, list_name="remedy").values_list(
            "name", flat=True
        )
    )
    assert {"training", "equipment", "legislation", "staffing"} <= remedies


def test_the_top_priorities_are_three_at_most(questionnaire):
    question = questionnaire.questions.get(code="top_priorities")

    assert expressions.evaluate(question.constraint, {}, "forensics victims emerging")
    assert not expressions.evaluate(
        question.constraint, {}, "forensics victims emerging undercover"
    )


@pytest.mark.parametrize(
    "code",
    ["UC-09", "UC-10", "IC-10", "ET-10", "VI-09", "SR-07", "SR-R11", "SR-R12", "AD-L07",
     "AD-L08", "PA-L03", "PA-L04", "PA-L05"],
)  # fmt: skip
def test_the_new_items_cite_the_reference_documents(questionnaire, code):
    questions = questionnaire.questions.filter(code__in=[code, f"{code}_imp", f"{code}_cap"])

    assert questions.exists()
    for question in questions:
        assert any(reference in question.source for reference in REFERENCES), question.source


def test_a_campaign_on_version_1_keeps_working_once_version_2_is_imported(db):
    call_command(
        "import_questionnaire", str(FIXTURES / "tna_questionnaire_v1.xlsx"), publish=True,
        stdout=io.StringIO(),
    )  # fmt: skip
    version_1 = Questionnaire.objects.get()
    campaign = factories.campaign_open(version_1, "R0", "Round zero")
    for number in range(5):
        agency = make_agency(f"Unit {number}", "KE", Agency.Kind.POLICE)
        invitation, _ = campaign_services.invitation_create(campaign=campaign, agency=agency)
        submit_ratings(invitation, {"DF-02": (5, 1)})
    call_command("import_questionnaire", str(FIXTURES / "tna_questionnaire.xlsx"), publish=True,
                 stdout=io.StringIO())  # fmt: skip
    call_command("import_courses", str(FIXTURES / "courses.csv"), stdout=io.StringIO())

    campaign.refresh_from_db()
    assert Questionnaire.objects.count() == 2
    assert campaign.questionnaire == version_1
    table = results.overview(campaign, results.Filters())["competencies"]
    assert table.set_index("competency").at["DF-02", "gap_mean"] == pytest.approx(4.0)
    plan = results.training_plan(campaign, results.Filters()).courses.set_index("code")
    # Version 1 asks no staff counts: the assumption, said to be one.
    assert plan.at["FOR-201", "participants"] == 5 * 2
    assert plan.at["FOR-201", "participants_assumed"] == 5
