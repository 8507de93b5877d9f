"""The checked plan on a small hand-made campaign: audiences, preconditions,
participants from the answers, cohorts by language, cost; no database."""

from decimal import Decimal

import pandas as pd
import pytest

from analysis import eligibility, plan
from analysis.selectors import FRAME_COLUMNS

# response: (agency name, kind, country, country name, region, role)
AGENCIES = {
    1: ("Kenya police", "police", "KE", "Kenya", "Africa", "investigator"),
    2: ("Kenya prosecution", "prosecution", "KE", "Kenya", "Africa", "prosecutor"),
    3: ("Nigeria police", "police", "NG", "Nigeria", "Africa", "investigator"),
    4: ("Senegal unit", "specialised_unit", "SN", "Senegal", "Africa", "forensic_examiner"),
    5: ("Kenya judiciary", "judiciary", "KE", "Kenya", "Africa", "judge"),
    6: ("Kenya NGO", "other", "KE", "Kenya", "Africa", "prosecutor"),
}
# Every agency rates DF-02 importance 5, capability 1: all need it by gap.
# Other answers by response: question code → value.
ANSWERS = {
    1: {"DF-R01": "yes", "UC-L01": "no", "DF-staff": "12", "training_languages": "en fr"},
    2: {"DF-R01": "yes", "DF-staff": "40", "training_languages": "en"},
    3: {"DF-R01": "no", "training_languages": "en"},
    4: {"DF-R01": "partly", "DF-staff": "3", "training_languages": "fr"},
    5: {"DF-staff": "7"},
    6: {"DF-staff": "0"},
}
DOMAINS = {"DF": "forensics", "UC": "undercover", "tr": "profile"}


def frame():
    rows = []
    for response, (name, kind, country, country_name, region, role) in AGENCIES.items():
        answers = {"DF-02_imp": "5", "DF-02_cap": "1", "UC-01_imp": "5", "UC-01_cap": "1"}
        answers.update(ANSWERS[response])
        for question, value in answers.items():
            rated = question.endswith(("_imp", "_cap"))
            try:
                number = float(value)
            except ValueError:
                number = float("nan")
            rows.append(
                {
                    "response": response,
                    "agency": response,
                    "agency_name": name,
                    "country": country,
                    "country_name": country_name,
                    "region": region,
                    "agency_kind": kind,
                    "role": role,
                    "campaign": "R1",
                    "question": question,
                    "domain": DOMAINS[question[:2]],
                    "competency": question[:5] if rated else "",
                    "dimension": ("importance" if question.endswith("_imp") else "capability")
                    if rated
                    else "",
                    "value": value,
                    "number": number,
                }
            )
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def course(code, competencies, audiences, preconditions=(), days="5"):
    return {
        "code": code,
        "title": f"Course {code}",
        "audiences": audiences,
        "level": "intermediate",
        "duration_days": Decimal(days),
        "competencies": competencies,
        "prerequisites": [],
        "preconditions": list(preconditions),
    }


FOR = course("FOR-201", ["DF-02"], ["forensic_examiners"], ["DF-R01"])
UCO = course("UCO-201", ["UC-01"], ["investigators"], ["UC-L01"])
LABELS = {"DF-R01": "Forensic hardware", "UC-L01": "Undercover powers online"}


def checked(courses=(FOR, UCO), **options):
    options.setdefault("min_n", 2)
    return plan.build_plan(frame(), list(courses), question_labels=LABELS, **options)


def counted(result, code):
    rows = result.agencies[result.agencies["code"] == code]
    return dict(zip(rows["agency_name"], rows["participants"], strict=True))


def test_a_prosecution_service_is_never_counted_for_a_forensic_examiners_course():
    result = checked()

    assert "Kenya prosecution" not in counted(result, "FOR-201")
    assert "Kenya judiciary" not in counted(result, "FOR-201")


def test_an_agency_without_the_power_is_listed_under_preconditions_not_the_course():
    result = checked()

    assert "Nigeria police" not in counted(result, "FOR-201")
    assert "Kenya police" not in counted(result, "UCO-201")
    lacking = result.preconditions.set_index(["agency_name", "question"])
    assert lacking.loc[("Nigeria police", "DF-R01"), "courses"] == "FOR-201"
    assert lacking.loc[("Nigeria police", "DF-R01"), "recommendation"] == (
        "Equipment or access: Forensic hardware"
    )
    assert lacking.loc[("Kenya police", "UC-L01"), "recommendation"] == (
        "Legislation: Undercover powers online"
    )
    courses = result.courses.set_index("code")
    assert courses.at["FOR-201", "held_back"] == 1
    assert courses.at["UCO-201", "held_back"] == 1


def test_partly_having_a_resource_does_not_hold_an_agency_back():
    assert "Senegal unit" in counted(checked(), "FOR-201")


def test_participants_are_summed_from_the_staff_counts_the_agencies_gave():
    result = checked()

    # FOR-201: Kenya police 12 and Senegal unit 3 gave numbers.
    assert counted(result, "FOR-201") == {"Kenya police": 12, "Senegal unit": 3}
    row = result.courses.set_index("code").loc["FOR-201"]
    assert row["participants"] == 15
    assert row["participants_assumed"] == 0
    assert row["cost_usd"] == pytest.approx(5 * 15 * plan.COST_PER_PARTICIPANT_DAY)


def test_an_agency_that_gave_no_number_is_counted_with_the_assumption_marked():
    # UCO-201 (investigators): Nigeria police gave no count for undercover work.
    result = checked(participants_per_agency=4)

    rows = result.agencies[result.agencies["code"] == "UCO-201"].set_index("agency_name")
    assert rows.at["Nigeria police", "participants"] == 4
    assert bool(rows.at["Nigeria police", "assumed"]) is True
    assert result.courses.set_index("code").at["UCO-201", "participants_assumed"] >= 1


def test_an_agency_with_no_staff_to_train_is_not_counted():
    # Kenya NGO ("other", role prosecutor) said 0 staff need forensic training.
    assert "Kenya NGO" not in counted(checked((course("X", ["DF-02"], ["prosecutors"]),)), "X")


def test_a_kind_without_audiences_takes_its_respondents_role():
    # "other" with a prosecutor respondent: a prosecutors' course, not an examiners' one.
    assert eligibility.in_audience("other", "prosecutor", ["prosecutors"], {})
    assert not eligibility.in_audience("other", "prosecutor", ["forensic_examiners"], {})
    assert eligibility.in_audience("other", "", ["forensic_examiners"], {})


def test_the_mapping_is_data_a_coordinator_can_change():
    # A coordinator decides that prosecution services send forensic examiners too.
    audiences = {**eligibility.DEFAULT_KIND_AUDIENCES, "prosecution": ["forensic_examiners"]}

    result = checked(kind_audiences=audiences)

    assert counted(result, "FOR-201")["Kenya prosecution"] == 40


def test_cohorts_are_by_region_and_a_language_the_staff_can_attend():
    result = checked((course("X", ["DF-02"], ["forensic_examiners", "investigators"]),))

    cohorts = result.courses.set_index("code").at["X", "cohorts"]
    # Kenya police (en fr), Nigeria police (en), Senegal unit (fr): English takes
    # the two that share it, French the one left.
    assert cohorts == "Africa: English 2 (Kenya, Nigeria), French 1"
    languages = result.agencies.set_index("agency_name")["language"]
    assert languages["Senegal unit"] == "French"
    assert languages["Kenya police"] == "English"


def test_the_agencies_table_says_which_competencies_and_gaps_put_it_there():
    result = checked()

    row = result.agencies[result.agencies["code"] == "FOR-201"].iloc[0]
    assert row["competencies"] == "DF-02 (gap 4)"
